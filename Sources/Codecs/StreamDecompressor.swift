import CLZ4
import CZlib
import CZstd
import Columns

/// A compressed stream format recognised by its first bytes.
public enum StreamCompression: String, Sendable, CaseIterable {
    case gzip, zstd, lz4

    /// The format whose magic number starts `prefix`, or nil for uncompressed data.
    public static func detect(_ prefix: some Collection<UInt8>) -> StreamCompression? {
        let head = Array(prefix.prefix(4))
        if head.count >= 2 && head[0] == 0x1F && head[1] == 0x8B { return .gzip }
        if head == [0x28, 0xB5, 0x2F, 0xFD] { return .zstd }
        if head == [0x04, 0x22, 0x4D, 0x18] { return .lz4 }
        return nil
    }
}

/// Decompresses a gzip, Zstandard or LZ4-frame stream piece by piece, so a compressed file is
/// never inflated whole in memory. Concatenated members / frames are followed.
public final class StreamDecompressor {
    public let format: StreamCompression
    /// zlib keeps a pointer back to its stream struct, so it must never move: heap-allocated.
    private var zlib: UnsafeMutablePointer<z_stream>?
    private var zstd: OpaquePointer?
    private var lz4: OpaquePointer?
    /// Whether the input so far ends exactly at the end of a member / frame.
    private var atBoundary = true

    public init(_ format: StreamCompression) {
        self.format = format
        switch format {
        case .gzip:
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            // 15 + 32: any window size, gzip or zlib header detected automatically.
            inflateInit2_(stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            zlib = stream
        case .zstd:
            zstd = ZSTD_createDStream()
            ZSTD_initDStream(zstd)
        case .lz4:
            var context: OpaquePointer?
            LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
            lz4 = context
        }
    }

    deinit {
        if let stream = zlib {
            inflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        if let zstd { ZSTD_freeDStream(zstd) }
        if let lz4 { LZ4F_freeDecompressionContext(lz4) }
    }

    /// Decompresses `input`, appending what it yields to `output`.
    /// - Throws: `.corrupt` for data that is not a valid stream of the format.
    public func decompress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(BatonError) {
        var offset = 0
        let chunk = 1 << 18
        while true {
            let start = output.count
            output.reserveCapacity(start + chunk)
            var consumed = 0, produced = 0
            var failure: String?
            output.append(contentsOf: repeatElement(0, count: chunk))
            output.withUnsafeMutableBytes { out in
                let dst = out.baseAddress! + start
                let src = input.baseAddress! + offset
                let available = input.count - offset
                switch format {
                case .gzip:
                    let z = zlib!
                    z.pointee.next_in = UnsafeMutablePointer(mutating: src.assumingMemoryBound(to: Bytef.self))
                    z.pointee.avail_in = UInt32(min(available, Int(UInt32.max)))
                    z.pointee.next_out = dst.assumingMemoryBound(to: Bytef.self)
                    z.pointee.avail_out = UInt32(chunk)
                    let status = inflate(z, Z_NO_FLUSH)
                    consumed = min(available, Int(UInt32.max)) - Int(z.pointee.avail_in)
                    produced = chunk - Int(z.pointee.avail_out)
                    if status == Z_STREAM_END {
                        inflateReset(z)  // a following gzip member starts a new stream
                        atBoundary = true
                    } else if status != Z_OK && status != Z_BUF_ERROR {
                        failure = "gzip data is corrupt (zlib status \(status))"
                    } else if consumed > 0 || produced > 0 {
                        atBoundary = false
                    }
                case .zstd:
                    var inBuffer = ZSTD_inBuffer(src: src, size: available, pos: 0)
                    var outBuffer = ZSTD_outBuffer(dst: dst, size: chunk, pos: 0)
                    let status = ZSTD_decompressStream(zstd, &outBuffer, &inBuffer)
                    if ZSTD_isError(status) != 0 {
                        failure = "zstd data is corrupt: " + String(cString: ZSTD_getErrorName(status))
                    }
                    consumed = inBuffer.pos
                    produced = outBuffer.pos
                    atBoundary = status == 0
                case .lz4:
                    var srcSize = available, dstSize = chunk
                    let status = LZ4F_decompress(lz4, dst, &dstSize, src, &srcSize, nil)
                    if LZ4F_isError(status) != 0 {
                        failure = "lz4 data is corrupt: " + String(cString: LZ4F_getErrorName(status))
                    }
                    consumed = srcSize
                    produced = dstSize
                    atBoundary = status == 0
                }
            }
            output.removeLast(chunk - produced)
            if let failure { throw BatonError(.corrupt, failure) }
            offset += consumed
            // Done when the input is used up and the decoder had no more to give.
            if offset >= input.count && produced < chunk { break }
            if consumed == 0 && produced == 0 { break }
        }
    }

    /// Checks that the stream ended at the end of a member / frame.
    /// - Throws: `.truncated` when the compressed input stops mid-stream.
    public func finish() throws(BatonError) {
        guard atBoundary else {
            throw BatonError(.truncated, "the \(format.rawValue) stream ends early: the compressed input is cut short")
        }
    }
}
