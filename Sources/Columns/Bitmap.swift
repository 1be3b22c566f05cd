/// A fixed-length sequence of bits in 64-bit words, least significant bit first.
///
/// Used for validity (bit set = value present) and for Bool values. Bits past `count` in the
/// last word are always zero, so two bitmaps with equal bits compare equal and `setCount` needs
/// no masking. Serialised little-endian, bit `i` is bit `i % 8` of byte `i / 8`: the same layout
/// as Arrow's validity buffers.
public struct Bitmap: Sendable, Equatable {
    public private(set) var words: [UInt64]
    public let count: Int

    public init(repeating value: Bool, count: Int) {
        precondition(count >= 0)
        self.count = count
        words = [UInt64](repeating: value ? ~0 : 0, count: (count + 63) >> 6)
        if value { clearTail() }
    }

    /// - Precondition: `words.count == (count + 63) / 64`.
    public init(words: [UInt64], count: Int) {
        precondition(words.count == (count + 63) >> 6, "bitmap word count does not match bit count")
        self.words = words
        self.count = count
        clearTail()
    }

    /// One bit per element of `bools`, a word at a time.
    public init(_ bools: [Bool]) {
        let n = bools.count
        let wordCount = (n + 63) >> 6
        words = bools.withUnsafeBufferPointer { src in
            src.withMemoryRebound(to: UInt8.self) { bytes in
                [UInt64](unsafeUninitializedCapacity: wordCount) { out, initialized in
                    for w in 0..<wordCount {
                        var word: UInt64 = 0
                        let base = w << 6
                        let limit = min(64, n - base)
                        for b in 0..<limit { word |= UInt64(bytes[base &+ b] & 1) << UInt64(b) }
                        out[w] = word
                    }
                    initialized = wordCount
                }
            }
        }
        count = n
    }

    public init<S: Sequence>(_ bits: S) where S.Element == Bool {
        var words: [UInt64] = []
        var count = 0
        var word: UInt64 = 0
        for bit in bits {
            if bit { word |= 1 << UInt64(count & 63) }
            count += 1
            if count & 63 == 0 {
                words.append(word)
                word = 0
            }
        }
        if count & 63 != 0 { words.append(word) }
        self.words = words
        self.count = count
    }

    /// Reads `count` bits from little-endian bytes laid out as in the file format.
    /// - Precondition: `bytes.count >= (count + 7) / 8`.
    public init(bytes: UnsafeRawBufferPointer, count: Int) {
        precondition(bytes.count >= (count + 7) >> 3)
        let wordCount = (count + 63) >> 6
        let byteCount = (count + 7) >> 3
        words = [UInt64](unsafeUninitializedCapacity: wordCount) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            raw.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<byteCount]))
            for i in 0..<wordCount { buffer[i] = UInt64(littleEndian: buffer[i]) }
            initialized = wordCount
        }
        self.count = count
        clearTail()
    }

    public subscript(index: Int) -> Bool {
        get {
            precondition(index >= 0 && index < count, "bit index out of range")
            return words[index >> 6] & (1 << UInt64(index & 63)) != 0
        }
        set {
            precondition(index >= 0 && index < count, "bit index out of range")
            let mask: UInt64 = 1 << UInt64(index & 63)
            if newValue { words[index >> 6] |= mask } else { words[index >> 6] &= ~mask }
        }
    }

    /// The number of set bits.
    public var setCount: Int {
        var total = 0
        for word in words { total &+= word.nonzeroBitCount }
        return total
    }

    /// The bytes of the serialised form: `(count + 7) / 8` of them.
    public var bytes: [UInt8] {
        let byteCount = (count + 7) >> 3
        var result = [UInt8](repeating: 0, count: byteCount)
        for i in 0..<byteCount {
            result[i] = UInt8(truncatingIfNeeded: words[i >> 3] >> UInt64((i & 7) * 8))
        }
        return result
    }

    /// Bits `range` as a new bitmap.
    /// - Complexity: O(range.count / 64).
    public func slice(_ range: Range<Int>) -> Bitmap {
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        let n = range.count
        let shift = UInt64(range.lowerBound & 63)
        let first = range.lowerBound >> 6
        var result = [UInt64](repeating: 0, count: (n + 63) >> 6)
        words.withUnsafeBufferPointer { src in
            for i in 0..<result.count {
                var word = src[first + i] >> shift
                if shift != 0, first + i + 1 < src.count { word |= src[first + i + 1] << (64 - shift) }
                result[i] = word
            }
        }
        return Bitmap(words: result, count: n)
    }

    /// Appends the bits of `other`.
    public mutating func append(contentsOf other: Bitmap) {
        let shift = UInt64(count & 63)
        if shift == 0 {
            words.append(contentsOf: other.words)
        } else {
            for word in other.words {
                words[words.count - 1] |= word << shift
                words.append(word >> (64 - shift))
            }
        }
        let total = count + other.count
        words.removeLast(words.count - ((total + 63) >> 6))
        self = Bitmap(words: words, count: total)
    }

    /// Bit `i` of the result is bit `indices[i]` of this bitmap.
    public func gather(_ indices: UnsafeBufferPointer<UInt32>) -> Bitmap {
        var result = [UInt64](repeating: 0, count: (indices.count + 63) >> 6)
        words.withUnsafeBufferPointer { src in
            result.withUnsafeMutableBufferPointer { dst in
                for (i, index) in indices.enumerated() {
                    let bit = (src[Int(index) >> 6] >> UInt64(index & 63)) & 1
                    dst[i >> 6] |= bit << UInt64(i & 63)
                }
            }
        }
        return Bitmap(words: result, count: indices.count)
    }

    private mutating func clearTail() {
        let rest = count & 63
        if rest != 0 { words[words.count - 1] &= (1 << UInt64(rest)) - 1 }
    }
}
