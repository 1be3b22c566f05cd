import Codecs
import Columns
import Utilities

/// What a finished write produced.
public struct WriteSummary: Sendable {
    public var rows: Int
    public var rowGroups: Int
    /// Bytes of the file on disk.
    public var fileBytes: Int
    /// Bytes the chunk bodies would take in memory (plain, uncompressed) — the numerator of the
    /// compression ratio `baton inspect` shows.
    public var plainBytes: Int
}

/// Writes batches to a `.baton` file.
///
/// Phases: buffer batches until a row group is full → encode and compress its chunks on the
/// shared task pool (a task per column, while the caller goes on producing the next group) →
/// append them when the next group is full or at `finish()` → write the footer and trailer,
/// fsync and rename into place. At most two row groups are in memory. Until `finish()` returns, the data lives under a hidden temporary name
/// in the same directory; a writer dropped unfinished (or a failed one) removes it.
public final class BatonWriter {
    public let path: String
    public let schema: Schema
    public let options: WriteOptions
    private let file: AtomicOutputFile
    private var pending: [[Column]]
    private var pendingRows = 0
    private var pendingBytes = 0
    /// Set by the first failed write; every later write or finish is refused.
    private var failure: BatonError?
    /// The row group whose chunks are being encoded on the task pool.
    private var inFlight: (group: TaskGroup<([UInt8], ChunkMetadata)>, order: [Int], rows: Int)?
    private var rowGroups: [RowGroupMetadata] = []
    private var plainBytes = 0
    private var finished = false

    public init(path: String, schema: Schema, options: WriteOptions = WriteOptions()) throws(BatonError) {
        guard options.rowGroupSize > 0 && options.rowGroupSize <= FileLayout.maxRowGroupRows else {
            throw BatonError(.invalidInput, "row group size must be from 1 to \(FileLayout.maxRowGroupRows)",
                             at: .init(text: String(options.rowGroupSize)), hint: "for example --row-group-size 1048576")
        }
        self.path = path
        self.schema = schema
        self.options = options
        pending = Array(repeating: [], count: schema.count)
        file = try AtomicOutputFile(path: path)
        try file.write(FileLayout.magic)
    }

    /// Buffers the batch's live rows, writing every row group it completes.
    public func write(_ batch: Batch) throws(BatonError) {
        precondition(!finished, "write after finish")
        try ensureHealthy()
        do throws(BatonError) { try buffer(batch) } catch {
            // Rows may be lost and the file's offsets wrong: nothing more may be written.
            failure = error
            throw error
        }
    }

    /// A writer whose write failed keeps failing: its file could not be finished correctly.
    private func ensureHealthy() throws(BatonError) {
        if let failure {
            throw BatonError(failure.kind, "an earlier write failed (\(failure.message)); the file is abandoned",
                             at: .init(file: path), hint: "abort this writer and write the file again")
        }
    }

    private func buffer(_ batch: Batch) throws(BatonError) {
        guard batch.schema == schema else {
            throw BatonError(.invalidInput, "batch schema (\(batch.schema)) differs from the file's (\(schema))",
                             at: .init(file: path))
        }
        let dense = batch.compacted()
        let batchBytes = dense.columns.reduce(0) { $0 + Self.plainSize($1) }
        var offset = 0
        while offset < dense.count {
            var take = min(dense.count - offset, options.rowGroupSize - pendingRows)
            // Keep the group near the byte cap: take a share of rows proportional to the room left.
            let room = options.maxRowGroupBytes - pendingBytes
            if batchBytes > 0, take * batchBytes / max(dense.count, 1) > room {
                take = max(1, min(take, room * dense.count / batchBytes))
            }
            for (i, column) in dense.columns.enumerated() {
                let slice = column.slice(offset..<offset + take)
                pendingBytes += Self.plainSize(slice)
                pending[i].append(slice)
            }
            pendingRows += take
            offset += take
            if pendingRows == options.rowGroupSize || pendingBytes >= options.maxRowGroupBytes { try flush() }
        }
    }

    /// Writes the last row group, the footer and the trailer, and renames the file into place.
    @discardableResult
    public func finish() throws(BatonError) -> WriteSummary {
        precondition(!finished, "finish twice")
        finished = true
        do throws(BatonError) {
            try ensureHealthy()
            if pendingRows > 0 { try flush() }
            try collect()
            var footer = Footer(formatVersion: FileLayout.formatVersion, schema: schema, rowGroups: rowGroups,
                                metadata: [("created_by", "baton \(batonVersion)")])
            footer.metadata += options.metadata
            let footerBytes = footer.encoded()
            var trailer = ByteWriter()
            trailer.u64(UInt64(footerBytes.count))
            trailer.u64(Checksum.xxh64(footerBytes))
            trailer.u32(FileLayout.formatVersion)
            trailer.append(FileLayout.tailMagic)
            try file.write(footerBytes)
            try file.write(trailer.bytes)
            try file.commit()
            return WriteSummary(rows: footer.rowCount, rowGroups: rowGroups.count, fileBytes: file.offset,
                                plainBytes: plainBytes)
        } catch {
            _ = inFlight?.group.wait()
            inFlight = nil
            file.abort()
            throw error
        }
    }

    /// Drops everything written so far; the destination is left as it was.
    public func abort() {
        finished = true
        _ = inFlight?.group.wait()  // the tasks finish before the writer goes
        inFlight = nil
        file.abort()
    }

    private func flush() throws(BatonError) {
        let parts = pending
        let rows = pendingRows
        pending = Array(repeating: [], count: schema.count)
        pendingRows = 0
        pendingBytes = 0
        let codec = options.codec, encoding = options.encoding
        // Largest columns first, so that the longest chunk does not start last.
        let sizes = parts.map { $0.reduce(0) { $0 + Self.plainSize($1) } }
        let order = parts.indices.sorted { sizes[$0] > sizes[$1] }
        if options.threads <= 1 {
            let encoded = parts.map { Self.encodeChunk(Column.concatenate($0), encoding: encoding, codec: codec) }
            try append(encoded, rows: rows)
            return
        }
        // Encoding runs on the shared task pool while the caller produces the next row group;
        // this row group's chunks are written when the next flush (or finish) collects them.
        let handOff = PartsHandOff(parts)
        let group = TaskGroup(order.count) { k in
            Self.encodeChunk(Column.concatenate(handOff.take(order[k])), encoding: encoding, codec: codec)
        }
        // Keep the new group reachable before writing the previous one, so that a failed write
        // leaves it where `abort()` waits for it.
        let previous = inFlight
        inFlight = (group, order, rows)
        if let previous { try write(previous) }
    }

    /// Writes the chunks of the row group being encoded, if any, waiting for them (and helping).
    private func collect() throws(BatonError) {
        guard let previous = inFlight else { return }
        inFlight = nil
        try write(previous)
    }

    private func write(_ inFlight: (group: TaskGroup<([UInt8], ChunkMetadata)>, order: [Int], rows: Int)) throws(BatonError) {
        let (group, order, rows) = inFlight
        let byOrder = group.wait()
        var encoded = byOrder
        for (k, column) in order.enumerated() { encoded[column] = byOrder[k] }
        try append(encoded, rows: rows)
    }

    private func append(_ encoded: [([UInt8], ChunkMetadata)], rows: Int) throws(BatonError) {
        var chunks: [ChunkMetadata] = []
        for (stored, var metadata) in encoded {
            metadata.offset = file.offset
            try file.write(stored)
            chunks.append(metadata)
        }
        plainBytes += chunks.reduce(0) { $0 + $1.plainSize }
        rowGroups.append(RowGroupMetadata(rowCount: rows, chunks: chunks))
    }

    static func encodeChunk(_ column: Column, encoding: Encoding?, codec: CodecChoice) -> ([UInt8], ChunkMetadata) {
        let chunk = ChunkEncoder.encode(column, as: encoding)
        let statistics = Statistics(of: column, distinctStrings: chunk.distinctStrings, integerRange: chunk.integerRange,
                                    floatRange: chunk.floatRange)
        let (stored, used) = codec.compress(chunk.body)
        let metadata = ChunkMetadata(offset: 0, storedSize: stored.count, bodySize: chunk.body.count,
                                     plainSize: plainSize(column),
                                     encoding: chunk.encoding, codec: used, checksum: Checksum.xxh64(stored),
                                     statistics: statistics)
        return (stored, metadata)
    }

    /// Bytes of the column as plain values plus its validity bitmap: the "uncompressed size".
    static func plainSize(_ column: Column) -> Int {
        let validity = column.validity == nil ? 0 : (column.count + 7) / 8
        switch column.storage {
        case .int64, .float64: return validity + column.count * 8
        case .int32: return validity + column.count * 4
        case .bool: return validity + (column.count + 7) / 8
        case .string(let s): return validity + column.count * 4 + s.bytes.count
        case .dictionary(let codes, let values):
            return validity + codes.count * 4 + values.totalBytes(ofCodes: codes, validity: column.validity)
        }
    }
}

/// The version `created_by` records and `baton --version` prints.
public let batonVersion = "0.1.0"

/// A row group's pending column parts, each handed to the one task that encodes its column:
/// the task takes them out, so the batches' arrays are freed as soon as that column is
/// concatenated instead of when the whole group is encoded (the next allocations then reuse
/// that memory rather than touch new pages). Tasks take distinct slots, never the same one.
private final class PartsHandOff: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<[Column]?>

    init(_ parts: [[Column]]) {
        slots = .allocate(capacity: parts.count)
        _ = slots.initialize(from: parts.map { Optional($0) })
    }

    deinit { slots.deinitialize().deallocate() }

    func take(_ column: Int) -> [Column] {
        defer { slots[column] = nil }
        return slots[column]!
    }
}
