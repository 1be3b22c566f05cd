import Columns

#if canImport(Glibc)
import Glibc
#endif

/// A sequential byte source for the stream reader: a file, standard input (through whatever
/// reader the caller has, which may already have peeked at the first bytes), or memory.
public final class ArrowInput {
    /// The name errors show: a path or `<stdin>`.
    public let name: String
    private let read: (UnsafeMutableRawBufferPointer) throws(BatonError) -> Int
    private var prefix: [UInt8]
    private var prefixStart = 0
    /// Bytes handed out so far: the offset errors report.
    public private(set) var offset = 0

    /// `read` fills as much of the buffer as it can and returns the count, 0 at the end.
    /// `prefix` holds bytes already taken from the source (a sniffed header), delivered first.
    public init(name: String, prefix: [UInt8] = [], read: @escaping (UnsafeMutableRawBufferPointer) throws(BatonError) -> Int) {
        self.name = name
        self.prefix = prefix
        self.read = read
    }

    public convenience init(name: String = "<memory>", bytes: [UInt8]) {
        self.init(name: name, prefix: bytes) { _ in 0 }
    }

    /// Up to `count` bytes: fewer only at the end of the input. Reads in pieces of at most
    /// 16 MiB, so a corrupt length fails as truncated input instead of allocating it whole.
    func take(_ count: Int) throws(BatonError) -> [UInt8] {
        var out: [UInt8] = []
        if prefixStart < prefix.count {
            let n = min(count, prefix.count - prefixStart)
            out += prefix[prefixStart..<prefixStart + n]
            prefixStart += n
        }
        while out.count < count {
            let piece = min(count - out.count, 1 << 24)
            let start = out.count
            out += repeatElement(0, count: piece)
            var filled = 0
            while filled < piece {
                let n = try out.withUnsafeMutableBytes { raw in
                    Result { () throws(BatonError) in
                        try read(UnsafeMutableRawBufferPointer(rebasing: raw[(start + filled)..<(start + piece)]))
                    }
                }.get()
                if n <= 0 { break }
                filled += n
            }
            if filled < piece {
                out.removeLast(piece - filled)
                break
            }
        }
        offset += out.count
        return out
    }
}

/// A file opened for positioned reads (the IPC file format is read through its footer), or
/// the whole of a file already in memory (an IPC file arriving on a pipe).
final class RandomAccessFile {
    let path: String
    let fd: Int32
    let size: Int
    private let contents: [UInt8]?

    init(name: String, contents: [UInt8]) {
        path = name
        fd = -1
        size = contents.count
        self.contents = contents
    }

    init(path: String) throws(BatonError) {
        self.path = path
        contents = nil
        fd = open(path, O_RDONLY)
        if fd < 0 {
            let code = errno
            throw BatonError(code == ENOENT ? .fileNotFound : .io, code == ENOENT ? "no such file" : "cannot open: \(String(cString: strerror(code)))",
                             at: .init(file: path), hint: code == ENOENT ? "check the path" : nil)
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw BatonError(.io, "cannot stat the file", at: .init(file: path))
        }
        size = Int(info.st_size)
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Exactly `count` bytes at `offset`.
    /// - Throws: `.truncated` when the file ends first.
    func read(at offset: Int, count: Int, what: String) throws(BatonError) -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
            throw BatonError(.truncated, "\(what): \(count) bytes at byte \(offset) run past the end of the \(size)-byte file",
                             at: .init(file: path), hint: "the file is incomplete or damaged; write it again")
        }
        if let contents { return Array(contents[offset..<offset + count]) }
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n <= 0 { throw BatonError(.io, "read failed at byte \(offset + done)", at: .init(file: path)) }
            done += n
        }
        return out
    }

    /// A sequential view, for files holding an IPC stream rather than the file format.
    func sequential() -> ArrowInput {
        var position = 0
        return ArrowInput(name: path) { [self] (buffer) throws(BatonError) -> Int in
            let n = pread(fd, buffer.baseAddress, buffer.count, off_t(position))
            if n < 0 { throw BatonError(.io, "read failed at byte \(position)", at: .init(file: path)) }
            position += n
            return n
        }
    }
}
