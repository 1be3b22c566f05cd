import CShims
import Columns
import SystemPackage
import Utilities

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened for positioned reads. Errors name the path.
final class InputFile {
    let path: String
    let size: Int
    private let fd: FileDescriptor

    init(path: String) throws(BatonError) {
        self.path = path
        fd = try openForReading(path)
        var info = stat()
        guard fstat(fd.rawValue, &info) == 0 else {
            try? fd.close()
            throw BatonError(.io, "cannot stat: \(Errno(rawValue: errno))", at: .init(file: path))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            try? fd.close()
            throw BatonError(.notBatonFile, "not a regular file", at: .init(file: path))
        }
        size = Int(info.st_size)
    }

    deinit { try? fd.close() }

    /// `count` bytes from `offset`, followed by `slack` zero bytes.
    func read(offset: Int, count: Int, slack: Int = 0) throws(BatonError) -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size - count else {
            throw BatonError(.truncated, "wanted \(count) bytes at offset \(offset) of a \(size)-byte file",
                             at: .init(file: path))
        }
        var failure: BatonError?
        let bytes = [UInt8](unsafeUninitializedCapacity: count + slack) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.initializeMemory(as: UInt8.self, repeating: 0)  // cheap next to the read; keeps a failed read defined
            initialized = count + slack
            var done = 0
            while done < count {
                do {
                    let n = try fd.read(fromAbsoluteOffset: Int64(offset + done),
                                        into: UnsafeMutableRawBufferPointer(rebasing: raw[done..<count]))
                    if n == 0 {
                        failure = BatonError(.truncated, "file ended at byte \(offset + done)", at: .init(file: path))
                        return
                    }
                    done += n
                } catch {
                    failure = BatonError(.io, "read failed: \(error)", at: .init(file: path))
                    return
                }
            }
        }
        if let failure { throw failure }
        return bytes
    }
}

/// A file written under a temporary name in the destination's directory and renamed into
/// place by `commit()`, so a reader never sees a partial file under the final name. Until
/// committed, `abort()` (or deinit) removes the temporary file.
public final class AtomicOutputFile {
    public let path: String
    public let temporaryPath: String
    private var fd: FileDescriptor?
    public private(set) var offset = 0
    /// Where the bytes not yet handed to writeback start.
    private var writebackFrom = 0
    /// Writeback is started every this many bytes, so that `commit`'s fsync finds little
    /// left to write (on a 112 MB file: 42 ms of waiting with nothing else to do, otherwise).
    static let writebackStep = 8 << 20

    public init(path: String) throws(BatonError) {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        temporaryPath = "\(directory).\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // Registered before it exists: a signal between creating and registering it would
        // otherwise leave the file behind.
        TemporaryFiles.shared.register(temporaryPath)
        do {
            fd = try FileDescriptor.open(FilePath(temporaryPath), .writeOnly, options: [.create, .exclusiveCreate],
                                         permissions: [.ownerReadWrite, .groupRead, .otherRead])
        } catch Errno.noSuchFileOrDirectory {
            TemporaryFiles.shared.unregister(temporaryPath)
            throw BatonError(.io, "the directory does not exist", at: .init(file: path), hint: "create it first")
        } catch {
            TemporaryFiles.shared.unregister(temporaryPath)
            throw BatonError(.io, "cannot create the output: \(error)", at: .init(file: path))
        }
    }

    deinit { abort() }

    public func write(_ bytes: [UInt8]) throws(BatonError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(BatonError) in try write(raw) } }.get()
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(BatonError) {
        guard let fd else { preconditionFailure("write after commit or abort") }
        do {
            let n = try fd.writeAll(bytes)
            offset += n
            if offset - writebackFrom >= Self.writebackStep {
                baton_start_writeback(fd.rawValue, Int64(writebackFrom), Int64(offset - writebackFrom))
                writebackFrom = offset
            }
        } catch {
            throw BatonError(.io, "write failed: \(error)", at: .init(file: path), hint: "check free disk space")
        }
    }

    /// Flushes to stable storage, closes, and renames over `path`.
    public func commit() throws(BatonError) {
        guard let fd else { preconditionFailure("commit twice") }
        self.fd = nil
        let synced = fsync(fd.rawValue) == 0
        try? fd.close()
        guard synced, rename(temporaryPath, path) == 0 else {
            let reason = Errno(rawValue: errno)
            unlink(temporaryPath)
            TemporaryFiles.shared.unregister(temporaryPath)
            throw BatonError(.io, "cannot move the finished file into place: \(reason)", at: .init(file: path))
        }
        TemporaryFiles.shared.unregister(temporaryPath)
    }

    /// Removes the temporary file. Safe to call more than once.
    public func abort() {
        guard let fd else { return }
        self.fd = nil
        try? fd.close()
        unlink(temporaryPath)
        TemporaryFiles.shared.unregister(temporaryPath)
    }
}

/// The temporary files this process has open, so that a signal handler can remove them before
/// the process dies (`removeAllNow`).
public final class TemporaryFiles: @unchecked Sendable {
    public static let shared = TemporaryFiles()
    // Guarded by `lock`. Signal handlers read it without the lock, accepting a torn list over a
    // deadlock: they only unlink names.
    private var paths: Set<String> = []
    private var lock = pthread_mutex_t()

    private init() { pthread_mutex_init(&lock, nil) }

    func register(_ path: String) {
        pthread_mutex_lock(&lock)
        paths.insert(path)
        pthread_mutex_unlock(&lock)
    }

    func unregister(_ path: String) {
        pthread_mutex_lock(&lock)
        paths.remove(path)
        pthread_mutex_unlock(&lock)
    }

    /// Unlinks every registered temporary file. For signal handlers and fatal exits.
    public func removeAllNow() {
        for path in paths { unlink(path) }
    }
}
