import Codecs
import Columns
import Utilities

/// How the writer compresses each chunk.
public enum CodecChoice: Sendable, Equatable, CustomStringConvertible {
    /// Per chunk: no codec for bodies under `autoMinimumBytes`; otherwise three 16 KiB samples
    /// (start, middle, end: a body's regions differ, a dictionary up front and codes after it)
    /// are compressed with ZSTD level 1, and a body whose samples save less than a tenth is
    /// stored uncompressed (random bit-packed codes, most often); else the whole body is
    /// compressed with ZSTD at `autoZstdLevel`, kept only if it saves a tenth.
    case auto
    case fixed(BlockCodec)

    public static let autoMinimumBytes = 256
    public static let autoZstdLevel: Int8 = 1
    public static let autoSampleBytes = 16 << 10

    /// Parses `auto`, `none`, `lz4`, `zstd` or `zstd:LEVEL` (LEVEL in -7...19).
    public init(parsing text: String) throws(BatonError) {
        let parts = text.lowercased().split(separator: ":", maxSplits: 1).map(String.init)
        switch (parts.first ?? "", parts.count) {
        case ("auto", 1): self = .auto
        case ("none", 1): self = .fixed(.none)
        case ("lz4", 1): self = .fixed(.lz4)
        case ("zstd", 1): self = .fixed(.zstd(level: 3))
        case ("zstd", 2):
            guard let level = Int8(parts[1]), (-7...19).contains(level) else {
                throw BatonError(.invalidInput, "zstd level must be a whole number from -7 to 19",
                                 at: .init(text: parts[1]), hint: "for example --codec zstd:3")
            }
            self = .fixed(.zstd(level: level))
        default:
            throw BatonError(.invalidInput, "unknown codec", at: .init(text: text),
                             hint: "use auto, none, lz4, zstd or zstd:LEVEL")
        }
    }

    public var description: String {
        switch self {
        case .auto: "auto"
        case .fixed(let codec): codec.description
        }
    }

    /// The stored bytes of `body` and the codec that produced them.
    func compress(_ body: [UInt8]) -> ([UInt8], BlockCodec) {
        switch self {
        case .fixed(let codec):
            return (codec.compress(body), codec)
        case .auto:
            guard body.count >= Self.autoMinimumBytes else { return (body, .none) }
            let piece = Self.autoSampleBytes
            if body.count > 16 * piece {
                var sampled = 0, compressed = 0
                for start in [0, (body.count - piece) / 2, body.count - piece] {
                    let sample = Array(body[start..<start + piece])
                    sampled += piece
                    compressed += BlockCodec.zstd(level: 1).compress(sample).count
                }
                if compressed * 10 > sampled * 9 { return (body, .none) }
            }
            let codec = BlockCodec.zstd(level: Self.autoZstdLevel)
            let compressed = codec.compress(body)
            return compressed.count * 10 <= body.count * 9 ? (compressed, codec) : (body, .none)
        }
    }
}

/// Settings for `BatonWriter`.
public struct WriteOptions: Sendable {
    /// Rows per row group (at most `FileLayout.maxRowGroupRows`): the unit of pruning and of
    /// parallel reads. Large groups compress better (one dictionary per chunk); small ones prune
    /// finer. A group also closes at `FileLayout.maxRowGroupPlainBytes` of plain data.
    public var rowGroupSize: Int = 1 << 20
    public var codec: CodecChoice = .auto
    /// nil: choose per chunk (docs/FORMAT.md, "Choosing an encoding").
    public var encoding: Encoding? = nil
    /// Columns encoded at once; 1 encodes on the calling thread.
    public var threads: Int = defaultThreadCount
    /// A row group also closes when its plain data reaches this many bytes.
    public var maxRowGroupBytes = FileLayout.maxRowGroupPlainBytes
    /// Extra key/value pairs for the footer.
    public var metadata: [(String, String)] = []

    public init(rowGroupSize: Int = 1 << 20, codec: CodecChoice = .auto, encoding: Encoding? = nil,
                threads: Int = defaultThreadCount) {
        self.rowGroupSize = rowGroupSize
        self.codec = codec
        self.encoding = encoding
        self.threads = threads
    }
}
