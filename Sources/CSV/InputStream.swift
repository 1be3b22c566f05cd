import Codecs
import Columns
import SystemPackage
import Utilities

#if canImport(Glibc)
import Glibc
#endif

/// A sequential byte input: a file or standard input, decompressed on the fly when its first
/// bytes are a gzip, Zstandard or LZ4 frame magic number.
final class InputStream {
    /// The name errors show: the path, or `<stdin>`.
    let name: String
    /// Whether the input can be read again from the start (a file, compressed or not).
    let rereadable: Bool
    let compression: StreamCompression?
    private let fd: FileDescriptor
    private let ownsDescriptor: Bool
    private var decompressor: StreamDecompressor?
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private var raw = [UInt8](repeating: 0, count: 1 << 20)
    private var ended = false
    /// Bytes read from the file so far, and how far ahead the kernel was asked to read.
    private var position = 0
    private var advisedUntil = 0
    /// How far ahead of the reader the kernel is asked to fetch a regular file: a file that
    /// is not (or no longer) in the page cache then streams from disk while earlier blocks
    /// are parsed, instead of one read at a time when the reader gets there.
    static let readAhead = 64 << 20

    /// `path == "-"` reads standard input.
    init(path: String) throws(BatonError) {
        if path == "-" {
            name = "<stdin>"
            fd = .standardInput
            ownsDescriptor = false
            rereadable = false
        } else {
            name = path
            fd = try openForReading(path)
            var info = stat()
            if fstat(fd.rawValue, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
                try? fd.close()
                throw BatonError(.invalidInput, "is a directory", at: .init(file: path), hint: "name a file, or a glob such as 'dir/*.csv'")
            }
            ownsDescriptor = true
            rereadable = true
            _ = posix_fadvise(fd.rawValue, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        }
        // Sniff the compression from the first bytes, keeping them for the first read.
        var head: [UInt8] = []
        var first = [UInt8](repeating: 0, count: 1 << 16)
        while head.count < 4 {
            let n = try Self.read(fd, into: &first, name: name)
            if n == 0 { break }
            head += first[0..<n]
        }
        compression = StreamCompression.detect(head)
        if let compression {
            decompressor = StreamDecompressor(compression)
            try decompress(head)
        } else {
            pending = head
        }
    }

    deinit { if ownsDescriptor { try? fd.close() } }

    /// Reads up to `target.count` bytes into `target`; returns how many, 0 only at the end of
    /// the input. An uncompressed file is read straight into `target`.
    func read(into target: UnsafeMutableRawBufferPointer) throws(BatonError) -> Int {
        while true {
            if pending.count > pendingStart {
                let take = min(pending.count - pendingStart, target.count)
                pending.withUnsafeBytes { target.baseAddress!.copyMemory(from: $0.baseAddress! + pendingStart, byteCount: take) }
                pendingStart += take
                if pendingStart == pending.count {
                    pending.removeAll(keepingCapacity: true)
                    pendingStart = 0
                }
                return take
            }
            if ended || target.count == 0 { return 0 }
            if decompressor == nil && fd != .standardInput {
                adviseReadAhead()
                let n: Int
                do {
                    n = try fd.read(into: target)
                } catch {
                    throw BatonError(.io, "read failed: \(error)", at: .init(file: name))
                }
                position += n
                if n == 0 { ended = true }
                return n
            }
            let n = try readRaw()
            if n == 0 {
                ended = true
                do throws(BatonError) { try decompressor?.finish() } catch { throw error.inFile(name) }
                continue  // a decompressor may hand back its last bytes
            }
            if decompressor != nil {
                try decompress(Array(raw[0..<n]))
            } else {
                pending += raw[0..<n]
            }
        }
    }

    /// Appends up to `max` more bytes to `buffer` (fewer only at the end of the input);
    /// returns false when none were left. `read(into:)` a chunk at a time (the sniffer's
    /// sample; blocks are read into their buffer directly).
    func read(max: Int, into buffer: inout [UInt8]) throws(BatonError) -> Bool {
        var filled = 0
        while filled < max {
            var failure: BatonError?
            let chunk = [UInt8](unsafeUninitializedCapacity: min(max - filled, 1 << 20)) { raw, count in
                do throws(BatonError) {
                    count = try read(into: UnsafeMutableRawBufferPointer(raw))
                } catch {
                    failure = error
                    count = 0
                }
            }
            if let failure { throw failure }
            if chunk.isEmpty { break }
            buffer += chunk
            filled += chunk.count
        }
        return filled > 0
    }

    private func decompress(_ bytes: [UInt8]) throws(BatonError) {
        do throws(BatonError) {
            try bytes.withUnsafeBytes { (input) in Result { () throws(BatonError) in try decompressor!.decompress(input, into: &pending) } }.get()
        } catch {
            throw error.inFile(name)
        }
    }

    private func adviseReadAhead() {
        if rereadable && position + Self.readAhead / 2 >= advisedUntil {
            _ = posix_fadvise(fd.rawValue, off_t(advisedUntil), off_t(Self.readAhead), Int32(POSIX_FADV_WILLNEED))
            advisedUntil += Self.readAhead
        }
    }

    private func readRaw() throws(BatonError) -> Int {
        adviseReadAhead()
        let n = try Self.read(fd, into: &raw, name: name)
        position += n
        return n
    }

    private static func read(_ fd: FileDescriptor, into buffer: inout [UInt8], name: String) throws(BatonError) -> Int {
        if fd == .standardInput {
            // Through StandardInput, which hands back bytes a command peeked at.
            return try buffer.withUnsafeMutableBytes { raw in Result { () throws(BatonError) in try StandardInput.read(into: raw) } }.get()
        }
        do {
            return try buffer.withUnsafeMutableBytes { try fd.read(into: $0) }
        } catch {
            throw BatonError(.io, "read failed: \(error)", at: .init(file: name))
        }
    }
}
