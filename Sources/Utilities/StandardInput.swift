import Columns
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The process's standard input as one stream that can be peeked at: a command that must look
/// at the first bytes to choose a reader (Arrow IPC or CSV) keeps them here, and whichever
/// reader then takes stdin gets them back first. Every reader of stdin goes through `read`.
public enum StandardInput {
    private static let pushedBack = LockedBytes()

    /// Up to `count` bytes from the start of what is left (fewer only at the end of input),
    /// kept for the next `read`.
    public static func peek(_ count: Int) throws(BatonError) -> [UInt8] {
        var head = pushedBack.take()
        var scratch = [UInt8](repeating: 0, count: max(count, 1))
        while head.count < count {
            let n = try scratch.withUnsafeMutableBytes { raw in
                Result { () throws(BatonError) in try readDescriptor(UnsafeMutableRawBufferPointer(rebasing: raw[0..<(count - head.count)])) }
            }.get()
            if n == 0 { break }
            head += scratch[0..<n]
        }
        pushedBack.put(head)
        return Array(head.prefix(count))
    }

    /// Fills as much of `buffer` as one read allows; 0 at the end of input.
    public static func read(into buffer: UnsafeMutableRawBufferPointer) throws(BatonError) -> Int {
        let kept = pushedBack.take()
        if !kept.isEmpty {
            let n = min(kept.count, buffer.count)
            buffer.copyMemory(from: UnsafeRawBufferPointer(start: kept, count: n))
            if n < kept.count { pushedBack.put(Array(kept[n...])) }
            return n
        }
        return try readDescriptor(buffer)
    }

    private static func readDescriptor(_ buffer: UnsafeMutableRawBufferPointer) throws(BatonError) -> Int {
        do {
            return try FileDescriptor.standardInput.read(into: buffer)
        } catch {
            throw BatonError(.io, "read failed: \(error)", at: .init(file: "<stdin>"))
        }
    }
}

/// Bytes behind a lock (stdin is read from one thread at a time, but a static must be Sendable).
private final class LockedBytes: @unchecked Sendable {
    private var bytes: [UInt8] = []
    private var lock = pthread_mutex_t()

    init() { pthread_mutex_init(&lock, nil) }

    func take() -> [UInt8] {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        let out = bytes
        bytes = []
        return out
    }

    func put(_ new: [UInt8]) {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        bytes = new
    }
}
