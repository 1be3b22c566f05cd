import Columns

/// Date and timestamp functions (UTC, proleptic Gregorian calendar). Units are constant
/// strings, case-insensitive; an unknown unit or a unit given by a column is an error.
enum DateFunctions {
    enum Part: String, CaseIterable {
        case year, quarter, month, week, day, dayofweek, dayofyear, hour, minute, second, millisecond, microsecond, epoch

        init?(_ text: String) {
            switch text.lowercased() {
            case "years", "y", "yr", "yrs": self = .year
            case "quarters": self = .quarter
            case "months", "mon": self = .month
            case "weeks", "w": self = .week
            case "days", "d", "dayofmonth": self = .day
            case "dow": self = .dayofweek
            case "doy": self = .dayofyear
            case "hours", "h", "hr": self = .hour
            case "minutes", "min", "m": self = .minute
            case "seconds", "s", "sec": self = .second
            case "milliseconds", "ms": self = .millisecond
            case "microseconds", "us": self = .microsecond
            default:
                guard let p = Part(rawValue: text.lowercased()) else { return nil }
                self = p
            }
        }
    }

    static var definitions: [([String], FunctionDefinition)] {
        let s = DataType.string, i = DataType.int64, d = DataType.date, t = DataType.timestamp
        func extractor(_ part: Part, dates: Bool = true) -> FunctionDefinition {
            var overloads: [([DataType], DataType, ScalarFunction.Kernel)] = [([t], i, lift { a, n throws(BatonError) in try extract(part, a[0], n) })]
            if dates { overloads.insert(([d], i, lift { a, n throws(BatonError) in try extract(part, a[0], n) }), at: 0) }
            return Signatures.fixed(dates ? "(Date | Timestamp)" : "(Timestamp)", overloads)
        }
        return [
            (["year"], extractor(.year)),
            (["quarter"], extractor(.quarter)),
            (["month"], extractor(.month)),
            (["week"], extractor(.week)),
            (["day", "dayofmonth"], extractor(.day)),
            (["dayofweek", "dow"], extractor(.dayofweek)),
            (["dayofyear", "doy"], extractor(.dayofyear)),
            (["hour"], extractor(.hour, dates: false)),
            (["minute"], extractor(.minute, dates: false)),
            (["second"], extractor(.second, dates: false)),
            (["epoch"], extractor(.epoch)),
            (["date_part", "datepart"], Signatures.fixed("(String, Date | Timestamp)", [
                ([s, d], i, { a, n throws(BatonError) in try lift { a, n throws(BatonError) in try extract(unit(a[0], "date_part"), a[1], n) }(a, n) }),
                ([s, t], i, { a, n throws(BatonError) in try lift { a, n throws(BatonError) in try extract(unit(a[0], "date_part"), a[1], n) }(a, n) }),
            ])),
            (["date_trunc", "datetrunc"], Signatures.fixed("(String, Date | Timestamp)", [
                ([s, d], d, lift { a, n throws(BatonError) in try truncate(a, n) }),
                ([s, t], t, lift { a, n throws(BatonError) in try truncate(a, n) }),
            ])),
            (["date_diff", "datediff"], Signatures.fixed("(String, Date, Date) | (String, Timestamp, Timestamp)", [
                ([s, d, d], i, lift { a, n throws(BatonError) in try difference(a, n) }),
                ([s, t, t], i, lift { a, n throws(BatonError) in try difference(a, n) }),
            ])),
        ]
    }

    /// The unit argument: a constant naming a part.
    static func unit(_ v: Vector, _ function: String) throws(BatonError) -> Part {
        guard case .constant(let value, _) = v else { throw invalid("\(function): the unit must be a constant string") }
        guard case .string(let text) = value, let part = Part(text) else {
            throw invalid("\(function): unknown unit '\(value)' (expected year, quarter, month, week, day, hour, minute, second, …)")
        }
        return part
    }

    /// (days since the epoch, microseconds into the day) of row r.
    @inline(__always)
    static func split(_ type: DataType, _ operand: Operand<Int64>, _ r: Int) -> (Int64, Int64) {
        let x = operand.at(r)
        if type == .date { return (x, 0) }
        let day = microsToDays(x)
        return (day, x &- day &* microsPerDay)
    }

    static func operand(_ v: Vector) -> Operand<Int64> {
        guard v.type == .date else { return v.int64Operand }
        return switch v.int32Operand {
        case .array(let a): .array(map1(a) { Int64($0) })
        case .scalar(let x): .scalar(Int64(x))
        }
    }

    static func extract(_ part: Part, _ v: Vector, _ count: Int) throws(BatonError) -> Column {
        let type = v.type, values = operand(v)
        return try fixedResult([v], count: count, .int64, wrap: { .int64($0) }) { _, r in
            let (day, time) = split(type, values, r)
            switch part {
            case .year: return Int64(Temporal.civil(days: day).year)
            case .quarter: return Int64((Temporal.civil(days: day).month - 1) / 3 + 1)
            case .month: return Int64(Temporal.civil(days: day).month)
            case .day: return Int64(Temporal.civil(days: day).day)
            case .dayofweek: return ((day % 7) + 11) % 7  // 1970-01-01 was a Thursday; Sunday = 0
            case .dayofyear:
                return day - Temporal.days(year: Temporal.civil(days: day).year, month: 1, day: 1) + 1
            case .week: return isoWeek(day)
            case .hour: return time / 3_600_000_000
            case .minute: return time / 60_000_000 % 60
            case .second: return time / 1_000_000 % 60
            case .millisecond: return time / 1_000 % 60_000
            case .microsecond: return time % 60_000_000
            case .epoch: return type == .date ? day * 86_400 : values.at(r) >= 0 ? values.at(r) / 1_000_000 : (values.at(r) - 999_999) / 1_000_000
            }
        }
    }

    /// ISO-8601 week number (weeks start on Monday; week 1 holds the year's first Thursday).
    static func isoWeek(_ day: Int64) -> Int64 {
        let weekday = ((day % 7) + 10) % 7  // Monday = 0
        let thursday = day - weekday + 3
        let year = Temporal.civil(days: thursday).year
        return (thursday - Temporal.days(year: year, month: 1, day: 1)) / 7 + 1
    }

    /// The first day (or microsecond) of the unit containing each value; the type is kept.
    static func truncate(_ a: [Vector], _ count: Int) throws(BatonError) -> Column {
        let part = try unit(a[0], "date_trunc")
        let v = a[1], type = v.type, values = operand(v)
        func floorTo(_ x: Int64, _ step: Int64) -> Int64 { let q = x / step; return (x % step < 0 ? q - 1 : q) * step }
        let result = try fixedResult([v], count: count, .int64, wrap: { .int64($0) }) { (_, r) throws(BatonError) -> Int64 in
            let (day, time) = split(type, values, r)
            let (y, m, _) = Temporal.civil(days: day)
            let start: Int64  // first day of the unit, for day-or-longer units
            switch part {
            case .year: start = Temporal.days(year: y, month: 1, day: 1)
            case .quarter: start = Temporal.days(year: y, month: (m - 1) / 3 * 3 + 1, day: 1)
            case .month: start = Temporal.days(year: y, month: m, day: 1)
            case .week: start = day - ((day % 7) + 10) % 7  // back to Monday
            case .day: start = day
            case .hour, .minute, .second, .millisecond, .microsecond:
                if type == .date { return day }
                let step: Int64 = switch part {
                case .hour: 3_600_000_000
                case .minute: 60_000_000
                case .second: 1_000_000
                case .millisecond: 1_000
                default: 1
                }
                return day * microsPerDay + floorTo(time, step)
            default:
                throw invalid("date_trunc: unit '\(part.rawValue)' is not supported")
            }
            return type == .date ? start : start * microsPerDay
        }
        guard type == .date, case .int64(let days) = result.storage else { return result.with(type: .timestamp) }
        return Column(.date, .int32(days.map { Int32(truncatingIfNeeded: $0) }), validity: result.validity)
    }

    /// The number of unit boundaries crossed from a to b (DuckDB): date_diff('month',
    /// '2024-01-31', '2024-02-01') = 1.
    static func difference(_ a: [Vector], _ count: Int) throws(BatonError) -> Column {
        let part = try unit(a[0], "date_diff")
        let type = a[1].type, x = operand(a[1]), y = operand(a[2])
        return try fixedResult([a[1], a[2]], count: count, .int64, wrap: { .int64($0) }) { (_, r) throws(BatonError) -> Int64 in
            let (d1, t1) = split(type, x, r), (d2, t2) = split(type, y, r)
            func months(_ d: Int64) -> Int64 { let c = Temporal.civil(days: d); return Int64(c.year) * 12 + Int64(c.month - 1) }
            func micros(_ d: Int64, _ t: Int64) -> Int64 { d &* microsPerDay &+ t }
            func floorDiv(_ v: Int64, _ s: Int64) -> Int64 { let q = v / s; return v % s < 0 ? q - 1 : q }
            switch part {
            case .year: return Int64(Temporal.civil(days: d2).year - Temporal.civil(days: d1).year)
            case .quarter: return floorDiv(months(d2), 3) - floorDiv(months(d1), 3)
            case .month: return months(d2) - months(d1)
            case .week: return floorDiv(d2 + 3, 7) - floorDiv(d1 + 3, 7)  // Monday-based weeks
            case .day: return d2 - d1
            case .hour: return floorDiv(micros(d2, t2), 3_600_000_000) - floorDiv(micros(d1, t1), 3_600_000_000)
            case .minute: return floorDiv(micros(d2, t2), 60_000_000) - floorDiv(micros(d1, t1), 60_000_000)
            case .second: return floorDiv(micros(d2, t2), 1_000_000) - floorDiv(micros(d1, t1), 1_000_000)
            case .millisecond: return floorDiv(micros(d2, t2), 1_000) - floorDiv(micros(d1, t1), 1_000)
            case .microsecond: return micros(d2, t2) &- micros(d1, t1)
            default: throw invalid("date_diff: unit '\(part.rawValue)' is not supported")
            }
        }
    }
}

extension Column {
    func with(type: DataType) -> Column { Column(type, storage, validity: validity) }
}
