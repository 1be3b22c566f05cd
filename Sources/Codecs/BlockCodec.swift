import CLZ4
import CZstd
import Columns

/// A general-purpose compressor applied to one whole encoded chunk.
///
/// The codec codes and the level byte are written in the footer (docs/FORMAT.md).
public enum BlockCodec: Sendable, Equatable, CustomStringConvertible {
    case none
    /// The LZ4 block format (no frame): fastest to decode.
    case lz4
    /// A Zstandard frame at the given level (1...19; negative levels are fast modes).
    case zstd(level: Int8)

    public var code: UInt8 {
        switch self {
        case .none: 0
        case .lz4: 1
        case .zstd: 2
        }
    }

    public var level: Int8 { if case .zstd(let level) = self { level } else { 0 } }

    public init(code: UInt8, level: Int8) throws(BatonError) {
        switch code {
        case 0: self = .none
        case 1: self = .lz4
        case 2: self = .zstd(level: level)
        default: throw BatonError(.corrupt, "unknown codec code \(code)")
        }
    }

    public var description: String {
        switch self {
        case .none: "none"
        case .lz4: "lz4"
        case .zstd(let level): "zstd(\(level))"
        }
    }

    /// - Parameter acceleration: LZ4's speed-for-ratio knob (1: the default ratio; higher is
    ///   faster and compresses less). Only the writer chooses it: the output is plain LZ4.
    public func compress(_ input: [UInt8], acceleration: Int32 = 1) -> [UInt8] {
        input.withUnsafeBytes { src in
            switch self {
            case .none:
                return input
            case .lz4:
                let bound = Int(LZ4_compressBound(Int32(src.count)))
                return [UInt8](unsafeUninitializedCapacity: max(bound, 1)) { dst, n in
                    n = Int(LZ4_compress_fast(src.baseAddress, dst.baseAddress, Int32(src.count), Int32(bound), acceleration))
                    precondition(n > 0 || src.isEmpty, "LZ4 failed on a buffer within its bound")
                }
            case .zstd(let level):
                let bound = ZSTD_compressBound(src.count)
                return [UInt8](unsafeUninitializedCapacity: bound) { dst, n in
                    let written = ZSTD_compress(dst.baseAddress, bound, src.baseAddress, src.count, Int32(level))
                    precondition(ZSTD_isError(written) == 0, "zstd failed on a buffer within its bound")
                    n = written
                }
            }
        }
    }

    /// Decompresses exactly `size` bytes, with 8 zero bytes of slack after them so that
    /// decoders may load a whole word at the end of a buffer.
    /// - Throws: `.corrupt` if the input does not decode to exactly `size` bytes.
    public func decompress(_ input: UnsafeRawBufferPointer, size: Int) throws(BatonError) -> [UInt8] {
        guard size >= 0, size < Int(Int32.max) else { throw BatonError(.corrupt, "chunk claims \(size) uncompressed bytes") }
        var ok = true
        let out = [UInt8](unsafeUninitializedCapacity: size + 8) { dst, n in
            let raw = UnsafeMutableRawBufferPointer(dst)
            // Only the slack needs zeros; the codec writes the rest (or the array is discarded).
            UnsafeMutableRawBufferPointer(rebasing: raw[size...]).initializeMemory(as: UInt8.self, repeating: 0)
            n = size + 8
            switch self {
            case .none:
                if input.count == size { raw.copyMemory(from: input) } else { ok = false }
            case .lz4:
                let got = LZ4_decompress_safe(input.baseAddress, raw.baseAddress, Int32(input.count), Int32(size))
                ok = Int(got) == size
            case .zstd:
                let got = ZSTD_decompress(raw.baseAddress, size, input.baseAddress, input.count)
                ok = ZSTD_isError(got) == 0 && got == size
            }
        }
        guard ok else {
            throw BatonError(.corrupt, "\(self) data does not decompress to the \(size) bytes recorded")
        }
        return out
    }
}
