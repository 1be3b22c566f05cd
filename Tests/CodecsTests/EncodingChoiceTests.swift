import Testing
import Codecs
import Columns
import TestSupport

/// The automatic choice on typical data (docs/FORMAT.md, "Choosing an encoding").
@Suite struct EncodingChoiceTests {
    @Test func smallRangeIntsAreBitPacked() {
        var rng = SeededGenerator(seed: 300)
        let column = Column.int64((0..<1_000).map { _ in Int64.random(in: 1...5, using: &rng) })
        let chunk = expectRoundTrip(column, as: nil)
        #expect(chunk.encoding == .bitPacked)
        // reference (8) + width byte + 1,000 values of 3 bits.
        #expect(chunk.body.count == 9 + 375)
    }

    @Test func narrowDatesAndTimestampsAreBitPacked() {
        var rng = SeededGenerator(seed: 301)
        let dates = Column.date((0..<500).map { _ in Int32.random(in: 19_000...19_365, using: &rng) })
        #expect(expectRoundTrip(dates, as: nil).encoding == .bitPacked)
        let stamps = Column.timestamp((0..<500).map { _ in 1_700_000_000_000_000 + Int64.random(in: 0..<1_000_000, using: &rng) })
        #expect(expectRoundTrip(stamps, as: nil).encoding == .bitPacked)
    }

    @Test func constantColumnPacksToZeroBits() {
        let column = Column.int64(Array(repeating: 123_456_789, count: 1_000))
        let chunk = expectRoundTrip(column, as: nil)
        #expect(chunk.encoding == .bitPacked)
        #expect(chunk.body.count == 9)
    }

    @Test func constantRunsAreRunLength() {
        var rng = SeededGenerator(seed: 302)
        let runValues = (0..<10).map { _ in Int64(bitPattern: rng.next()) }
        let ints = Column.int64((0..<1_000).map { runValues[$0 / 100] })
        let chunk = expectRoundTrip(ints, as: nil)
        #expect(chunk.encoding == .runLength)
        #expect(chunk.body.count == 4 + 10 * (8 + 4))

        let floats = Column.float64((0..<1_000).map { Double(bitPattern: runValues[$0 / 250].magnitude >> 2) })
        #expect(expectRoundTrip(floats, as: nil).encoding == .runLength)

        let dates = Column.date((0..<1_000).map { Int32(truncatingIfNeeded: runValues[$0 / 200]) })
        #expect(expectRoundTrip(dates, as: nil).encoding == .runLength)

        let bools = Column.bool((0..<1_000).map { ($0 / 300) % 2 == 0 })
        #expect(expectRoundTrip(bools, as: nil).encoding == .runLength)
    }

    @Test func runsInterruptedOnlyByNullsStayRuns() {
        let values: [Int64?] = (0..<1_000).map { $0 % 7 == 3 ? nil : ($0 < 500 ? Int64.min : Int64.max) }
        let chunk = expectRoundTrip(Column.int64(values), as: nil)
        #expect(chunk.encoding == .runLength)
        // Validity bitmap, then two runs.
        #expect(chunk.body.count == 125 + 4 + 2 * 12)
    }

    @Test func fourDecimalFloatsAreDecimal() {
        var rng = SeededGenerator(seed: 303)
        let column = Column.float64((0..<1_000).map { _ in Double(Int.random(in: 0...999_999, using: &rng)) / 10_000 })
        #expect(expectRoundTrip(column, as: nil).encoding == .decimal)
        let prices = Column.float64([23.5749, 23.575, 23.5, 19.9999, 0.0001, nil, 100])
        #expect(expectRoundTrip(prices, as: .decimal).encoding == .decimal)
    }

    /// Two-decimal prices with one four-decimal price on a row the exponent search does not
    /// sample (it samples every 3rd of 1,000 rows). Every value is k / 10^4 exactly, so a
    /// requested `decimal` must not fall back, and the automatic choice should find it too.
    @Test func decimalExponentIsNotDecidedByTheSampleAlone() {
        var values = (0..<1_000).map { Double(1_000 + $0 % 500) / 100 }
        values[1] = 23.5749
        let column = Column.float64(values)
        #expect(expectRoundTrip(column, as: .decimal).encoding == .decimal)
        #expect(expectRoundTrip(column, as: nil).encoding == .decimal)
        // The same data with the four-decimal value on a sampled row is decimal.
        values[1] = values[2]
        values[3] = 23.5749
        #expect(expectRoundTrip(Column.float64(values), as: .decimal).encoding == .decimal)
        #expect(expectRoundTrip(Column.float64(values), as: nil).encoding == .decimal)
    }

    @Test func lowCardinalityStringsAreDictionary() {
        var rng = SeededGenerator(seed: 304)
        let keys = ["id001", "id002", "id003", "Zürich", "東京", ""]
        let column = Column.string((0..<1_000).map { _ in keys.randomElement(using: &rng)! })
        #expect(expectRoundTrip(column, as: nil).encoding == .dictionary)
    }

    @Test func lowCardinalityWideIntsAreDictionary() {
        var rng = SeededGenerator(seed: 305)
        let keys = [Int64.min, .max, 0, -1, 1 << 60, 42, -(1 << 61), 7]
        let column = Column.int64((0..<1_000).map { _ in keys.randomElement(using: &rng)! })
        #expect(expectRoundTrip(column, as: nil).encoding == .dictionary)
    }

    @Test func randomDoublesArePlain() {
        var rng = SeededGenerator(seed: 306)
        let column = Column.float64((0..<1_000).map { _ in Double.random(in: -1e6...1e6, using: &rng) })
        let chunk = expectRoundTrip(column, as: nil)
        #expect(chunk.encoding == .plain)
        #expect(chunk.body.count == 8_000)
    }

    @Test func randomWideIntsAndUniqueStringsArePlain() {
        var rng = SeededGenerator(seed: 307)
        let ints = Column.int64((0..<1_000).map { _ in Int64(bitPattern: rng.next()) })
        #expect(expectRoundTrip(ints, as: nil).encoding == .plain)
        let strings = Column.string((0..<1_000).map { _ in Gen.string(&rng, maxLength: 20) + "\(rng.next())" })
        #expect(expectRoundTrip(strings, as: nil).encoding == .plain)
        let bools = Column.bool((0..<1_000).map { _ in Bool.random(using: &rng) })
        let chunk = expectRoundTrip(bools, as: nil)
        #expect(chunk.encoding == .plain)
        #expect(chunk.body.count == 125)
    }

    @Test func emptyColumnsArePlainAndEmpty() {
        for type in DataType.allCases {
            let column = Gen.column(type, [])
            let chunk = expectRoundTrip(column, as: nil, "\(type)")
            #expect(chunk.encoding == .plain, "\(type)")
            #expect(chunk.body.isEmpty, "\(type)")
        }
    }

    @Test func specialFloatsRoundTripExactly() {
        let specials: [Double] = [
            -0.0, 0.0, .nan, -.nan, Double(bitPattern: 0x7FF0_0000_0000_0001), Double(bitPattern: 0x7FF8_0000_DEAD_BEEF),
            Double(bitPattern: 0xFFF4_0000_0000_0000), .infinity, -.infinity, .leastNonzeroMagnitude,
            -.leastNonzeroMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNormalMagnitude, .ulpOfOne,
        ]
        for encoding in [Encoding?.none, .plain, .dictionary, .runLength, .decimal] {
            let column = Column.float64(specials + [nil] + specials.reversed())
            expectRoundTrip(column, as: encoding, "\(String(describing: encoding))")
            for special in specials {
                // Alone, and hidden among short decimals that would otherwise pick `decimal`.
                expectRoundTrip(Column.float64([special]), as: encoding, "\(special.bitPattern)")
                let mixed = Column.float64((0..<100).map { $0 == 50 ? special : Double($0) / 4 })
                let chunk = expectRoundTrip(mixed, as: encoding, "\(special.bitPattern) among decimals")
                if !special.isFinite || special.bitPattern == (-0.0).bitPattern {
                    #expect(chunk.encoding != .decimal, "\(special.bitPattern)")
                }
            }
        }
    }

    @Test func negativeZeroRunsAreNotMergedWithZero() {
        let column = Column.float64(Array(repeating: 0.0, count: 50) + Array(repeating: -0.0, count: 50))
        for encoding in [Encoding?.none, .runLength, .dictionary] {
            let chunk = expectRoundTrip(column, as: encoding)
            if encoding == nil { #expect(chunk.encoding == .runLength) }
        }
    }
}
