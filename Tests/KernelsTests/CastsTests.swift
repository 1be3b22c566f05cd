import Columns
import Testing
@testable import Kernels

@Suite struct CastsTests {
    func cast(_ c: Column, _ type: DataType, try tryCast: Bool = false) throws(BatonError) -> [Value] {
        rows(try Casts.cast(.column(c), to: type, tryCast: tryCast, count: c.count), c.count)
    }

    @Test func stringToNumbers() throws {
        #expect(try cast(.string(["1", " -42 ", "007", nil, "+5"]), .int64) == [.int64(1), .int64(-42), .int64(7), .null, .int64(5)])
        #expect(try cast(.string(["1.5", "1e3", "12345678901234567890", "nan", "-inf", ".5"]), .float64)
            .map { $0.description } == ["1.5", "1000.0", "1.2345678901234567e+19", "nan", "-inf", "0.5"])
        #expect(try cast(.string(["2024-02-29", nil]), .date) == [.date(Int32(Temporal.days(year: 2024, month: 2, day: 29))), .null])
        #expect(try cast(.string(["1970-01-02", "1970-01-01 00:00:01.5", "1970-01-01T01:00:00+01:00"]), .timestamp)
            == [.timestamp(86_400_000_000), .timestamp(1_500_000), .timestamp(0)])
        #expect(try cast(.string(["TRUE", "f", "Yes", "no", "1", "0", "t"]), .bool)
            == [.bool(true), .bool(false), .bool(true), .bool(false), .bool(true), .bool(false), .bool(true)])
    }

    @Test func failuresNameTheRowAndText() {
        #expect(throws: BatonError(.invalidInput, "cannot cast to Int64", at: .init(row: 1, text: "abc"), hint: "TRY_CAST(… AS Int64) gives NULL instead")) {
            try cast(.string(["1", "abc", "x"]), .int64)
        }
        #expect(throws: BatonError(.invalidInput, "cannot cast to Int64", at: .init(row: 0, text: "9223372036854775808"), hint: "TRY_CAST(… AS Int64) gives NULL instead")) {
            try cast(.string(["9223372036854775808"]), .int64)
        }
        #expect(throws: BatonError(.invalidInput, "cannot cast to Date", at: .init(row: 0, text: "2023-02-29"), hint: "TRY_CAST(… AS Date) gives NULL instead")) {
            try cast(.string(["2023-02-29"]), .date)
        }
        #expect(throws: BatonError(.invalidInput, "cannot cast to Bool", at: .init(row: 2, text: "maybe"), hint: "TRY_CAST(… AS Bool) gives NULL instead")) {
            try cast(.dictionary([0, nil, 1], values: ["true", "maybe"]), .bool)
        }
        #expect(throws: BatonError(.invalidInput, "cannot cast to Int64", at: .init(row: 0, text: "NaN"), hint: "TRY_CAST(… AS Int64) gives NULL instead")) {
            try cast(.float64([.nan]), .int64)
        }
        #expect(throws: BatonError(.invalidInput, "cannot cast to Int64", at: .init(row: 1, text: "1e+19"), hint: "TRY_CAST(… AS Int64) gives NULL instead")) {
            try cast(.float64([1, 1e19]), .int64)
        }
    }

    @Test func tryCastGivesNull() throws {
        #expect(try cast(.string(["1", "abc", nil]), .int64, try: true) == [.int64(1), .null, .null])
        #expect(try cast(.float64([.nan, 2.5, -2.5, 1e300]), .int64, try: true) == [.null, .int64(3), .int64(-3), .null])
        #expect(try cast(.dictionary([0, 1, 0], values: ["x", "2"]), .int64, try: true) == [.null, .int64(2), .null])
        #expect(try Casts.cast(.constant(.string("zz"), .string), to: .date, tryCast: true, count: 3).constantValue == .null)
    }

    @Test func nullRowsNeverFail() throws {
        // The null row's slot holds "abc"; a cast must not look at it.
        let c = Column(.string, .string(StringArray(["abc", "5"])), validity: Bitmap([false, true]))
        #expect(try cast(c, .int64) == [.null, .int64(5)])
        let d = Column(.string, .dictionary(codes: [0, 1], values: StringArray(["abc", "5"])), validity: Bitmap([false, true]))
        #expect(try cast(d, .int64) == [.null, .int64(5)])
    }

    @Test func numbersAndDates() throws {
        #expect(try cast(.float64([0.5, -0.5, 1.49, nil]), .int64) == [.int64(1), .int64(-1), .int64(1), .null])
        #expect(try cast(.int64([3, nil]), .float64) == [.float64(3), .null])
        #expect(try cast(.int64([0, 7]), .bool) == [.bool(false), .bool(true)])
        #expect(try cast(.bool([true, false, nil]), .int64) == [.int64(1), .int64(0), .null])
        #expect(try cast(.float64([1.5, 3, 1e20, .nan, -.infinity, -0.0, 0.1]), .string)
            == ["1.5", "3.0", "1e+20", "NaN", "-inf", "-0.0", "0.1"].map(Value.string))
        #expect(try cast(.int64([-12, nil]), .string) == [.string("-12"), .null])
        #expect(try cast(.date([1]), .timestamp) == [.timestamp(86_400_000_000)])
        #expect(try cast(.timestamp([-1, 86_400_000_000]), .date) == [.date(-1), .date(1)])
        #expect(try cast(.date([0]), .string) == [.string("1970-01-01")])
        #expect(try cast(.timestamp([1_500_000]), .string) == [.string("1970-01-01 00:00:01.500000")])
        #expect(try cast(.bool([true]), .string) == [.string("true")])
        #expect(try Casts.cast(.constant(.int64(2), .int64), to: .float64, tryCast: false, count: 9).constantValue == .float64(2))
    }

    @Test func dictionaryStaysDictionary() throws {
        let r = try Casts.cast(.column(.dictionary([1, 0, nil], values: ["b", "a"])), to: .string, tryCast: false, count: 3)
        guard case .column(let c) = r, case .dictionary = c.storage else { Issue.record("not a dictionary"); return }
        #expect(c.values == [.string("a"), .string("b"), .null])
    }
}
