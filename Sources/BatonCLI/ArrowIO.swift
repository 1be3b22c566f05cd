import Arrow
import Columns
import Utilities

/// Opens an Arrow input: a file in either IPC format, or `-` for standard input, where an IPC
/// stream is read as it arrives and an IPC file is read whole first (its footer, at the end,
/// says where its dictionaries are).
func openArrow(_ path: String) throws(BatonError) -> ArrowReader {
    guard path == "-" else { return try ArrowReader(path: path) }
    let head = try StandardInput.peek(8)
    if head.count >= 6 && Array(head[0..<6]) == Array("ARROW1".utf8) {
        var all: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try chunk.withUnsafeMutableBytes { raw in Result { () throws(BatonError) in try StandardInput.read(into: raw) } }.get()
            if n == 0 { break }
            all += chunk[0..<n]
        }
        return try ArrowReader(fileBytes: all, name: "<stdin>")
    }
    return try ArrowReader(stream: ArrowInput(name: "<stdin>") { (buffer) throws(BatonError) in try StandardInput.read(into: buffer) })
}

extension ArrowWriteOptions {
    /// From `--codec`: none or auto (uncompressed), lz4 or lz4_frame, zstd or zstd:LEVEL.
    init(codec: String) throws(BatonError) {
        self.init()
        switch codec.lowercased() {
        case "none", "auto": compression = .none
        case "lz4", "lz4_frame": compression = .lz4
        case let z where z == "zstd" || z.hasPrefix("zstd:"): compression = .zstd
        default:
            throw BatonError(.invalidInput, "unknown codec for Arrow output", at: .init(text: codec), hint: "use none, lz4 or zstd")
        }
    }
}
