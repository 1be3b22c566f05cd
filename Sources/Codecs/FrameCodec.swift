import CLZ4
import CZstd
import Columns

/// Self-describing compressed frames of one buffer: the LZ4 frame format and Zstandard frames,
/// as Arrow IPC's body compression (LZ4_FRAME, ZSTD) stores each buffer.
///
/// Unlike `BlockCodec.lz4` (a raw LZ4 block, Baton's own files), an LZ4 frame carries its own
/// header and end mark, which is what other Arrow implementations write and expect.
public enum FrameCodec: Sendable, Equatable {
    case lz4Frame
    case zstd

    public func compress(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        switch self {
        case .lz4Frame:
            let bound = LZ4F_compressFrameBound(input.count, nil)
            return [UInt8](unsafeUninitializedCapacity: bound) { dst, n in
                let written = LZ4F_compressFrame(dst.baseAddress, bound, input.baseAddress, input.count, nil)
                precondition(LZ4F_isError(written) == 0, "LZ4 frame compression failed within its bound")
                n = written
            }
        case .zstd:
            let bound = ZSTD_compressBound(input.count)
            return [UInt8](unsafeUninitializedCapacity: bound) { dst, n in
                let written = ZSTD_compress(dst.baseAddress, bound, input.baseAddress, input.count, 1)
                precondition(ZSTD_isError(written) == 0, "zstd failed on a buffer within its bound")
                n = written
            }
        }
    }

    /// Decompresses exactly `size` bytes.
    /// - Throws: `.corrupt` when the frame is damaged or does not hold exactly `size` bytes.
    public func decompress(_ input: UnsafeRawBufferPointer, size: Int) throws(BatonError) -> [UInt8] {
        var failure: String?
        let output = [UInt8](unsafeUninitializedCapacity: max(size, 1)) { dst, n in
            n = size
            switch self {
            case .lz4Frame:
                var context: OpaquePointer?
                guard LZ4F_isError(LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))) == 0 else {
                    failure = "cannot start an LZ4 decoder"
                    n = 0
                    return
                }
                defer { LZ4F_freeDecompressionContext(context) }
                var produced = 0, consumed = 0
                while true {
                    var dstSize = size - produced
                    var srcSize = input.count - consumed
                    let status = LZ4F_decompress(context, dst.baseAddress.map { $0 + produced }, &dstSize,
                                                 input.baseAddress.map { $0 + consumed }, &srcSize, nil)
                    if LZ4F_isError(status) != 0 {
                        failure = "LZ4 frame is corrupt: " + String(cString: LZ4F_getErrorName(status))
                        break
                    }
                    produced += dstSize
                    consumed += srcSize
                    if status == 0 { break }
                    if srcSize == 0 && dstSize == 0 {
                        failure = produced == size ? "LZ4 frame holds more than the \(size) bytes recorded"
                                                   : "LZ4 frame ends early, after \(produced) of \(size) bytes"
                        break
                    }
                }
                if failure == nil && produced != size { failure = "LZ4 frame holds \(produced) bytes, \(size) recorded" }
            case .zstd:
                let got = ZSTD_decompress(dst.baseAddress, size, input.baseAddress, input.count)
                if ZSTD_isError(got) != 0 {
                    failure = "zstd frame is corrupt: " + String(cString: ZSTD_getErrorName(got))
                } else if got != size {
                    failure = "zstd frame holds \(got) bytes, \(size) recorded"
                }
            }
            if failure != nil { n = 0 }
        }
        if let failure { throw BatonError(.corrupt, failure) }
        return output
    }
}
