import Columns
import Testing
@testable import Storage

/// String bounds compare the first eight bytes as one word and fall back to `memcmp` on a
/// tie: they must agree with plain byte order on prefixes, zero bytes and long values.
@Suite struct StatisticsTests {
    @Test func stringBoundsFollowByteOrder() {
        var state: UInt64 = 3
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
        let alphabet: [Character] = ["a", "b", "\u{0}", "z", "é"]
        for _ in 0..<300 {
            let values: [String?] = (0..<(1 + next(40))).map { _ in
                next(9) == 0 ? nil : String((0..<next(20)).map { _ in alphabet[next(alphabet.count)] })
            }
            let present = values.compactMap { $0 }
            let stats = Statistics(of: .string(values))
            let sorted = present.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            #expect(stats.min == sorted.first.map { .string($0) })
            #expect(stats.max == sorted.last.map { .string($0) })
            #expect(stats.nullCount == values.count - present.count)
        }
    }

    @Test func dictionaryBytesCountEachRow() {
        let values = StringArray(["ab", "abc", ""])
        #expect(values.uniformLength == nil)
        #expect(StringArray(["id1", "id2"]).uniformLength == 3)
        #expect(values.totalBytes(ofCodes: [0, 1, 1, 2], validity: nil) == 8)
        #expect(values.totalBytes(ofCodes: [0, 1, 1, 2], validity: Bitmap([true, false, true, true])) == 5)
        #expect(StringArray(["id1", "id2"]).totalBytes(ofCodes: [0, 1, 1], validity: nil) == 9)
    }
}
