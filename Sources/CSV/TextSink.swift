import Columns

/// A byte buffer that hands full blocks to `flush` (stdout, a file): writers format into it
/// directly instead of building a String per value.
///
/// The bytes live in a class-held raw buffer rather than an `[UInt8]`: a writer kept in an enum
/// (`TextWriter`) is copied out to be mutated, and an array would then be copied whole on the
/// next append; appends through a pointer also skip the array's uniqueness and capacity checks,
/// which cost as much as the formatting for short fields.
public struct TextSink {
    private let storage: Storage
    private let flushThreshold: Int
    private let flush: (UnsafeRawBufferPointer) throws(BatonError) -> Void

    public init(flushThreshold: Int = 1 << 20, _ flush: @escaping (UnsafeRawBufferPointer) throws(BatonError) -> Void) {
        self.flushThreshold = flushThreshold
        self.flush = flush
        storage = Storage(capacity: min(flushThreshold, 1 << 20) + 4096)
    }

    @inline(__always) public mutating func byte(_ b: UInt8) {
        let p = reserve(1)
        p.pointee = b
        storage.count &+= 1
    }

    public mutating func bytes(_ raw: UnsafeRawBufferPointer) {
        guard let source = raw.baseAddress, raw.count > 0 else { return }
        let p = reserve(raw.count)
        UnsafeMutableRawPointer(p).copyMemory(from: source, byteCount: raw.count)
        storage.count &+= raw.count
    }

    public mutating func text(_ s: String) {
        var s = s
        s.withUTF8 { bytes(UnsafeRawBufferPointer($0)) }
    }

    /// Room for `n` more bytes: write them at the returned address, then `commit` what was
    /// written. For formatting loops that write a field at a time without a check per byte.
    @inline(__always) public mutating func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if storage.capacity &- storage.count < n { storage.grow(toHold: n) }
        return storage.base + storage.count
    }

    /// Marks the bytes up to `end` (inside the last `reserve`) as written.
    @inline(__always) public mutating func commit(upTo end: UnsafeMutablePointer<UInt8>) {
        storage.count = end - storage.base
    }

    /// Decimal digits of `v` without an intermediate String.
    public mutating func integer(_ v: Int64) {
        let p = reserve(20)
        commit(upTo: NumberText.integer(v, at: p))
    }

    /// The shortest text that reads back as the same double (Swift's `description`), with
    /// `NaN`, `inf` and `-inf` spelled as most CSV readers expect.
    public mutating func double(_ v: Double) {
        let p = reserve(NumberText.maxShortDouble)
        if let end = NumberText.shortDouble(v, at: p) {
            commit(upTo: end)
            return
        }
        if v.isNaN { text("NaN"); return }
        if v.isInfinite { text(v < 0 ? "-inf" : "inf"); return }
        text(v.description)
    }

    /// Hands the buffer to `flush` once it passes the threshold.
    public mutating func flushIfFull() throws(BatonError) {
        if storage.count >= flushThreshold { try flushNow() }
    }

    public mutating func flushNow() throws(BatonError) {
        guard storage.count > 0 else { return }
        let bytes = UnsafeRawBufferPointer(start: storage.base, count: storage.count)
        storage.count = 0
        try flush(bytes)
    }

    /// Flushes what is buffered, then hands `raw` to `flush` as it is, without copying it in:
    /// for text formatted elsewhere (`baton query` formats pieces of its result in parallel).
    public mutating func flush(passing raw: UnsafeRawBufferPointer) throws(BatonError) {
        try flushNow()
        if raw.count > 0 { try flush(raw) }
    }

    /// The buffered bytes, for a sink that never flushes (a threshold of `Int.max`).
    public func withBufferedBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: storage.base, count: storage.count))
    }

    private final class Storage {
        var base: UnsafeMutablePointer<UInt8>
        var count = 0
        var capacity: Int

        init(capacity: Int) {
            self.capacity = capacity
            base = .allocate(capacity: capacity)
        }

        deinit { base.deallocate() }

        func grow(toHold n: Int) {
            var newCapacity = capacity * 2
            while newCapacity - count < n { newCapacity *= 2 }
            let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            newBase.update(from: base, count: count)
            base.deallocate()
            base = newBase
            capacity = newCapacity
        }
    }
}
