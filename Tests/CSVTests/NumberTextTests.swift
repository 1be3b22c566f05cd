import Columns
import Testing

@testable import CSV
import TestSupport

/// The writer's own number formatting must print exactly what Swift's `description` prints
/// (the text Baton has always written), on the values results are made of: sums of decimals,
/// averages, whole numbers, values near powers of ten, and arbitrary bit patterns.
@Suite struct NumberTextTests {
    static func written(_ v: Double) -> String {
        var bytes: [UInt8] = []
        var sink = TextSink(flushThreshold: 1) { bytes += $0 }
        sink.double(v)
        try! sink.flushNow()
        return String(decoding: bytes, as: UTF8.self)
    }

    static func expected(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        return v.description
    }

    @Test func chosenValuesMatchDescription() {
        let values: [Double] = [
            0, -0.0, 1, -1, 0.5, 0.1, 0.2, 0.1 + 0.2, 1.0 / 3, 2.0 / 3, 123.456, -123.456, 0.0001, 0.00012345,
            0.00009999, 1e-5, 1e14, 1e15, 1e15 - 0.5, 999_999_999_999_999.9, 123_456_789_012_345.6, 99_999_999_999_999.98,
            12_345_678_901_234.5, 9_007_199_254_740_992, 1e16, 1e300, 5e-324, .greatestFiniteMagnitude, .nan, .infinity,
            -.infinity, 85.721987, 0.30000000000000004, 4.35, 2.675, 1.005, 100.25, 1e-4, 9.9999999999999e-5,
        ]
        for v in values { #expect(Self.written(v) == Self.expected(v), "\(v.bitPattern)") }
    }

    @Test func sumsOfDecimalsMatchDescription() {
        var random = SeededGenerator(seed: 7)
        for _ in 0..<20_000 {
            // db-benchmark's v3 (six decimals), summed a few times: the usual aggregate result.
            var sum = 0.0
            for _ in 0..<Int.random(in: 1...40, using: &random) { sum += Double(Int.random(in: 0...100_000_000, using: &random)) / 1e6 }
            #expect(Self.written(sum) == Self.expected(sum), "\(sum.bitPattern)")
            let mean = sum / Double(Int.random(in: 1...9, using: &random))
            #expect(Self.written(-mean) == Self.expected(-mean), "\(mean.bitPattern)")
        }
    }

    @Test func decimalsOfEveryScaleMatchDescription() {
        var random = SeededGenerator(seed: 11)
        for _ in 0..<20_000 {
            let digits = Int64.random(in: 1...999_999_999_999_999, using: &random)
            let scale = Int.random(in: -20...18, using: &random)
            var v = Double(digits)
            if scale > 0 { for _ in 0..<scale { v /= 10 } } else { for _ in 0..<(-scale) { v *= 10 } }
            #expect(Self.written(v) == Self.expected(v), "\(v.bitPattern)")
        }
    }

    @Test func arbitraryBitPatternsMatchDescription() {
        var random = SeededGenerator(seed: 13)
        for _ in 0..<20_000 {
            let v = Double(bitPattern: random.next())
            #expect(Self.written(v) == Self.expected(v), "\(v.bitPattern)")
            // Also bit patterns in the range the fast path covers.
            let near = Double(sign: .plus, exponent: Int.random(in: -14...49, using: &random),
                              significand: 1 + Double(random.next() >> 12) / Double(1 << 52))
            #expect(Self.written(near) == Self.expected(near), "\(near.bitPattern)")
        }
    }

    @Test func integersMatchTheirDecimalText() {
        var random = SeededGenerator(seed: 17)
        var values: [Int64] = [0, 1, -1, 9, 10, 99, 100, .max, .min, .max - 1, .min + 1]
        for _ in 0..<5000 { values.append(Int64(bitPattern: random.next()) >> UInt64.random(in: 0...63, using: &random)) }
        for v in values {
            var bytes: [UInt8] = []
            var sink = TextSink(flushThreshold: 1) { bytes += $0 }
            sink.integer(v)
            try! sink.flushNow()
            #expect(String(decoding: bytes, as: UTF8.self) == String(v))
        }
    }
}
