import Codecs
import Columns
#if canImport(Glibc)
import Glibc
#endif

/// Batches written to disk and read back, each column a Baton chunk: in the encoding the chunk
/// encoder chooses (dictionary, bit-packed, …), compressed with LZ4 (by default), with an XXH64
/// checksum of the stored bytes, as in `.baton` files.
///
/// One frame per batch, back to back; the frames' places stay in memory (the file has no
/// footer, since only this process reads it):
///
/// ```
/// frame   := u32 magic "BSPF", u32 rows, u32 columns, column header × columns, stored bytes × columns
/// column  := u8 encoding, u8 codec, u16 0, u32 null count, u32 body size, u32 stored size, u64 xxh64(stored)
/// ```
///
/// The encodings pay for their choice pass: a spilled sort of the db-benchmark table wrote 183
/// MiB instead of 336 with plain chunks, and LZ4 and the kernel's copy into the page cache had
/// that much less to do (the sort took 4.2 s instead of 5.7).
/// Frames can be read in any order (`read(_:)`), so a consumer may replay them by morsel.
/// Not thread-safe: one writer, then readers one at a time.
public final class SpillFile: @unchecked Sendable {
    private let fd: Int32
    public let space: SpillSpace
    public let consumer: String
    public let codec: BlockCodec
    private var end = 0
    /// Byte offset, length and rows of each frame.
    public private(set) var frames: [(offset: Int, length: Int, rows: Int)] = []

    static let magic: UInt32 = 0x4650_5342  // "BSPF"
    /// LZ4's acceleration for spill frames: written once and read once, they trade a few
    /// percent of size (q10's spill: 286 MiB instead of 269) for compressing about twice as fast.
    static let acceleration: Int32 = 4

    init(fd: Int32, space: SpillSpace, consumer: String, codec: BlockCodec = .lz4) {
        self.fd = fd
        self.space = space
        self.consumer = consumer
        self.codec = codec
    }

    deinit {
        close(fd)
        space.release(end)
    }

    /// Rows and bytes written so far.
    public var rows: Int { frames.reduce(0) { $0 + $1.rows } }
    public var byteCount: Int { end }

    /// A batch encoded and compressed, ready to append: the costly part of writing, which
    /// needs no lock, so threads can encode in parallel and only append in turn.
    public struct EncodedFrame: Sendable {
        let parts: [[UInt8]]
        public let rows: Int
        public var byteCount: Int { parts.reduce(0) { $0 + $1.count } }
    }

    /// Encodes `batch` (its live rows) as one frame.
    public static func encode(_ batch: Batch, codec: BlockCodec = .lz4) -> EncodedFrame {
        let dense = batch.compacted()
        var header = ByteWriter(capacity: 12 + dense.columns.count * 24)
        header.u32(Self.magic)
        header.u32(UInt32(dense.count))
        header.u32(UInt32(dense.columns.count))
        var payloads: [[UInt8]] = []
        for column in dense.columns {
            let chunk = ChunkEncoder.encode(column)
            let stored = codec.compress(chunk.body, acceleration: Self.acceleration)
            header.u8(chunk.encoding.rawValue)
            header.u8(codec.code)
            header.u16(0)
            header.u32(UInt32(column.nullCount))
            header.u32(UInt32(chunk.body.count))
            header.u32(UInt32(stored.count))
            header.u64(Checksum.xxh64(stored))
            payloads.append(stored)
        }
        return EncodedFrame(parts: [header.bytes] + payloads, rows: dense.count)
    }

    /// Appends `batch` (its live rows) as one frame.
    /// - Returns: the bytes written.
    /// - Throws: `.diskLimit` past `--max-temp-size`; `.io` if the write fails.
    @discardableResult
    public func append(_ batch: Batch) throws(BatonError) -> Int {
        try append(Self.encode(batch, codec: codec))
    }

    /// Appends a frame encoded by `encode` (with this file's codec).
    @discardableResult
    public func append(_ frame: EncodedFrame) throws(BatonError) -> Int {
        let length = frame.byteCount
        try space.charge(length, for: consumer)
        var offset = end
        end += length
        for part in frame.parts {
            try write(part, at: offset)
            offset += part.count
        }
        frames.append((offset: end - length, length: length, rows: frame.rows))
        return length
    }

    private func write(_ bytes: [UInt8], at offset: Int) throws(BatonError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { raw in pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(offset + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason = String(cString: strerror(errno))
                throw BatonError(.io, "\(consumer): cannot write a spill file: \(reason)", at: .init(file: space.directory),
                                 hint: "free space on the disk of --temp-dir, or point it elsewhere")
            }
            done += n
        }
    }

    /// Frame `index` as a batch of `schema`.
    /// - Throws: `.checksumMismatch` or `.corrupt` if the bytes read back are not the ones written.
    public func read(_ index: Int, schema: Schema) throws(BatonError) -> Batch {
        let frame = frames[index]
        var bytes = [UInt8](repeating: 0, count: frame.length)
        var done = 0
        while done < frame.length {
            let n = bytes.withUnsafeMutableBytes { raw in pread(fd, raw.baseAddress! + done, raw.count - done, off_t(frame.offset + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw BatonError(.io, "\(consumer): cannot read a spill file back: \(String(cString: strerror(errno)))",
                                 at: .init(file: space.directory))
            }
            done += n
        }
        let result = bytes.withUnsafeBytes { raw in Result { () throws(BatonError) -> Batch in
            var reader = ByteReader(raw, what: "spill frame")
            guard try reader.u32() == Self.magic, try reader.u32() == UInt32(frame.rows),
                  try reader.u32() == UInt32(schema.count) else {
                throw BatonError(.corrupt, "\(consumer): a spill frame does not start as written", at: .init(file: space.directory))
            }
            var headers: [(Encoding, BlockCodec, Int, Int, Int, UInt64)] = []
            for _ in 0..<schema.count {
                let code = try reader.u8()
                let codec = try BlockCodec(code: try reader.u8(), level: 0)
                _ = try reader.u16()
                let nulls = Int(try reader.u32()), size = Int(try reader.u32()), stored = Int(try reader.u32())
                guard let encoding = Encoding(rawValue: code) else {
                    throw BatonError(.corrupt, "\(consumer): unknown encoding \(code) in a spill frame")
                }
                headers.append((encoding, codec, nulls, size, stored, try reader.u64()))
            }
            var columns: [Column] = []
            for (field, (encoding, codec, nulls, size, stored, checksum)) in zip(schema.fields, headers) {
                let part = try reader.bytes(stored)
                guard Checksum.xxh64(part) == checksum else {
                    throw BatonError(.checksumMismatch, "\(consumer): a spill file changed on disk",
                                     at: .init(file: space.directory, column: field.name), hint: "check the disk of --temp-dir")
                }
                let body = try codec.decompress(part, size: size)
                columns.append(try ChunkDecoder.decode(body, size: size, type: field.type, encoding: encoding,
                                                       count: frame.rows, nullCount: nulls))
            }
            return try Batch(schema: schema, columns: columns)
        } }
        return try result.get()
    }
}
