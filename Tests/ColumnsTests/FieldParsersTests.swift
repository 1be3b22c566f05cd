import Testing
@testable import Columns

@Suite struct FieldParsersTests {
    static func parse(_ text: String) -> Int64? {
        var copy = text
        return copy.withUTF8 { FieldParsers.int64(UnsafeRawBufferPointer($0)) }
    }

    /// The reference: the standard library's parser, minus what CSV reading refuses on purpose
    /// (a leading zero keeps "007" text).
    static func reference(_ text: String) -> Int64? {
        let digits = text.drop { $0 == "-" || $0 == "+" }
        guard text.count - digits.count <= 1, !(digits.first == "0" && digits.count > 1) else { return nil }
        return Int64(text)
    }

    /// Random fields of every length from 1 to 20 bytes, mostly digits, some with a sign or a
    /// stray byte at any position (the word-at-a-time path must reject those too).
    @Test func integersMatchTheStandardLibrary() {
        var state: UInt64 = 7
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
        let strays: [Character] = ["a", "/", ":", " ", ".", "-", "\u{7F}", "e"]
        for _ in 0..<50_000 {
            let length = 1 + next(20)
            var text = String((0..<length).map { _ in Character(String(next(10))) })
            if next(4) == 0 { text = (next(2) == 0 ? "-" : "+") + text }
            if next(5) == 0 {
                var chars = Array(text)
                chars[next(chars.count)] = strays[next(strays.count)]
                text = String(chars)
            }
            #expect(Self.parse(text) == Self.reference(text), "\(text)")
        }
    }

    /// The one-word path on 1 to 8 bytes, with arbitrary bytes before the field in the word
    /// it loads: it accepts exactly what `int64` accepts without a sign, and declines the rest.
    @Test func shortIntegersMatchTheGeneralParser() {
        var state: UInt64 = 11
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
        let alphabet = Array("0123456789012345678901234567890123456789-+a/: ".utf8)
        for _ in 0..<50_000 {
            let length = 1 + next(8)
            let before = (0..<8).map { _ in UInt8(next(256)) }
            let field = (0..<length).map { _ in alphabet[next(alphabet.count)] }
            let bytes = before + field
            bytes.withUnsafeBytes { raw in
                let end = raw.baseAddress! + raw.count
                let short = FieldParsers.shortInt64(endingAt: end, count: length)
                let general = FieldParsers.int64(UnsafeRawBufferPointer(start: end - length, count: length))
                let text = String(decoding: field, as: UTF8.self)
                if let short {
                    #expect(short == general, "\(text)")
                } else {
                    // Declined: a sign, a leading zero or a non-digit, which `int64` handles.
                    #expect(field.contains { $0 < 48 || $0 > 57 } || (field[0] == 48 && length > 1), "\(text)")
                }
            }
        }
        #expect(Self.short("7") == 7)
        #expect(Self.short("12345678") == 12_345_678)
        #expect(Self.short("0") == 0)
        #expect(Self.short("07") == nil)
        #expect(Self.short("-1") == nil)
    }

    static func short(_ text: String) -> Int64? {
        let bytes = Array(repeating: UInt8(57), count: 8) + Array(text.utf8)
        return bytes.withUnsafeBytes { FieldParsers.shortInt64(endingAt: $0.baseAddress! + $0.count, count: text.utf8.count) }
    }

    @Test func integerEdges() {
        #expect(Self.parse("12345678") == 12_345_678)
        #expect(Self.parse("-99999999") == -99_999_999)
        #expect(Self.parse("1000") == 1000)
        #expect(Self.parse("0") == 0)
        #expect(Self.parse("0123") == nil)
        #expect(Self.parse("9223372036854775807") == Int64.max)
        #expect(Self.parse("-9223372036854775808") == Int64.min)
        #expect(Self.parse("9223372036854775808") == nil)
        #expect(Self.parse("12:4") == nil)
        #expect(Self.parse("1234567/") == nil)
        #expect(Self.parse("") == nil)
        #expect(Self.parse("-") == nil)
    }

    /// The one-loop path for short decimals gives exactly what the general parser gives, on
    /// random fields of every shape (signs, points, leading zeros, stray bytes, long mantissas).
    @Test func decimalsMatchTheGeneralParser() {
        var state: UInt64 = 11
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
        let alphabet: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "5", ".", "-", "+", "e", "x"]
        for _ in 0..<100_000 {
            let length = 1 + next(20)
            var text = String((0..<length).map { _ in alphabet[next(next(4) == 0 ? alphabet.count : 12)] })
            if next(3) == 0 { text = (next(2) == 0 ? "-" : "") + text }
            var a = text, b = text
            let fast = a.withUTF8 { FieldParsers.float64(UnsafeRawBufferPointer($0)) }
            let general = b.withUTF8 { FieldParsers.float64General(UnsafeRawBufferPointer($0)) }
            #expect(fast?.bitPattern == general?.bitPattern, "\(text)")
        }
        var v = "60.4671"
        #expect(v.withUTF8 { FieldParsers.float64(UnsafeRawBufferPointer($0)) } == 60.4671)
    }
}
