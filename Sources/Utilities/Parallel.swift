// Small concurrency helpers shared by the layers that run work in parallel.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The number of online cores.
public let defaultThreadCount = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

/// Runs `body(i)` for `i` in `0..<count` on the shared `TaskPool` and returns the results in
/// index order, with at most `threads` calls running at once (fewer if the machine has fewer
/// cores); the calling thread takes part. `threads <= 1` runs everything on the calling thread
/// (what `--threads 1` means). Indices are handed out one at a time, so uneven items balance.
public func parallelMap<T>(_ count: Int, threads: Int, _ body: (Int) -> T) -> [T] {
    if threads <= 1 || count <= 1 { return (0..<count).map(body) }
    return withoutActuallyEscaping(body) { body in
        let work = UncheckedBox(body)
        let results = Slots<T>(count)
        let next = Counter()
        _ = TaskGroup(min(threads, count)) { _ in
            while let i = next.take(below: count) { results.set(i, work.value(i)) }
            return ()
        }.wait()
        return results.values()
    }
}

/// A shared index dispenser.
final class Counter: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var value = 0

    init() { pthread_mutex_init(&mutex, nil) }

    func take(below limit: Int) -> Int? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}

/// One result slot per index; each index is written by exactly one task, and read only after
/// the group's `wait()` (whose lock orders the writes before the reads).
final class Slots<T>: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<T?>
    init(_ count: Int) { buffer = .allocate(capacity: count); buffer.initialize(repeating: nil) }
    deinit { buffer.deinitialize().deallocate() }
    func set(_ i: Int, _ value: T) { buffer[i] = value }
    func values() -> [T] { buffer.map { $0! } }
}

struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Lets a buffer pointer cross into `parallelMap`'s workers, which only read it while the
/// owning array is pinned by an enclosing `withUnsafeBytes`.
public struct SharedBytes: @unchecked Sendable {
    public let raw: UnsafeRawBufferPointer
    public init(_ raw: UnsafeRawBufferPointer) { self.raw = raw }
}
