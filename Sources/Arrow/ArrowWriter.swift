import Codecs
import Columns

/// Writes Baton batches as an Arrow IPC stream or an IPC file (Feather v2).
///
/// Streaming: each batch becomes one record batch as soon as it is written. A string column
/// whose first batch is dictionary-encoded is written as `dictionary<int32, utf8>`: the
/// dictionaries of all its batches are merged into one, codes remapped, so the stream sends
/// the first dictionary and then only deltas (new values). The file format may not carry
/// deltas (Arrow C++ rejects them), so a file gets each merged dictionary once, after the
/// record batches, where its footer points.
///
/// Phases: the schema message waits for the first batch (which decides the encodings), then
/// record batches (and, in a stream, dictionary batches), then the end marker (and footer).
public final class ArrowWriter {
    public enum Format: Sendable { case stream, file }

    public let schema: Schema
    public let format: Format
    public let options: ArrowWriteOptions
    private let sink: (UnsafeRawBufferPointer) throws(BatonError) -> Void
    private var arrow: ArrowSchema?
    private var offset = 0
    /// Per column: the merged dictionary (nil for plain columns), and how many of its values
    /// the output has been sent.
    private var dictionaries: [ByteHashTable?] = []
    private var sent: [Int] = []
    private var dictionaryBlocks: [FileBlock] = []
    private var batchBlocks: [FileBlock] = []
    public private(set) var rowsWritten = 0

    public init(schema: Schema, format: Format, options: ArrowWriteOptions = ArrowWriteOptions(),
                sink: @escaping (UnsafeRawBufferPointer) throws(BatonError) -> Void) {
        self.schema = schema
        self.format = format
        self.options = options
        self.sink = sink
    }

    private var codec: FrameCodec? {
        switch options.compression {
        case .none: nil
        case .lz4: .lz4Frame
        case .zstd: .zstd
        }
    }

    private func emit(_ bytes: [UInt8]) throws(BatonError) {
        try withRawBytes(bytes) { (raw) throws(BatonError) in try sink(raw) }
        offset += bytes.count
    }

    /// Writes one framed message: continuation marker, metadata length, metadata (padded to 8
    /// bytes), body (already padded).
    private func message(kind: UInt8, header: FlatValue, body: [UInt8]) throws(BatonError) -> FileBlock {
        let metadata = ArrowMessage.flat(kind: kind, header: header, bodyLength: body.count)
        var framed: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF]
        framed.appendLittleEndian(Int32(metadata.count))
        framed += metadata
        let block = FileBlock(offset: offset, metadataLength: framed.count, bodyLength: body.count)
        try emit(framed)
        try emit(body)
        return block
    }

    private func start(dictionaryEncoded: [Bool]) throws(BatonError) {
        let arrow = ArrowSchema(schema, dictionaries: dictionaryEncoded, options: options)
        self.arrow = arrow
        dictionaries = dictionaryEncoded.map { $0 ? ByteHashTable(limit: Int(Int32.max)) : nil }
        sent = [Int](repeating: 0, count: schema.count)
        if format == .file { try emit(ArrowFileLayout.magic + [0, 0]) }
        _ = try message(kind: ArrowMessage.headerSchema, header: arrow.flat, body: [])
    }

    public func write(_ batch: Batch) throws(BatonError) {
        let batch = batch.compacted()
        if arrow == nil {
            try start(dictionaryEncoded: batch.columns.map { if case .dictionary = $0.storage { true } else { false } })
        }
        guard batch.count > 0 else { return }
        var body = BodyBuilder(codec: codec)
        var nodes: [RecordBatchLayout.Node] = []
        for (i, column) in batch.columns.enumerated() {
            nodes.append(.init(length: column.count, nullCount: column.nullCount))
            body.add(column.validity?.bytes ?? [])
            if let table = dictionaries[i] {
                body.add(Self.codes(column, table))
            } else {
                try body.addValues(column)
            }
        }
        if format == .stream {
            for i in dictionaries.indices { try sendDictionary(i) }
        }
        let layout = RecordBatchLayout(length: batch.count, nodes: nodes, buffers: body.buffers, compression: codec)
        batchBlocks.append(try message(kind: ArrowMessage.headerRecordBatch, header: layout.flat, body: body.bytes))
        rowsWritten += batch.count
    }

    /// Sends the values of column `i`'s dictionary not yet sent: all of them the first time, a
    /// delta afterwards.
    private func sendDictionary(_ i: Int) throws(BatonError) {
        guard let table = dictionaries[i] else { return }
        let first = sent[i] == 0 && (format == .file || batchBlocks.isEmpty)
        guard first || table.count > sent[i] else { return }
        let all = table.values
        let values = sent[i] == 0 ? all : all.slice(sent[i]..<all.count)
        var body = BodyBuilder(codec: codec)
        body.add([])
        try body.addValues(Column(.string, .string(values)))
        let layout = RecordBatchLayout(length: values.count, nodes: [.init(length: values.count, nullCount: 0)],
                                       buffers: body.buffers, compression: codec)
        let header = FlatValue.table([.int64(Int64(i)), .value(layout.flat), .bool(sent[i] > 0)])
        dictionaryBlocks.append(try message(kind: ArrowMessage.headerDictionaryBatch, header: header, body: body.bytes))
        sent[i] = table.count
    }

    /// Ends the output: the end-of-stream marker, and for a file its dictionaries and footer.
    public func finish() throws(BatonError) {
        if arrow == nil { try start(dictionaryEncoded: [Bool](repeating: false, count: schema.count)) }
        if format == .file {
            for i in dictionaries.indices { try sendDictionary(i) }
        }
        try emit([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        guard format == .file, let arrow else { return }
        var footer = ArrowFileLayout.footerBytes(schema: arrow, dictionaries: dictionaryBlocks, batches: batchBlocks)
        footer.appendLittleEndian(Int32(footer.count))
        try emit(footer + ArrowFileLayout.magic)
    }

    /// Column codes against the merged dictionary `table` (null rows get code 0).
    private static func codes(_ column: Column, _ table: ByteHashTable) -> [UInt8] {
        var codes = [Int32](repeating: 0, count: column.count)
        switch column.storage {
        case .dictionary(let local, let values):
            var map = [Int32](repeating: 0, count: values.count)
            for j in 0..<values.count { map[j] = values.withBytes(at: j) { table.intern($0) ?? 0 } }
            // Every code is in range (a Column invariant), so the remap needs no checks.
            map.withUnsafeBufferPointer { m in
                local.withUnsafeBufferPointer { l in
                    codes.withUnsafeMutableBufferPointer { c in
                        for r in 0..<l.count { c[r] = m[Int(l[r])] }
                    }
                }
            }
        case .string(let strings):
            for r in 0..<strings.count where !column.isNull(r) { codes[r] = strings.withBytes(at: r) { table.intern($0) ?? 0 } }
        default:
            preconditionFailure("a dictionary-encoded column holds strings")
        }
        return codes.withUnsafeBytes { Array($0) }
    }
}

/// A record batch body under construction: buffers back to back, each padded to 8 bytes, each
/// compressed (with its uncompressed length in front, or -1 when compression would not shrink it).
struct BodyBuilder {
    let codec: FrameCodec?
    private(set) var bytes: [UInt8] = []
    private(set) var buffers: [RecordBatchLayout.Buffer] = []

    init(codec: FrameCodec?) { self.codec = codec }

    mutating func add(_ buffer: [UInt8]) {
        buffer.withUnsafeBytes { add($0) }
    }

    mutating func add(_ raw: UnsafeRawBufferPointer) {
        let start = bytes.count
        if raw.count > 0 {
            if let codec {
                let packed = codec.compress(raw)
                if packed.count < raw.count {
                    bytes.appendLittleEndian(Int64(raw.count))
                    bytes += packed
                } else {
                    bytes.appendLittleEndian(Int64(-1))
                    bytes += raw
                }
            } else {
                bytes += raw
            }
        }
        buffers.append(.init(offset: start, length: bytes.count - start))
        while bytes.count % 8 != 0 { bytes.append(0) }
    }

    /// The value buffers of a plain column (dictionary storage is decoded to utf8).
    mutating func addValues(_ column: Column) throws(BatonError) {
        switch column.storage {
        case .int64(let v): v.withUnsafeBytes { add($0) }
        case .int32(let v): v.withUnsafeBytes { add($0) }
        case .float64(let v): v.withUnsafeBytes { add($0) }
        case .bool(let bits): add(bits.bytes)
        case .string(let s):
            s.offsets.withUnsafeBytes { add($0) }
            s.bytes.withUnsafeBytes { add($0) }
        case .dictionary(let codes, let values):
            var strings = StringArray()
            for code in codes { strings.append(from: values, at: Int(code)) }
            strings.offsets.withUnsafeBytes { add($0) }
            strings.bytes.withUnsafeBytes { add($0) }
        }
    }
}
