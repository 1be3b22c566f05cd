import Testing
import Codecs
import TestSupport

@Suite struct BitPackingTests {
    static let counts = [0, 1, 2, 7, 8, 9, 63, 64, 65, 200]

    static func mask(_ width: Int) -> UInt64 { width == 64 ? ~0 : (1 << UInt64(width)) - 1 }

    static func pack(_ values: [UInt64], width: Int) -> [UInt8] {
        var out = ByteWriter()
        values.withUnsafeBufferPointer { BitPacking.pack($0, width: width, into: &out) }
        return out.bytes
    }

    /// The layout bit by bit: bit j of value i is stream bit i*w + j, LSB first in each byte.
    static func naivePack(_ values: [UInt64], width: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: (values.count * width + 7) / 8)
        for (i, value) in values.enumerated() {
            for j in 0..<width where value >> UInt64(j) & 1 == 1 {
                let bit = i * width + j
                bytes[bit / 8] |= 1 << UInt8(bit % 8)
            }
        }
        return bytes
    }

    static func unpack(_ packed: [UInt8], width: Int, first: Int = 0, count: Int) -> [UInt64] {
        var out = [UInt64](repeating: .max, count: count)
        let slack = packed + [UInt8](repeating: 0, count: 8)
        slack.withUnsafeBytes { raw in
            BitPacking.unpack(raw, width: width, first: first, count: count) { i, v in out[i] = v }
        }
        return out
    }

    @Test func widthOf() {
        #expect(BitPacking.width(of: 0) == 0)
        #expect(BitPacking.width(of: 1) == 1)
        #expect(BitPacking.width(of: 2) == 2)
        #expect(BitPacking.width(of: 255) == 8)
        #expect(BitPacking.width(of: 256) == 9)
        #expect(BitPacking.width(of: 1 << 55) == 56)
        #expect(BitPacking.width(of: .max) == 64)
        #expect(BitPacking.maxWidth == 56)
    }

    @Test func byteCount() {
        #expect(BitPacking.byteCount(count: 0, width: 13) == 0)
        #expect(BitPacking.byteCount(count: 13, width: 0) == 0)
        #expect(BitPacking.byteCount(count: 1, width: 1) == 1)
        #expect(BitPacking.byteCount(count: 8, width: 1) == 1)
        #expect(BitPacking.byteCount(count: 9, width: 1) == 2)
        #expect(BitPacking.byteCount(count: 3, width: 56) == 21)
        #expect(BitPacking.byteCount(count: 1_000, width: 3) == 375)
    }

    @Test(arguments: 0...BitPacking.maxWidth)
    func packUnpackRoundTrip(width: Int) {
        var rng = SeededGenerator(seed: 400 + UInt64(width))
        for count in Self.counts {
            var values = (0..<count).map { _ in rng.next() & Self.mask(width) }
            // Include the extremes of the width.
            if count >= 2 { values[0] = Self.mask(width); values[count - 1] = 0 }
            let packed = Self.pack(values, width: width)
            #expect(packed.count == BitPacking.byteCount(count: count, width: width), "width \(width), count \(count)")
            #expect(packed == Self.naivePack(values, width: width), "width \(width), count \(count)")
            #expect(Self.unpack(packed, width: width, count: count) == values, "width \(width), count \(count)")
        }
    }

    @Test(arguments: [1, 3, 7, 8, 13, 31, 32, 33, 48, 55, 56])
    func unpackFromAnOffset(width: Int) {
        var rng = SeededGenerator(seed: 500 + UInt64(width))
        let values = (0..<150).map { _ in rng.next() & Self.mask(width) }
        let packed = Self.pack(values, width: width)
        for first in [0, 1, 7, 8, 63, 64, 100, 149, 150] {
            for count in [0, 1, 5] where first + count <= values.count {
                #expect(Self.unpack(packed, width: width, first: first, count: count) == Array(values[first..<first + count]),
                        "first \(first), count \(count)")
            }
        }
    }

    @Test func unpackStopsAtTheLastValueNeedingOnlyEightBytesOfSlack() {
        // The last value starts at the last byte; its 64-bit load reads exactly the 8 slack bytes
        // (or fewer). The slack is zero so nothing leaks into the value.
        for width in [1, 9, 56] {
            let values = (0..<17).map { UInt64($0) & Self.mask(width) }
            let packed = Self.pack(values, width: width)
            let buffer = packed + [UInt8](repeating: 0, count: 8)
            var out: [UInt64] = []
            buffer.withUnsafeBytes { raw in
                BitPacking.unpack(raw, width: width, count: values.count) { _, v in out.append(v) }
            }
            #expect(out == values)
        }
    }

    @Test func widthZeroYieldsZeros() {
        #expect(Self.pack([0, 0, 0], width: 0).isEmpty)
        #expect(Self.unpack([], width: 0, count: 5) == [0, 0, 0, 0, 0])
        var calls: [Int] = []
        BitPacking.unpack(UnsafeRawBufferPointer(start: nil, count: 0), width: 7, count: 3) { i, v in
            #expect(v == 0)
            calls.append(i)
        }
        #expect(calls == [0, 1, 2])
    }

    @Test(arguments: 57...64)
    func packBeyondUnpackLimitStillMatchesLayout(width: Int) {
        var rng = SeededGenerator(seed: 600 + UInt64(width))
        for count in Self.counts {
            let values = (0..<count).map { _ in rng.next() & Self.mask(width) }
            #expect(Self.pack(values, width: width) == Self.naivePack(values, width: width), "count \(count)")
        }
    }

    @Test func packAppendsAfterExistingBytes() {
        var out = ByteWriter()
        out.u8(0xAA)
        [UInt64]([1, 2, 3]).withUnsafeBufferPointer { BitPacking.pack($0, width: 2, into: &out) }
        #expect(out.bytes == [0xAA, 0b0011_1001])
    }
}
