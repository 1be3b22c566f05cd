import Columns

/// How a string key becomes two key words.
///
/// A string of at most 15 bytes is stored inline: its bytes, zero-padded, in 15 bytes of the
/// two words and its length in the top byte. A longer one is interned in the table's pool and
/// stored as `(pool id, 0xFF << 56)`; the top byte tells the two apart (no short length is
/// 255), so each string has exactly one form and keys compare word by word.
///
/// Inline keys need no pool probe when rows are encoded, nor when groups move between tables
/// (partials merging), and most keys — codes, ids, names — are that short. The hash of a
/// string is taken from its content in either form, so equal strings hash equally in every
/// table and in `contentHashes`.
enum StringKey {
    static let longMarker: UInt64 = 0xFF << 56
    static let maxInline = 15

    /// The inline words of `length` (≤ 15) bytes at `p`, read without touching a byte past them.
    @inline(__always)
    static func inline(_ p: UnsafeRawPointer, _ length: Int) -> (UInt64, UInt64) {
        let top = UInt64(truncatingIfNeeded: length) << 56
        if length >= 8 {
            let w0 = p.loadUnaligned(as: UInt64.self)
            if length == 8 { return (w0, top) }
            // The last 8 bytes hold bytes 8 ..< length at their top.
            let last = p.loadUnaligned(fromByteOffset: length &- 8, as: UInt64.self)
            return (w0, last >> UInt64(truncatingIfNeeded: (16 &- length) &* 8) | top)
        }
        if length >= 4 {
            let lo = UInt64(p.loadUnaligned(as: UInt32.self))
            let hi = UInt64(p.loadUnaligned(fromByteOffset: length &- 4, as: UInt32.self))
            return (lo | hi << UInt64(truncatingIfNeeded: (length &- 4) &* 8), top)
        }
        var w0: UInt64 = 0
        for k in 0..<length { w0 |= UInt64(p.load(fromByteOffset: k, as: UInt8.self)) << UInt64(k &* 8) }
        return (w0, top)
    }

    /// The content hash of an inline string, from its words.
    @inline(__always)
    static func hash(_ w0: UInt64, _ w1: UInt64) -> UInt64 {
        GroupTable.finish(GroupTable.mix(w0 ^ 0x2545_F491_4F6C_DD1D) ^ w1)
    }

    /// The content hash of any string, as `encode` computes it.
    @inline(__always)
    static func hash(_ p: UnsafeRawPointer, _ length: Int) -> UInt64 {
        if length <= maxInline {
            let (w0, w1) = inline(p, length)
            return hash(w0, w1)
        }
        return ByteHashTable.hash(UnsafeRawBufferPointer(start: p, count: length))
    }

    /// Whether the words are a long string's (a pool id), not inline bytes.
    @inline(__always)
    static func isLong(_ w1: UInt64) -> Bool { w1 == longMarker }

    /// Appends the bytes of an inline string to `bytes`.
    @inline(__always)
    static func appendInline(_ w0: UInt64, _ w1: UInt64, to bytes: inout [UInt8]) {
        let length = Int(w1 >> 56)
        withUnsafeBytes(of: (w0, w1)) { raw in bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[0..<length])) }
    }
}
