/// Fixed-width bit packing: value `i` occupies bits `[i*w, (i+1)*w)` of the little-endian
/// byte stream, least significant bit first (the layout docs/FORMAT.md specifies).
public enum BitPacking {
    /// The widest packing the unpacker supports: one unaligned 64-bit load must cover a value
    /// starting at any bit of its first byte.
    public static let maxWidth = 56

    /// The bits needed to represent `value` (0 for 0).
    @inlinable
    public static func width(of value: UInt64) -> Int { 64 - value.leadingZeroBitCount }

    /// The bytes `count` values of `width` bits occupy.
    @inlinable
    public static func byteCount(count: Int, width: Int) -> Int { (count * width + 7) >> 3 }

    /// Packs `values`, each `< 1 << width`, appending `byteCount(count:width:)` bytes.
    public static func pack(_ values: UnsafeBufferPointer<UInt64>, width: Int, into out: inout ByteWriter) {
        pack(count: values.count, width: width, into: &out) { values[$0] }
    }

    /// Packs `value(i)` for `i` in `0..<count`, each `< 1 << width`: the transform (subtracting
    /// a reference, scaling a decimal) is fused into the packing loop, with no array between.
    @inline(__always)
    public static func pack(count: Int, width: Int, into out: inout ByteWriter, _ value: (Int) -> UInt64) {
        precondition(width >= 0 && width <= 64)
        guard width > 0, count > 0 else { return }
        let wordCount = (count * width + 63) >> 6
        var words = [UInt64](repeating: 0, count: wordCount + 1)
        words.withUnsafeMutableBufferPointer { w in
            // Accumulate into a register and store each word once it is full.
            var accumulator: UInt64 = 0
            var used = 0
            var index = 0
            for i in 0..<count {
                let v = value(i)
                accumulator |= v << UInt64(used)
                used &+= width
                if used >= 64 {
                    w[index] = accumulator.littleEndian
                    index &+= 1
                    used &-= 64
                    accumulator = used == 0 ? 0 : v >> UInt64(width &- used)
                }
            }
            if used > 0 { w[index] = accumulator.littleEndian }
        }
        words.withUnsafeBytes { out.append(UnsafeRawBufferPointer(rebasing: $0[0..<byteCount(count: count, width: width)])) }
    }

    /// Unpacks `count` values of `width` bits starting at value `first`, calling `sink(i, v)`
    /// for output position `i` in `0..<count`.
    ///
    /// - Precondition: `packed` holds the packed values and at least 8 readable bytes past the
    ///   last value's first byte (decompressed buffers carry that slack), `width <= maxWidth`.
    @inlinable
    public static func unpack(_ packed: UnsafeRawBufferPointer, width: Int, first: Int = 0, count: Int,
                              _ sink: (Int, UInt64) -> Void) {
        guard width > 0, count > 0, let base = packed.baseAddress else {
            for i in 0..<count { sink(i, 0) }
            return
        }
        let mask: UInt64 = (1 << UInt64(width)) &- 1
        var bit = first &* width
        for i in 0..<count {
            let word = base.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self)
            sink(i, (UInt64(littleEndian: word) >> UInt64(bit & 7)) & mask)
            bit &+= width
        }
    }
}
