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

    /// A chunk that is written with a dictionary gets its bounds from the dictionary: the same
    /// bounds as from its rows, nulls and all-null chunks included.
    @Test func chunkBoundsFromTheDictionaryMatchTheRows() {
        var state: UInt64 = 9
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
        let pool = ["id001", "id010", "b", "", "zz", "id0000001", "é"]
        for trial in 0..<50 {
            let n = 40 + next(400)
            let nullEvery = trial % 3 == 0 ? 1 : 2 + next(10)
            let values: [String?] = (0..<n).map { _ in next(nullEvery) == 0 ? nil : pool[next(pool.count)] }
            let codes = values.map { v in Int32(v.map { pool.firstIndex(of: $0)! } ?? 0) }
            let dictionary = Column(.string, .dictionary(codes: codes, values: StringArray(pool)),
                                    validity: Bitmap(values.map { $0 != nil }))
            for column in [Column.string(values), dictionary] {
                let (_, metadata) = BatonWriter.encodeChunk(column, encoding: nil, codec: .fixed(.none))
                #expect(metadata.statistics == Statistics(of: .string(values)), "\(values)")
            }
        }
    }

    /// Int64 and Float64 chunk bounds taken from the encoder's range (frame of reference,
    /// decimal) equal the bounds computed from the rows, with nulls, all-null chunks, and
    /// floats that are not short decimals (NaN, -0.0).
    @Test func numericChunkBoundsFromTheEncoderMatchTheRows() {
        var state: UInt64 = 13
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
        for trial in 0..<60 {
            let n = 20 + next(300)
            let nullEvery = trial % 5 == 0 ? 1 : 2 + next(10)
            let ints: [Int64?] = (0..<n).map { _ in next(nullEvery) == 0 ? nil : Int64(next(2000)) - 1000 }
            let odd: [Double] = [.nan, -0.0, 1.0 / 3.0]
            let floats: [Double?] = (0..<n).map { _ in
                if next(nullEvery) == 0 { return nil }
                if trial % 4 == 1 && next(50) == 0 { return odd[next(odd.count)] }
                return Double(next(200_000) - 100_000) / 10_000
            }
            for column in [Column.int64(ints), Column.float64(floats)] {
                let (_, metadata) = BatonWriter.encodeChunk(column, encoding: nil, codec: .fixed(.none))
                #expect(metadata.statistics == Statistics(of: column), "trial \(trial)")
            }
        }
    }
}
