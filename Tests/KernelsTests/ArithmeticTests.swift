import Columns
import Testing
@testable import Kernels
import TestSupport

/// The scalar twin: SQL arithmetic on one pair of values, written plainly.
func arithmeticTwin(_ op: ArithmeticOperator, _ a: Value, _ b: Value) -> Value {
    func double(_ v: Value) -> Double? {
        switch v {
        case .int64(let x): Double(x)
        case .float64(let x): x
        default: nil
        }
    }
    switch (a, b) {
    case (.null, _), (_, .null): return .null
    case let (.int64(x), .int64(y)):
        switch op {
        case .add: return .int64(x + y)
        case .subtract: return .int64(x - y)
        case .multiply: return .int64(x * y)
        case .divide: return y == 0 ? .null : .float64(Double(x) / Double(y))
        case .modulo: return y == 0 ? .null : .int64(x % y)
        }
    case let (.date(d), .int64(n)): return .date(Int32(op == .add ? Int64(d) + n : Int64(d) - n))
    case let (.int64(n), .date(d)): return .date(Int32(Int64(d) + n))
    case let (.date(x), .date(y)): return .int64(Int64(x) - Int64(y))
    case let (.timestamp(x), .timestamp(y)): return .int64(x - y)
    default:
        let x = double(a)!, y = double(b)!
        switch op {
        case .add: return .float64(x + y)
        case .subtract: return .float64(x - y)
        case .multiply: return .float64(x * y)
        case .divide: return y == 0 ? .null : .float64(x / y)
        case .modulo: return y == 0 ? .null : .float64(x.truncatingRemainder(dividingBy: y))
        }
    }
}

@Suite struct ArithmeticTests {
    @Test func matchesScalarTwinOnRandomInput() throws {
        var g = SeededGenerator(seed: 1)
        let ops: [ArithmeticOperator] = [.add, .subtract, .multiply, .divide, .modulo]
        for n in counts {
            let pairs: [(Column, Column)] = [
                (g.int64s(n), g.int64s(n)), (g.int64s(n), g.float64s(n)), (g.float64s(n), g.int64s(n)),
                (g.float64s(n), g.float64s(n)), (g.dates(n), g.int64s(n)), (g.int64s(n), g.dates(n)),
                (g.dates(n), g.dates(n)), (g.timestamps(n), g.timestamps(n)),
            ]
            for (l, r) in pairs {
                for op in ops where TypeRules.arithmetic(op, l.type, r.type) != nil {
                    for (a, b) in shapes(l, r, &g) {
                        let result = try Arithmetic.apply(op, a, b, count: n)
                        #expect(result.type == TypeRules.arithmetic(op, l.type, r.type))
                        #expect(result.isConstant == (a.isConstant && b.isConstant))
                        let expected = zip(rows(a, n), rows(b, n)).map { arithmeticTwin(op, $0, $1) }
                        #expect(same(rows(result, n), expected), "\(l.type) \(op) \(r.type) \(a.isConstant) \(b.isConstant)")
                    }
                }
            }
        }
    }

    @Test func typeRules() {
        #expect(TypeRules.arithmetic(.divide, .int64, .int64) == .float64)
        #expect(TypeRules.arithmetic(.add, .int64, .int64) == .int64)
        #expect(TypeRules.arithmetic(.add, .int64, .date) == .date)
        #expect(TypeRules.arithmetic(.subtract, .int64, .date) == nil)
        #expect(TypeRules.arithmetic(.subtract, .timestamp, .timestamp) == .int64)
        #expect(TypeRules.arithmetic(.add, .string, .int64) == nil)
        #expect(TypeRules.comparable(.int64, .float64) && TypeRules.comparable(.date, .timestamp))
        #expect(!TypeRules.comparable(.string, .int64))
        #expect(TypeRules.common([.int64, .float64, .int64]) == .float64)
        #expect(TypeRules.common([.date, .timestamp]) == .timestamp)
        #expect(TypeRules.common([.string, .int64]) == nil)
        #expect(TypeRules.common([]) == nil)
        #expect(TypeRules.castable(.string, .date) && !TypeRules.castable(.bool, .date) && !TypeRules.castable(.timestamp, .bool))
    }

    @Test func overflowIsAnErrorNamingTheRow() {
        let big = Column.int64([1, Int64.max, nil])
        #expect(throws: BatonError(.invalidInput, "integer overflow in addition",
                                   at: .init(row: 1, text: "9223372036854775807 + 1"))) {
            try Arithmetic.apply(.add, .column(big), .constant(.int64(1), .int64), count: 3)
        }
        #expect(throws: BatonError(.invalidInput, "integer overflow in multiplication",
                                   at: .init(row: 0, text: "9223372036854775807 * 2"))) {
            try Arithmetic.apply(.multiply, .constant(.int64(.max), .int64), .constant(.int64(2), .int64), count: 5)
        }
        #expect(throws: BatonError(.invalidInput, "integer overflow in subtraction",
                                   at: .init(row: 0, text: "0 - -9223372036854775808"))) {
            try Arithmetic.negate(.column(.int64([Int64.min])), count: 1)
        }
    }

    @Test func overflowInANullRowIsIgnored() throws {
        // The null row's slot holds Int64.max; it must not raise.
        let c = Column(.int64, .int64([1, .max]), validity: Bitmap([true, false]))
        let result = try Arithmetic.apply(.add, .column(c), .constant(.int64(1), .int64), count: 2)
        #expect(rows(result, 2) == [.int64(2), .null])
    }

    @Test func divisionAndModuloByZeroAreNull() throws {
        let r = try Arithmetic.apply(.divide, .column(.int64([1, 4, nil])), .column(.int64([0, 2, 1])), count: 3)
        #expect(rows(r, 3) == [.null, .float64(2), .null])
        let m = try Arithmetic.apply(.modulo, .column(.int64([7, Int64.min])), .column(.int64([0, -1])), count: 2)
        #expect(rows(m, 2) == [.null, .int64(0)])
        let f = try Arithmetic.apply(.divide, .column(.float64([1.5])), .constant(.float64(0), .float64), count: 1)
        #expect(rows(f, 1) == [.null])
        #expect(try Arithmetic.apply(.divide, .constant(.int64(1), .int64), .constant(.int64(0), .int64), count: 9).constantValue == .null)
    }

    @Test func nullConstantGivesNullOfResultType() throws {
        let r = try Arithmetic.apply(.add, .column(.int64([1, 2])), .constant(.null, .int64), count: 2)
        #expect(rows(r, 2) == [.null, .null] && r.type == .int64 && !r.isConstant)
    }

    @Test func emptyVectors() throws {
        let r = try Arithmetic.apply(.add, .column(.int64([])), .column(.int64([])), count: 0)
        #expect(rows(r, 0).isEmpty)
    }

    @Test func dateOutOfRange() {
        #expect(throws: BatonError(.invalidInput, "date out of range in addition",
                                   at: .init(row: 0, text: "1970-01-01 + 9000000000"))) {
            try Arithmetic.apply(.add, .column(.date([0])), .constant(.int64(9_000_000_000), .int64), count: 1)
        }
    }

    @Test func negate() throws {
        #expect(rows(try Arithmetic.negate(.column(.float64([1.5, nil])), count: 2), 2) == [.float64(-1.5), .null])
        #expect(rows(try Arithmetic.negate(.column(.int64([3, nil])), count: 2), 2) == [.int64(-3), .null])
        #expect(try Arithmetic.negate(.constant(.int64(3), .int64), count: 4).constantValue == .int64(-3))
    }

    @Test func dateAddClampsToMonthEnd() throws {
        let jan31 = Int32(Temporal.days(year: 2024, month: 1, day: 31))
        let r = try Arithmetic.dateAdd(.column(.date([jan31, nil])), amount: 1, unit: .month, count: 2)
        #expect(rows(r, 2) == [.date(Int32(Temporal.days(year: 2024, month: 2, day: 29))), .null])
        let y = try Arithmetic.dateAdd(.constant(.date(Int32(Temporal.days(year: 2024, month: 2, day: 29))), .date), amount: 1, unit: .year, count: 3)
        #expect(y.constantValue == .date(Int32(Temporal.days(year: 2025, month: 2, day: 28))))
        let back = try Arithmetic.dateAdd(.column(.date([jan31])), amount: -2, unit: .month, count: 1)
        #expect(rows(back, 1) == [.date(Int32(Temporal.days(year: 2023, month: 11, day: 30)))])
        let w = try Arithmetic.dateAdd(.column(.date([0])), amount: 2, unit: .week, count: 1)
        #expect(rows(w, 1) == [.date(14)])
        let h = try Arithmetic.dateAdd(.column(.date([1])), amount: -1, unit: .hour, count: 1)
        #expect(h.type == .timestamp && rows(h, 1) == [.timestamp(86_400_000_000 - 3_600_000_000)])
        let ts = Int64(Temporal.days(year: 2023, month: 3, day: 31)) * 86_400_000_000 + 5_000_000
        let t = try Arithmetic.dateAdd(.column(.timestamp([ts])), amount: -1, unit: .month, count: 1)
        #expect(rows(t, 1) == [.timestamp(Int64(Temporal.days(year: 2023, month: 2, day: 28)) * 86_400_000_000 + 5_000_000)])
        let s = try Arithmetic.dateAdd(.column(.timestamp([0])), amount: 90, unit: .second, count: 1)
        #expect(rows(s, 1) == [.timestamp(90_000_000)])
    }
}
