import Columns
import Testing
@testable import Kernels
import TestSupport

/// Resolves `name` for the arguments' types, casts them as `argumentTypes` asks, evaluates.
func call(_ name: String, _ args: [Vector], count: Int) throws -> Vector {
    let function = try ScalarFunction.resolve(name: name, argumentTypes: args.map(\.type)).get()
    let cast = try zip(args, function.argumentTypes).map { try Casts.cast($0, to: $1, tryCast: false, count: count) }
    let result = try function.evaluate(cast, count)
    #expect(result.type == function.returnType, "\(name)")
    return result
}

func s(_ x: String?) -> Vector { .constant(x.map(Value.string) ?? .null, .string) }
func i(_ x: Int64?) -> Vector { .constant(x.map(Value.int64) ?? .null, .int64) }
func f(_ x: Double) -> Vector { .constant(.float64(x), .float64) }

/// One constant call's value.
func one(_ name: String, _ args: Vector...) throws -> Value {
    let r = try call(name, args, count: 1)
    #expect(r.isConstant, "\(name) of constants is not a constant")
    return r.constantValue!
}

@Suite struct StringFunctionTests {
    @Test func caseAndLength() throws {
        #expect(try one("lower", s("AbC É")) == .string("abc é"))
        #expect(try one("UPPER", s("abc é")) == .string("ABC É"))
        #expect(try one("length", s("héllo")) == .int64(5))
        #expect(try one("length", s("")) == .int64(0))
        #expect(try one("length", s(nil)) == .null)
    }

    @Test func substrFollowsDuckDB() throws {
        #expect(try one("substr", s("hello"), i(2), i(3)) == .string("ell"))
        #expect(try one("substring", s("hello"), i(2)) == .string("ello"))
        #expect(try one("substr", s("hello"), i(0), i(2)) == .string("h"))
        #expect(try one("substr", s("hello"), i(-3)) == .string("llo"))
        #expect(try one("substr", s("hello"), i(-3), i(2)) == .string("ll"))
        #expect(try one("substr", s("hello"), i(10)) == .string(""))
        #expect(try one("substr", s("hello"), i(3), i(-2)) == .string("he"))
        #expect(try one("substr", s("héllo"), i(2), i(2)) == .string("él"))
        #expect(try one("substr", s("hello"), i(-100), i(2)) == .string("he"))  // DuckDB clamps the start to the beginning
        #expect(try one("substr", s("hello"), i(nil)) == .null)
    }

    @Test func trimPadAndFriends() throws {
        #expect(try one("trim", s("  a b  ")) == .string("a b"))
        #expect(try one("ltrim", s("  a  ")) == .string("a  "))
        #expect(try one("rtrim", s("  a  ")) == .string("  a"))
        #expect(try one("trim", s("xxaxyx"), s("xy")) == .string("a"))
        #expect(try one("concat", s("a"), s(nil), i(3)) == .string("a3"))
        #expect(try one("concat", s(nil)) == .string(""))
        #expect(try one("replace", s("banana"), s("an"), s("_")) == .string("b__a"))
        #expect(try one("replace", s("abc"), s(""), s("x")) == .string("abc"))
        #expect(try one("starts_with", s("hello"), s("he")) == .bool(true))
        #expect(try one("ends_with", s("hello"), s("lo")) == .bool(true))
        #expect(try one("ends_with", s("lo"), s("hello")) == .bool(false))
        #expect(try one("contains", s("hello"), s("ll")) == .bool(true))
        #expect(try one("strpos", s("héllo"), s("l")) == .int64(3))
        #expect(try one("strpos", s("hello"), s("z")) == .int64(0))
        #expect(try one("left", s("héllo"), i(2)) == .string("hé"))
        #expect(try one("left", s("hello"), i(-2)) == .string("hel"))
        #expect(try one("right", s("héllo"), i(3)) == .string("llo"))
        #expect(try one("right", s("hello"), i(-2)) == .string("llo"))
        #expect(try one("reverse", s("héllo")) == .string("olléh"))
        #expect(try one("lpad", s("7"), i(3), s("0")) == .string("007"))
        #expect(try one("rpad", s("ab"), i(5), s("xy")) == .string("abxyx"))
        #expect(try one("lpad", s("hello"), i(2), s("x")) == .string("he"))
        #expect(ScalarFunction.concatOperator(s("a"), s(nil), count: 1).constantValue == .null)
        #expect(ScalarFunction.concatOperator(s("a"), s("b"), count: 1).constantValue == .string("ab"))
    }

    @Test func dictionaryKeepsCodes() throws {
        let dict = Vector.column(.dictionary([0, 1, nil, 0], values: ["Ab", "cD"]))
        let r = try call("lower", [dict], count: 4)
        guard case .column(let c) = r, case .dictionary(let codes, _) = c.storage else { Issue.record("not a dictionary"); return }
        #expect(codes == [0, 1, 0, 0])
        #expect(c.values == [.string("ab"), .string("cd"), .null, .string("ab")])
        #expect(rows(try call("length", [dict], count: 4), 4) == [.int64(2), .int64(2), .null, .int64(2)])
        #expect(rows(try call("substr", [dict, i(2)], count: 4), 4) == [.string("b"), .string("D"), .null, .string("b")])
    }

    @Test func columnsAgainstConstantCalls() throws {
        // Every row of a column call equals the constant call on that row's values.
        var g = SeededGenerator(seed: 7)
        for n in [0, 5, 70] {
            let col = g.strings(n), ints = g.int64s(n, range: -4...6)
            let cases: [(String, [Vector])] = [
                ("lower", [.column(col)]), ("length", [.column(col)]), ("reverse", [.column(col)]),
                ("substr", [.column(col), .column(ints)]), ("substr", [.column(col), i(2), .column(ints)]),
                ("left", [.column(col), .column(ints)]), ("right", [.column(col), i(-1)]),
                ("strpos", [.column(col), s("b")]), ("contains", [.column(col), .column(g.strings(n))]),
                ("lpad", [.column(col), .column(ints), s("*")]), ("concat", [.column(col), .column(g.strings(n))]),
                ("replace", [.column(col), s("a"), s("AA")]), ("trim", [.column(col)]),
            ]
            for (name, args) in cases {
                let result = rows(try call(name, args, count: n), n)
                for r in 0..<n {
                    let single = args.map { a -> Vector in .constant(rows(a, n)[r], a.type) }
                    #expect(result[r] == (try call(name, single, count: 1)).constantValue!, "\(name) row \(r)")
                }
            }
        }
    }

    @Test func resolutionErrors() {
        guard case .failure(let e) = ScalarFunction.resolve(name: "substr", argumentTypes: [.int64]) else { Issue.record(); return }
        #expect(e.message == "substr expects (String, Int64[, Int64]), got (Int64)")
        guard case .failure(let u) = ScalarFunction.resolve(name: "nope", argumentTypes: []) else { Issue.record(); return }
        #expect(u.message == "unknown function nope")
        #expect(ScalarFunction.exists("SQRT") && !ScalarFunction.exists("frobnicate"))
    }
}

@Suite struct MathFunctionTests {
    @Test func values() throws {
        #expect(try one("abs", i(-3)) == .int64(3))
        #expect(try one("abs", f(-2.5)) == .float64(2.5))
        #expect(try one("round", f(2.5)) == .float64(3))
        #expect(try one("round", f(-2.5)) == .float64(-3))
        #expect(try one("round", f(1.2345), i(2)) == .float64(1.23))
        #expect(try one("round", i(1250), i(-2)) == .int64(1300))
        #expect(try one("round", i(-1250), i(-2)) == .int64(-1300))
        #expect(try one("round", i(7)) == .int64(7))
        #expect(try one("floor", f(-1.5)) == .float64(-2))
        #expect(try one("ceil", f(1.2)) == .float64(2))
        #expect(try one("ceiling", i(4)) == .int64(4))
        #expect(try one("sqrt", i(16)) == .float64(4))
        #expect(try one("ln", f(1)) == .float64(0))
        #expect(try one("log10", i(1000)) == .float64(3))
        #expect(try one("log2", i(8)) == .float64(3))
        #expect(try one("exp", i(0)) == .float64(1))
        #expect(try one("power", i(2), i(10)) == .float64(1024))
        #expect(try one("pow", f(4), f(0.5)) == .float64(2))
        #expect(try one("sign", i(-9)) == .int64(-1))
        #expect(try one("sign", f(0.5)) == .int64(1))
        #expect(try one("mod", i(7), i(3)) == .int64(1))
        #expect(try one("mod", i(7), i(0)) == .null)
        #expect(try one("greatest", i(1), i(nil), f(2.5)) == .float64(2.5))
        #expect(try one("least", s("b"), s("a")) == .string("a"))
        #expect(try one("greatest", i(nil), i(nil)) == .null)
        #expect(try one("coalesce", i(nil), i(4)) == .int64(4))
        #expect(try one("ifnull", s(nil), s("x")) == .string("x"))
        #expect(try one("nullif", i(1), i(1)) == .null)
        #expect(try one("nullif", i(1), i(2)) == .int64(1))
        #expect(try one("sqrt", .constant(.null, .float64)) == .null)
    }

    @Test func domainErrors() {
        #expect(throws: BatonError(.invalidInput, "cannot take square root of a negative number", at: .init(row: 1, text: "-1.0"))) {
            try call("sqrt", [.column(.float64([4, -1]))], count: 2)
        }
        #expect(throws: BatonError(.invalidInput, "cannot take logarithm of zero", at: .init(row: 0, text: "0.0"))) {
            try call("ln", [.column(.int64([0]))], count: 1)
        }
        #expect(throws: BatonError(.invalidInput, "cannot take logarithm of a negative number", at: .init(row: 0, text: "-2.0"))) {
            try call("log10", [.column(.float64([-2]))], count: 1)
        }
        #expect(throws: BatonError(.invalidInput, "integer overflow in abs", at: .init(row: 0, text: "-9223372036854775808"))) {
            try call("abs", [.column(.int64([Int64.min]))], count: 1)
        }
        // A null row is not checked.
        #expect(rows((try? call("sqrt", [.column(Column(.float64, .float64([-1, 9]), validity: Bitmap([false, true])))], count: 2))!, 2) == [.null, .float64(3)])
    }

    @Test func columnsAndConversions() throws {
        let r = try call("greatest", [.column(.int64([1, nil, 5])), .column(.float64([2, 3, nil]))], count: 3)
        #expect(rows(r, 3) == [.float64(2), .float64(3), .float64(5)])
        let resolved = try ScalarFunction.resolve(name: "sqrt", argumentTypes: [.int64]).get()
        #expect(resolved.argumentTypes == [.float64] && resolved.returnType == .float64)
    }
}

@Suite struct DateFunctionTests {
    static let day = Int32(Temporal.days(year: 2024, month: 3, day: 17))  // a Sunday
    static let ts = Int64(day) * 86_400_000_000 + ((13 * 60 + 45) * 60 + 30) * 1_000_000 + 250_000

    @Test func parts() throws {
        let d = Vector.constant(.date(Self.day), .date), t = Vector.constant(.timestamp(Self.ts), .timestamp)
        #expect(try one("year", d) == .int64(2024))
        #expect(try one("month", t) == .int64(3))
        #expect(try one("day", d) == .int64(17))
        #expect(try one("dayofweek", d) == .int64(0))
        #expect(try one("dayofyear", d) == .int64(77))
        #expect(try one("quarter", d) == .int64(1))
        #expect(try one("week", d) == .int64(11))
        #expect(try one("hour", t) == .int64(13))
        #expect(try one("minute", t) == .int64(45))
        #expect(try one("second", t) == .int64(30))
        #expect(try one("hour", d) == .int64(0))  // a date converts to midnight
        #expect(try one("date_part", s("month"), d) == .int64(3))
        #expect(try one("datepart", s("DOW"), t) == .int64(0))
        #expect(rows(try call("year", [.column(.date([0, -1, nil]))], count: 3), 3) == [.int64(1970), .int64(1969), .null])
        #expect(rows(try call("dayofweek", [.column(.date([-1, 0, 3]))], count: 3), 3) == [.int64(3), .int64(4), .int64(0)])
    }

    @Test func truncation() throws {
        let d = Vector.constant(.date(Self.day), .date), t = Vector.constant(.timestamp(Self.ts), .timestamp)
        func date(_ y: Int, _ m: Int, _ dd: Int) -> Value { .date(Int32(Temporal.days(year: y, month: m, day: dd))) }
        #expect(try one("date_trunc", s("year"), d) == date(2024, 1, 1))
        #expect(try one("date_trunc", s("quarter"), d) == date(2024, 1, 1))
        #expect(try one("date_trunc", s("month"), d) == date(2024, 3, 1))
        #expect(try one("date_trunc", s("week"), d) == date(2024, 3, 11))
        #expect(try one("date_trunc", s("hour"), t) == .timestamp(Int64(Self.day) * 86_400_000_000 + 13 * 3_600_000_000))
        #expect(try one("date_trunc", s("second"), t) == .timestamp(Self.ts - 250_000))
        #expect(try one("date_trunc", s("day"), t) == .timestamp(Int64(Self.day) * 86_400_000_000))
        #expect(rows(try call("date_trunc", [s("hour"), .column(.timestamp([-1]))], count: 1), 1) == [.timestamp(-3_600_000_000)])
        #expect(throws: BatonError(.invalidInput, "date_trunc: unknown unit 'fortnight' (expected year, quarter, month, week, day, hour, minute, second, …)")) {
            try call("date_trunc", [s("fortnight"), d], count: 1)
        }
        #expect(throws: BatonError(.invalidInput, "date_trunc: the unit must be a constant string")) {
            try call("date_trunc", [.column(.string(["day"])), .column(.date([1]))], count: 1)
        }
    }

    @Test func differences() throws {
        func date(_ y: Int, _ m: Int, _ dd: Int) -> Vector { .constant(.date(Int32(Temporal.days(year: y, month: m, day: dd))), .date) }
        #expect(try one("date_diff", s("month"), date(2024, 1, 31), date(2024, 2, 1)) == .int64(1))
        #expect(try one("date_diff", s("day"), date(2024, 1, 31), date(2024, 3, 1)) == .int64(30))
        #expect(try one("datediff", s("year"), date(2024, 12, 31), date(2023, 1, 1)) == .int64(-1))
        #expect(try one("date_diff", s("hour"), .constant(.timestamp(0), .timestamp), .constant(.timestamp(-1), .timestamp)) == .int64(-1))
        // Mixed date and timestamp resolve to (String, Timestamp, Timestamp).
        #expect(try one("date_diff", s("day"), date(1970, 1, 1), .constant(.timestamp(2 * 86_400_000_000), .timestamp)) == .int64(2))
    }
}
