import Columns

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a chunk's footer entry says about its values, for pruning and `baton inspect`.
///
/// `min` is a lower bound and `max` an upper bound of the non-null values. They are exact
/// unless `minExact` / `maxExact` is false, which happens only for strings longer than
/// `Statistics.maxStringBytes` (stored truncated, the maximum rounded up).
public struct Statistics: Sendable, Equatable {
    public var nullCount: Int
    public var min: Value?
    public var max: Value?
    public var minExact: Bool
    public var maxExact: Bool

    public static let maxStringBytes = 64

    public init(nullCount: Int, min: Value?, max: Value?, minExact: Bool = true, maxExact: Bool = true) {
        self.nullCount = nullCount
        self.min = min
        self.max = max
        self.minExact = minExact
        self.maxExact = maxExact
    }

    /// Computes the statistics of a column. Floats holding NaN get no min or max: NaN sorts
    /// above every number in SQL, so no bound short of "anything" would be true.
    /// `distinctStrings`, if given, are a String column's distinct valid values (its chunk
    /// dictionary): the bounds are then found among them rather than among all rows.
    /// `integerRange` / `floatRange`, if given, are an Int64 / Float64 column's least and
    /// greatest valid value, as the encoder found them.
    public init(of column: Column, distinctStrings: StringArray? = nil, integerRange: (Int64, Int64)? = nil,
                floatRange: (Double, Double)? = nil) {
        nullCount = column.nullCount
        minExact = true
        maxExact = true
        min = nil
        max = nil
        let valid = column.validity
        func isValid(_ i: Int) -> Bool { valid.map { $0[i] } ?? true }
        if let distinctStrings {
            setStringBounds(distinctStrings, indices: 0..<distinctStrings.count)
            return
        }
        if let (lo, hi) = integerRange, case .int64 = column.storage {
            (min, max) = column.type == .timestamp ? (.timestamp(lo), .timestamp(hi)) : (.int64(lo), .int64(hi))
            return
        }
        if let (lo, hi) = floatRange, case .float64 = column.storage {
            (min, max) = (.float64(lo), .float64(hi))
            return
        }
        switch column.storage {
        case .int64(let v):
            if let (lo, hi) = Self.range(v, valid) {
                (min, max) = column.type == .timestamp ? (.timestamp(lo), .timestamp(hi)) : (.int64(lo), .int64(hi))
            }
        case .int32(let v):
            if let (lo, hi) = Self.range(v, valid) { (min, max) = (.date(lo), .date(hi)) }
        case .float64(let v):
            if !Self.containsNaN(v, valid), let (lo, hi) = Self.range(v, valid) {
                (min, max) = (.float64(lo), .float64(hi))
            }
        case .bool(let bits):
            var seen = (false, false)
            for i in 0..<bits.count where isValid(i) {
                if bits[i] { seen.1 = true } else { seen.0 = true }
            }
            if seen.0 || seen.1 { (min, max) = (.bool(!seen.0), .bool(seen.1)) }
        case .string(let strings):
            if let valid {
                setStringBounds(strings, indices: (0..<strings.count).lazy.filter { valid[$0] })
            } else {
                setStringBounds(strings, indices: 0..<strings.count)
            }
        case .dictionary(let codes, let values):
            var used = [Bool](repeating: false, count: values.count)
            used.withUnsafeMutableBufferPointer { used in
                codes.withUnsafeBufferPointer { codes in
                    if let valid {
                        for i in 0..<codes.count where valid[i] { used[Int(codes[i])] = true }
                    } else {
                        for code in codes { used[Int(code)] = true }
                    }
                }
            }
            setStringBounds(values, indices: used.indices.lazy.filter { used[$0] })
        }
    }

    /// Whether a valid value is NaN: one branch-free pass over the buffer (it vectorises).
    private static func containsNaN(_ v: [Double], _ valid: Bitmap?) -> Bool {
        v.withUnsafeBufferPointer { buffer in
            var any = false
            for x in buffer { any = any || x != x }
            guard any, let valid else { return any }
            return buffer.indices.contains { valid[$0] && buffer[$0].isNaN }
        }
    }

    /// Min and max of the valid values: a plain loop over the buffer when nothing is null
    /// (it vectorises), a masked one otherwise.
    private static func range<T: Comparable>(_ v: [T], _ valid: Bitmap?) -> (T, T)? {
        v.withUnsafeBufferPointer { buffer -> (T, T)? in
            guard let valid else {
                guard var lo = buffer.first else { return nil }
                var hi = lo
                for x in buffer {
                    lo = Swift.min(lo, x)
                    hi = Swift.max(hi, x)
                }
                return (lo, hi)
            }
            var result: (T, T)?
            valid.words.withUnsafeBufferPointer { words in
                for i in 0..<buffer.count where words[i >> 6] & (1 << UInt64(i & 63)) != 0 {
                    let x = buffer[i]
                    if let (lo, hi) = result { result = (Swift.min(lo, x), Swift.max(hi, x)) } else { result = (x, x) }
                }
            }
            return result
        }
    }

    /// The longest prefix of at most `maxStringBytes` bytes that ends on a character boundary.
    private static func prefix(_ utf8: [UInt8]) -> [UInt8] {
        var end = maxStringBytes
        while end > 0 && utf8[end] & 0xC0 == 0x80 { end -= 1 }
        return Array(utf8[..<end])
    }

    private mutating func setStringBounds<Indices: Sequence<Int>>(_ strings: StringArray, indices: Indices) {
        var iterator = indices.makeIterator()
        guard let first = iterator.next() else { return }
        var lo = first, hi = first
        strings.bytes.withUnsafeBytes { raw in
            strings.offsets.withUnsafeBufferPointer { offsets in
                let base = raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
                let end = raw.count
                /// The first 8 bytes at `start` (zero-padded past the value) in an order in which
                /// integers compare as the bytes do: most values differ there, and then no
                /// `memcmp` is needed.
                @inline(__always) func head(_ start: Int, _ count: Int) -> UInt64 {
                    if count >= 8 { return UInt64(bigEndian: (base + start).loadUnaligned(as: UInt64.self)) }
                    var word: UInt64 = 0
                    if start &+ 8 <= end {
                        word = UInt64(bigEndian: (base + start).loadUnaligned(as: UInt64.self))
                        word = count == 0 ? 0 : word & ~(UInt64.max &>> UInt64(count &* 8))
                    } else {
                        for k in 0..<count { word |= UInt64((base + start + k).load(as: UInt8.self)) << UInt64(56 &- 8 &* k) }
                    }
                    return word
                }
                /// memcmp order, shorter first on a common prefix: UTF-8 byte order.
                @inline(__always) func less(_ a: Int, _ b: Int) -> Bool {
                    let aStart = Int(offsets[a]), aCount = Int(offsets[a + 1]) - aStart
                    let bStart = Int(offsets[b]), bCount = Int(offsets[b + 1]) - bStart
                    let ha = head(aStart, aCount), hb = head(bStart, bCount)
                    if ha != hb { return ha < hb }
                    let c = memcmp(base + aStart, base + bStart, Swift.min(aCount, bCount))
                    return c < 0 || (c == 0 && aCount < bCount)
                }
                while let i = iterator.next() {
                    if less(i, lo) { lo = i }
                    if less(hi, i) { hi = i }
                }
            }
        }
        let low = Array(strings[lo].utf8), high = Array(strings[hi].utf8)
        if low.count <= Self.maxStringBytes {
            min = .string(strings[lo])
        } else {
            // A prefix never sorts after the string it was cut from.
            min = .string(String(decoding: Self.prefix(low), as: UTF8.self))
            minExact = false
        }
        if high.count <= Self.maxStringBytes {
            max = .string(strings[hi])
        } else {
            // Round the prefix up by incrementing its last byte; that stays valid UTF-8 only for
            // ASCII below DEL, and otherwise no upper bound is recorded.
            var prefix = Self.prefix(high)
            maxExact = false
            if let last = prefix.last, last < 0x7E {
                prefix[prefix.count - 1] = last + 1
                max = .string(String(decoding: prefix, as: UTF8.self))
            } else {
                max = nil
            }
        }
    }
}
