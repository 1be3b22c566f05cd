import Columns

public enum IntervalUnitKind: Sendable {
    case microsecond, millisecond, second, minute, hour, day, week, month, year

    /// Microseconds in one unit, for the fixed-length units.
    var micros: Int64? {
        switch self {
        case .microsecond: 1
        case .millisecond: 1_000
        case .second: 1_000_000
        case .minute: 60_000_000
        case .hour: 3_600_000_000
        case .day: microsPerDay
        case .week: 7 * microsPerDay
        case .month, .year: nil
        }
    }

    var name: String {
        switch self {
        case .microsecond: "microsecond"
        case .millisecond: "millisecond"
        case .second: "second"
        case .minute: "minute"
        case .hour: "hour"
        case .day: "day"
        case .week: "week"
        case .month: "month"
        case .year: "year"
        }
    }
}

extension Arithmetic {
    /// The type of `dateAdd(v, …, unit:)`: a date stays a date for day, week, month and year;
    /// a date plus a smaller unit becomes a timestamp (as in DuckDB); a timestamp stays one.
    public static func dateAddType(_ type: DataType, unit: IntervalUnitKind) -> DataType? {
        switch type {
        case .timestamp: return .timestamp
        case .date:
            switch unit {
            case .day, .week, .month, .year: return .date
            default: return .timestamp
            }
        default: return nil
        }
    }

    /// date or timestamp plus a signed interval; months/years clamp the day to the month's end (Jan 31 + 1 month = Feb 28/29).
    /// The result type is `dateAddType(v.type, unit:)`. A result outside the type's range is an error.
    public static func dateAdd(_ v: Vector, amount: Int64, unit: IntervalUnitKind, count: Int) throws(BatonError) -> Vector {
        guard let type = dateAddType(v.type, unit: unit) else { throw invalid("cannot add an interval to \(v.type)") }
        let constant = v.isConstant
        let n = constant ? 1 : count
        let validity: Bitmap?
        switch Nulls.of(v) {
        case .all: return .null(type, count: count, constant: constant)
        case .none: validity = nil
        case .some(let bits): validity = bits
        }
        func overflow(_ i: Int, _ text: String) -> BatonError {
            invalid("\(type == .date ? "date" : "timestamp") out of range in interval addition", row: i,
                    text: "\(text) + \(amount) \(unit.name)")
        }
        // Whole months (month/year) move the calendar; everything else is a fixed shift.
        let months: Int64? = switch unit {
        case .month: amount
        case .year: amount.multipliedReportingOverflow(by: 12).overflow ? nil : amount * 12
        default: nil
        }
        if (unit == .month || unit == .year) && months == nil { throw overflow(0, "interval") }

        let column: Column
        if v.type == .date {
            let days: [Int32] = switch v.int32Operand {
            case .array(let a): a
            case .scalar(let x): [x]
            }
            if type == .timestamp {  // date plus a sub-day unit
                var result = [Int64](repeating: 0, count: n)
                let step = amount.multipliedReportingOverflow(by: unit.micros!)
                for i in 0..<n {
                    let (r, o) = dateToMicros(days[i]).addingReportingOverflow(step.partialValue)
                    if (o || step.overflow), validity?[i] ?? true { throw overflow(i, Temporal.formatDate(days[i])) }
                    result[i] = r
                }
                column = Column(.timestamp, .int64(result), validity: validity)
            } else {
                var result = [Int32](repeating: 0, count: n)
                let shift: (partialValue: Int64, overflow: Bool) = months == nil ? amount.multipliedReportingOverflow(by: unit == .week ? 7 : 1) : (0, false)
                for i in 0..<n {
                    let moved: Int64? = if let months { addMonths(Int64(days[i]), months) } else {
                        shift.overflow ? nil : {
                            let (r, o) = Int64(days[i]).addingReportingOverflow(shift.partialValue)
                            return o ? nil : r
                        }()
                    }
                    if let moved, let d = Int32(exactly: moved) {
                        result[i] = d
                    } else if validity?[i] ?? true {
                        throw overflow(i, Temporal.formatDate(days[i]))
                    }
                }
                column = Column(.date, .int32(result), validity: validity)
            }
        } else {
            let micros: [Int64] = switch v.int64Operand {
            case .array(let a): a
            case .scalar(let x): [x]
            }
            var result = [Int64](repeating: 0, count: n)
            let step: (partialValue: Int64, overflow: Bool) = months == nil ? amount.multipliedReportingOverflow(by: unit.micros!) : (0, false)
            for i in 0..<n {
                let t = micros[i]
                let moved: Int64?
                if let months {
                    let day = microsToDays(t)
                    let timeOfDay = t &- day &* microsPerDay
                    if let d = addMonths(day, months), !d.multipliedReportingOverflow(by: microsPerDay).overflow {
                        let (r, o) = (d * microsPerDay).addingReportingOverflow(timeOfDay)
                        moved = o ? nil : r
                    } else {
                        moved = nil
                    }
                } else {
                    let (r, o) = t.addingReportingOverflow(step.partialValue)
                    moved = o || step.overflow ? nil : r
                }
                if let moved {
                    result[i] = moved
                } else if validity?[i] ?? true {
                    throw overflow(i, Temporal.formatTimestamp(t))
                }
            }
            column = Column(.timestamp, .int64(result), validity: validity)
        }
        return constant ? .constant(column.value(at: 0), type) : .column(column)
    }

    /// The day `months` calendar months after `day`, clamped to the end of the month; nil when
    /// the year leaves ±5,000,000.
    static func addMonths(_ day: Int64, _ months: Int64) -> Int64? {
        guard abs(day) < 2_000_000_000_000, abs(months) < 60_000_000 else { return nil }
        let (y, m, d) = Temporal.civil(days: day)
        let total = Int64(y) * 12 + Int64(m - 1) + months
        let year = Int(total >= 0 ? total / 12 : (total - 11) / 12)
        let month = Int(total - Int64(year) * 12) + 1
        return Temporal.days(year: year, month: month, day: min(d, Temporal.daysInMonth(year: year, month: month)))
    }
}
