#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growable buffer of `UInt32` with the few `Array` operations the tokenizer needs, minus
/// the copy-on-write checks: appending a field position is then a compare, a store and an
/// increment. A reference type: each `Tokens` owns its buffers and never shares them while
/// writing.
final class UInt32Buffer {
    private(set) var base: UnsafeMutablePointer<UInt32>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    convenience init(_ values: [UInt32]) {
        self.init(capacity: values.count)
        for v in values { append(v) }
    }

    deinit { base.deallocate() }

    var isEmpty: Bool { count == 0 }
    var indices: Range<Int> { 0..<count }
    var last: UInt32? { count > 0 ? base[count - 1] : nil }

    @inline(__always)
    func append(_ value: UInt32) {
        if count == capacity { grow() }
        base[count] = value
        count &+= 1
    }

    subscript(index: Int) -> UInt32 {
        @inline(__always) get { base[index] }
        @inline(__always) set { base[index] = newValue }
    }

    func removeLast(_ k: Int) { count -= k }

    /// Makes room for at least `n` values in all, keeping those held.
    func reserve(_ n: Int) {
        while capacity < n { grow() }
    }

    /// Sets the count after values were written through `base` (within the capacity).
    func setCount(_ n: Int) {
        precondition(n <= capacity)
        count = n
    }
    func removeAll() { count = 0 }

    func removeFirst(_ k: Int) {
        memmove(base, base + k, (count - k) * MemoryLayout<UInt32>.stride)  // the regions overlap
        count -= k
    }

    func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<UInt32>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    private func grow() {
        let grown = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity * 2)
        grown.initialize(from: base, count: count)
        base.deallocate()
        base = grown
        capacity *= 2
    }
}
