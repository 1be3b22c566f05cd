import Testing
import Columns

@Suite struct ValueTests {
    @Test func floatEqualityIsBitExact() {
        #expect(Value.float64(.nan) == .float64(.nan))
        #expect(Value.float64(-.nan) != .float64(.nan))
        #expect(Value.float64(Double(bitPattern: 0x7FF8_0000_0000_0001)) != .float64(.nan))
        #expect(Value.float64(-0.0) != .float64(0.0))
        #expect(Value.float64(0.0) == .float64(0.0))
        #expect(Value.float64(.infinity) == .float64(.infinity))
        #expect(Value.float64(.infinity) != .float64(-.infinity))
        #expect(Set([Value.float64(.nan), .float64(.nan), .float64(0.0), .float64(-0.0)]).count == 3)
    }

    @Test func equalityNeedsSameCase() {
        #expect(Value.int64(1) != .float64(1))
        #expect(Value.int64(5) != .timestamp(5))
        #expect(Value.date(5) != .int64(5))
        #expect(Value.string("true") != .bool(true))
        #expect(Value.null == .null)
        #expect(Value.null != .int64(0))
        #expect(Value.null.isNull)
        #expect(!Value.string("").isNull)
    }

    @Test func description() {
        #expect(Value.null.description == "NULL")
        #expect(Value.int64(-42).description == "-42")
        #expect(Value.bool(true).description == "true")
        #expect(Value.string("x y").description == "x y")
        #expect(Value.date(0).description == "1970-01-01")
        #expect(Value.timestamp(1_500_000).description == "1970-01-01 00:00:01.500000")
    }

    @Test func compareSameTypes() {
        #expect(Value.compare(.int64(1), .int64(2)) == -1)
        #expect(Value.compare(.int64(2), .int64(2)) == 0)
        #expect(Value.compare(.int64(.max), .int64(.min)) == 1)
        #expect(Value.compare(.float64(-1.5), .float64(2)) == -1)
        #expect(Value.compare(.float64(-.infinity), .float64(-1e308)) == -1)
        #expect(Value.compare(.bool(false), .bool(true)) == -1)
        #expect(Value.compare(.bool(true), .bool(true)) == 0)
        #expect(Value.compare(.date(-5), .date(3)) == -1)
        #expect(Value.compare(.timestamp(9), .timestamp(-9)) == 1)
    }

    @Test func compareMixedNumbers() {
        #expect(Value.compare(.int64(2), .float64(2.5)) == -1)
        #expect(Value.compare(.float64(2.0), .int64(2)) == 0)
        #expect(Value.compare(.float64(3.5), .int64(2)) == 1)
    }

    @Test func compareStringsByUTF8Bytes() {
        #expect(Value.compare(.string("Z"), .string("a")) == -1)
        #expect(Value.compare(.string("abc"), .string("abd")) == -1)
        #expect(Value.compare(.string("ab"), .string("abc")) == -1)
        #expect(Value.compare(.string(""), .string("")) == 0)
        #expect(Value.compare(.string("é"), .string("z")) == 1)
        #expect(Value.compare(.string("\u{FFFF}"), .string("😀")) == -1)  // code point order, not UTF-16
        #expect(Value.compare(.string("same"), .string("same")) == 0)
    }

    @Test func compareReturnsNilForNullsAndMixedTypes() {
        #expect(Value.compare(.null, .int64(1)) == nil)
        #expect(Value.compare(.int64(1), .null) == nil)
        #expect(Value.compare(.null, .null) == nil)
        #expect(Value.compare(.int64(1), .timestamp(1)) == nil)
        #expect(Value.compare(.date(1), .timestamp(1)) == nil)
        #expect(Value.compare(.string("1"), .int64(1)) == nil)
        #expect(Value.compare(.bool(true), .int64(1)) == nil)
    }

    /// Strings are documented to compare by UTF-8 bytes, so canonically equivalent strings
    /// with different bytes must not compare equal, and the comparison must be antisymmetric.
    @Test func compareStringsIsAntisymmetricForCanonicallyEquivalentStrings() {
        let precomposed = Value.string("\u{E9}")      // é: C3 A9
        let decomposed = Value.string("e\u{301}")     // e + combining acute: 65 CC 81
        #expect(Value.compare(decomposed, precomposed) == -1)
        #expect(Value.compare(precomposed, decomposed) == 1)
    }
}
