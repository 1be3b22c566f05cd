import Columns
#if canImport(Glibc)
import Glibc
#endif

/// Where a run's spill files go and how much disk they may take (`--temp-dir`,
/// `--max-temp-size`).
///
/// Cleanup needs no registry: a spill file is unlinked the moment it is created and lives on
/// only as an open descriptor, so the kernel frees its blocks when the file is closed — on
/// success, on an error, on Ctrl-C or SIGTERM, even on SIGKILL or a crash. Nothing named is
/// ever left in the temp directory. The price: `ls` cannot show spill files while a query runs
/// (`explain --analyze` counts them instead).
public final class SpillSpace: @unchecked Sendable {
    public let directory: String
    /// Bytes all live spill files may take together; nil: no cap.
    public let maxBytes: Int?
    private var mutex = pthread_mutex_t()
    private var usedBytes = 0
    private var peakBytes = 0
    private var created = 0
    /// Test hook: the write after this many more frames fails as if the disk did (`.io`).
    var injectedFailureAfterFrames: Int?

    /// - Parameter directory: nil for the system temp directory (`$TMPDIR`, else /tmp).
    public init(directory: String? = nil, maxBytes: Int? = nil) {
        self.directory = directory ?? SpillSpace.systemTemporaryDirectory
        self.maxBytes = maxBytes
        pthread_mutex_init(&mutex, nil)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    public static var systemTemporaryDirectory: String {
        if let value = getenv("TMPDIR"), let text = String(validatingCString: value), !text.isEmpty { return text }
        return "/tmp"
    }

    /// Bytes on disk now, the most at once, and files created so far.
    public var used: Int { locked { usedBytes } }
    public var peak: Int { locked { peakBytes } }
    public var filesCreated: Int { locked { created } }

    /// A new, empty spill file for `consumer` (named in errors).
    public func makeFile(for consumer: String) throws(BatonError) -> SpillFile {
        var template = Array((directory + "/baton-spill-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw BatonError(.io, "\(consumer): cannot create a spill file: \(reason)", at: .init(file: directory),
                             hint: "point --temp-dir at a writable directory with free space")
        }
        // Unlinked at once: the open descriptor is the file's only name (see the type's comment).
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        unlink(path)
        locked { created += 1 }
        return SpillFile(fd: fd, space: self, consumer: consumer)
    }

    /// Counts `bytes` about to be written for `consumer`, failing past the cap.
    func charge(_ bytes: Int, for consumer: String) throws(BatonError) {
        let refused: Int? = locked {
            if let failAfter = injectedFailureAfterFrames {
                if failAfter <= 0 { return -1 }
                injectedFailureAfterFrames = failAfter - 1
            }
            if let maxBytes, usedBytes + bytes > maxBytes { return usedBytes }
            usedBytes += bytes
            peakBytes = max(peakBytes, usedBytes)
            return nil
        }
        guard let refused else { return }
        if refused < 0 { throw BatonError(.io, "\(consumer): injected failure while spilling", at: .init(file: directory)) }
        throw BatonError(.diskLimit,
                         "\(consumer) needs \(ByteSize.text(bytes)) more of temporary disk, but spill files already take \(ByteSize.text(refused)) of the \(ByteSize.text(maxBytes ?? 0)) allowed by --max-temp-size",
                         at: .init(file: directory),
                         hint: "raise --max-temp-size, raise --memory-limit so less spills, or point --temp-dir at a bigger disk")
    }

    func release(_ bytes: Int) { locked { usedBytes -= bytes } }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}
