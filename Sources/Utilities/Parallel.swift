// Small concurrency helpers shared by the layers that run work in parallel.
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The number of online cores.
public let defaultThreadCount = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

/// Runs `body(i)` for `i` in `0..<count` on up to `threads` threads and returns the results in
/// index order. Worker `w` takes indices `w, w + workers, …`. Each call writes only its own
/// slot, which is what makes the unchecked Sendable conformance of the slot buffer sound.
public func parallelMap<T>(_ count: Int, threads: Int, _ body: (Int) -> T) -> [T] {
    let workers = min(threads, count)
    if workers <= 1 { return (0..<count).map(body) }
    let slots = Slots<T>(count)
    withoutActuallyEscaping(body) { body in
        let work = UncheckedBox(body)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for i in stride(from: worker, to: count, by: workers) { slots.set(i, work.value(i)) }
        }
    }
    return slots.values()
}

private final class Slots<T>: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<T?>
    init(_ count: Int) { buffer = .allocate(capacity: count); buffer.initialize(repeating: nil) }
    deinit { buffer.deinitialize().deallocate() }
    func set(_ i: Int, _ value: T) { buffer[i] = value }
    func values() -> [T] { buffer.map { $0! } }
}

private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Lets a buffer pointer cross into `parallelMap`'s workers, which only read it while the
/// owning array is pinned by an enclosing `withUnsafeBytes`.
public struct SharedBytes: @unchecked Sendable {
    public let raw: UnsafeRawBufferPointer
    public init(_ raw: UnsafeRawBufferPointer) { self.raw = raw }
}
