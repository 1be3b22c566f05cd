// Small concurrency helpers shared by the layers that run work in parallel.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The number of online cores.
public let defaultThreadCount = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

/// Runs `body(i)` for `i` in `0..<count` on the shared `TaskPool` and returns the results in
/// index order; the calling thread runs tasks too while it waits. `threads <= 1` runs
/// everything on the calling thread (what `--threads 1` means).
public func parallelMap<T>(_ count: Int, threads: Int, _ body: (Int) -> T) -> [T] {
    if threads <= 1 || count <= 1 { return (0..<count).map(body) }
    return withoutActuallyEscaping(body) { body in
        let work = UncheckedBox(body)
        return TaskGroup(count) { i in work.value(i) }.wait()
    }
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
