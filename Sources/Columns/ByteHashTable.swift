import CShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Interns byte strings to dense codes `0, 1, 2, …` in order of first appearance.
///
/// Open addressing with linear probing over a power-of-two table of slots that each pack a
/// hash's high 32 bits with a code (one load decides most probes); the
/// bytes live once, back to back, in a buffer the table owns, and are compared with `memcmp`.
/// All storage is manually managed so that the probe loop touches no reference counts. Used to
/// dictionary-encode strings that arrive unencoded (CSV fields) and to merge the dictionaries
/// of columns being concatenated. A reference type: not to be shared across threads.
public final class ByteHashTable {
    private var bytes: UnsafeMutableRawPointer
    private var byteCapacity: Int
    private var byteCount = 0
    private var offsets: UnsafeMutablePointer<Int32>
    private var offsetCapacity: Int
    /// 0 for empty, else `tag << 32 | (code + 1)` with `tag` the hash's high 32 bits.
    private var slots: UnsafeMutablePointer<UInt64>
    /// Each code's full hash, for growing the slot table without rehashing bytes.
    private var codeHashes: UnsafeMutablePointer<UInt64>
    private var mask: Int
    public private(set) var count = 0
    /// Interning stops adding values past this many distinct ones.
    public let limit: Int

    public init(limit: Int, capacity: Int = 1 << 10) {
        self.limit = limit
        var size = 1 << 4
        while size < capacity * 2 { size <<= 1 }
        mask = size - 1
        slots = .allocate(capacity: size)
        slots.initialize(repeating: 0, count: size)
        byteCapacity = max(64, capacity * 16)
        bytes = .allocate(byteCount: byteCapacity, alignment: 8)
        offsetCapacity = max(16, capacity + 1)
        offsets = .allocate(capacity: offsetCapacity)
        offsets[0] = 0
        codeHashes = .allocate(capacity: offsetCapacity)
    }

    deinit {
        bytes.deallocate()
        offsets.deallocate()
        slots.deallocate()
        codeHashes.deallocate()
    }

    /// The interned values, in code order.
    public var values: StringArray {
        StringArray(offsets: Array(UnsafeBufferPointer(start: offsets, count: count + 1)),
                    bytes: Array(UnsafeRawBufferPointer(start: bytes, count: byteCount)))
    }

    /// The code of `value`, adding it if new; nil once `limit` distinct values are held.
    @inline(__always)
    public func intern(_ value: UnsafeRawBufferPointer) -> Int32? {
        intern(value, hash: Self.hash(value))
    }

    /// `intern` with the value's `hash(_:)` already known (moving values between tables).
    @inline(__always)
    public func intern(_ value: UnsafeRawBufferPointer, hash: UInt64) -> Int32? {
        let length = value.count
        let tag = hash >> 32
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[i]
            if slot == 0 { break }
            if slot >> 32 == tag {
                let code = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
                let start = Int(offsets[code])
                if Int(offsets[code + 1]) - start == length
                    && Self.equal(UnsafeRawPointer(bytes + start), value.baseAddress, length) {
                    return Int32(truncatingIfNeeded: code)
                }
            }
            i = (i + 1) & mask
        }
        guard count < limit else { return nil }
        let code = Int32(count)
        append(value)
        codeHashes[Int(code)] = hash
        slots[i] = tag << 32 | UInt64(code + 1)
        if count * 2 > mask + 1 { grow() }
        return code
    }

    /// Asks the cache for the slot an `intern` of a value with `hash` probes first: callers
    /// that know the hashes of rows ahead overlap the misses of a table larger than the cache.
    @inline(__always)
    public func prefetch(hash: UInt64) {
        baton_prefetch(slots + (Int(truncatingIfNeeded: hash) & mask))
    }

    /// Interns every valid value of `strings`, writing each row's code (0 for nulls) to
    /// `codes`; false once `limit` distinct values are held (then `codes` is incomplete).
    ///
    /// A table of 10^5 values outgrows the core's caches, so one probe at a time waits on
    /// memory: hashing 16 rows ahead and prefetching their slots overlaps those misses
    /// (twice as fast for chunk dictionaries of that size).
    public func internAll(_ strings: StringArray, validity: Bitmap?, into codes: UnsafeMutableBufferPointer<UInt64>) -> Bool {
        let n = strings.count
        precondition(codes.count >= n)
        let ahead = 16
        return strings.offsets.withUnsafeBufferPointer { offsets in
            strings.bytes.withUnsafeBytes { raw in
                let base = raw.baseAddress
                @inline(__always) func value(_ i: Int) -> UnsafeRawBufferPointer {
                    let start = Int(offsets[i])
                    return UnsafeRawBufferPointer(start: base.map { $0 + start }, count: Int(offsets[i &+ 1]) &- start)
                }
                var ring = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
                            UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
                return withUnsafeMutableBytes(of: &ring) { ringBytes in
                    let hashes = ringBytes.baseAddress!.assumingMemoryBound(to: UInt64.self)
                    for i in 0..<min(ahead, n) {
                        let h = Self.hash(value(i))
                        hashes[i] = h
                        baton_prefetch(slots + (Int(truncatingIfNeeded: h) & mask))
                    }
                    for i in 0..<n {
                        let h = hashes[i & (ahead - 1)]
                        let next = i &+ ahead
                        if next < n {
                            let h2 = Self.hash(value(next))
                            hashes[next & (ahead - 1)] = h2
                            baton_prefetch(slots + (Int(truncatingIfNeeded: h2) & mask))
                        }
                        if let validity, !validity[i] { codes[i] = 0; continue }
                        guard let code = intern(value(i), hash: h) else { return false }
                        codes[i] = UInt64(UInt32(bitPattern: code))
                    }
                    return true
                }
            }
        }
    }

    /// The code of `value` if it was interned, without adding it.
    @inline(__always)
    public func find(_ value: UnsafeRawBufferPointer) -> Int32? {
        let hash = Self.hash(value)
        let tag = hash >> 32
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[i]
            if slot == 0 { return nil }
            if slot >> 32 == tag {
                let code = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
                let start = Int(offsets[code])
                if Int(offsets[code + 1]) - start == value.count
                    && Self.equal(UnsafeRawPointer(bytes + start), value.baseAddress, value.count) {
                    return Int32(truncatingIfNeeded: code)
                }
            }
            i = (i + 1) & mask
        }
    }

    /// The bytes of the value with `code`, valid until the next `intern`.
    @inline(__always)
    public func bytes(of code: Int32) -> UnsafeRawBufferPointer {
        let start = Int(offsets[Int(code)])
        return UnsafeRawBufferPointer(start: bytes + start, count: Int(offsets[Int(code) + 1]) - start)
    }

    private func append(_ value: UnsafeRawBufferPointer) {
        if byteCount + value.count > byteCapacity {
            var capacity = byteCapacity * 2
            while capacity < byteCount + value.count { capacity *= 2 }
            let grown = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
            grown.copyMemory(from: bytes, byteCount: byteCount)
            bytes.deallocate()
            bytes = grown
            byteCapacity = capacity
        }
        if count + 2 > offsetCapacity {
            let capacity = offsetCapacity * 2
            let grown = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
            grown.initialize(from: offsets, count: count + 1)
            offsets.deallocate()
            offsets = grown
            let grownHashes = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
            grownHashes.initialize(from: codeHashes, count: count)
            codeHashes.deallocate()
            codeHashes = grownHashes
            offsetCapacity = capacity
        }
        if let base = value.baseAddress, value.count > 0 { (bytes + byteCount).copyMemory(from: base, byteCount: value.count) }
        byteCount += value.count
        precondition(byteCount <= Int(Int32.max), "interned strings exceed 2 GiB")
        count += 1
        offsets[count] = Int32(truncatingIfNeeded: byteCount)
    }

    /// Equal bytes, with word loads for the short strings keys usually are.
    @inline(__always)
    static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer?, _ n: Int) -> Bool {
        guard n > 0, let b else { return true }
        if n >= 4 && n <= 8 {
            return a.loadUnaligned(as: UInt32.self) == b.loadUnaligned(as: UInt32.self)
                && a.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self) == b.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
        }
        if n > 8 && n <= 16 {
            return a.loadUnaligned(as: UInt64.self) == b.loadUnaligned(as: UInt64.self)
                && a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        }
        return memcmp(a, b, n) == 0
    }

    /// The last `n - i` (< 8) bytes as one word, read with at most two overlapping loads.
    @inline(__always)
    static func tail(_ bytes: UnsafeRawBufferPointer, from i: Int) -> UInt64 {
        let rest = bytes.count - i
        if rest >= 4 {
            let lo = UInt64(bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self))
            let hi = UInt64(bytes.loadUnaligned(fromByteOffset: bytes.count - 4, as: UInt32.self))
            return lo | hi << 32
        }
        var tail: UInt64 = 0
        for k in 0..<rest { tail |= UInt64(bytes[i + k]) << UInt64(k * 8) }
        return tail
    }

    /// A fast 64-bit hash of short byte strings: 8 bytes at a time, multiply-xorshift mixed.
    @inline(__always)
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        if i < n {
            h = (h ^ tail(bytes, from: i)) &* 0x94D0_49BB_1331_11EB
        }
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 32)
    }

    private func grow() {
        let size = (mask + 1) * 2
        let newSlots = UnsafeMutablePointer<UInt64>.allocate(capacity: size)
        newSlots.initialize(repeating: 0, count: size)
        let newMask = size - 1
        for code in 0..<count {
            let hash = codeHashes[code]
            var i = Int(truncatingIfNeeded: hash) & newMask
            while newSlots[i] != 0 { i = (i + 1) & newMask }
            newSlots[i] = (hash >> 32) << 32 | UInt64(code + 1)
        }
        slots.deallocate()
        slots = newSlots
        mask = newMask
    }
}
