import Columns

/// Options of the CSV writer.
public struct CSVWriteOptions: Sendable {
    public var delimiter: UInt8 = UInt8(ascii: ",")
    public var quote: UInt8 = UInt8(ascii: "\"")
    public var header = true
    /// Written for null values. An empty string value is written quoted (`""`) so that it
    /// reads back as a string, not a null.
    public var nullString = ""

    public init() {}
}

/// Writes batches as RFC 4180 CSV: fields are quoted when they hold the delimiter, the quote,
/// CR or LF, or leading/trailing spaces, and quotes inside are doubled.
///
/// Streaming; order-preserving; buffers at most one output block.
public struct CSVWriter {
    public let schema: Schema
    public let options: CSVWriteOptions
    private var sink: TextSink
    private var wroteHeader = false
    private let nullBytes: [UInt8]

    public init(schema: Schema, options: CSVWriteOptions = CSVWriteOptions(), sink: TextSink) {
        self.schema = schema
        self.options = options
        self.sink = sink
        nullBytes = Array(options.nullString.utf8)
    }

    public mutating func write(_ batch: Batch) throws(BatonError) {
        if options.header && !wroteHeader {
            for (i, name) in schema.names.enumerated() {
                if i > 0 { sink.byte(options.delimiter) }
                var name = name
                name.withUTF8 { field(UnsafeRawBufferPointer($0)) }
            }
            sink.byte(10)
            wroteHeader = true
        }
        let rows = batch.selection?.indices.map(Int.init) ?? Array(0..<batch.physicalCount)
        let null = Array(options.nullString.utf8)
        for row in rows {
            for (c, column) in batch.columns.enumerated() {
                if c > 0 { sink.byte(options.delimiter) }
                if column.isNull(row) {
                    null.withUnsafeBytes { sink.bytes($0) }
                    continue
                }
                switch column.storage {
                case .int64(let v):
                    if column.type == .timestamp { sink.text(Temporal.formatTimestamp(v[row])) } else { sink.integer(v[row]) }
                case .int32(let v): sink.text(Temporal.formatDate(v[row]))
                case .float64(let v): sink.double(v[row])
                case .bool(let v): sink.text(v[row] ? "true" : "false")
                case .string(let v): v.withBytes(at: row) { field($0) }
                case .dictionary(let codes, let values): values.withBytes(at: Int(codes[row])) { field($0) }
                }
            }
            sink.byte(10)
            try sink.flushIfFull()
        }
    }

    /// Writes the header of an empty result, then flushes.
    public mutating func finish() throws(BatonError) {
        if options.header && !wroteHeader {
            try write(try Batch(schema: schema, columns: schema.fields.map { Column.empty($0.type) }))
        }
        try sink.flushNow()
    }

    private mutating func field(_ bytes: UnsafeRawBufferPointer) {
        let quote = options.quote
        // A value that reads as null unquoted (empty, or equal to the null string) is quoted.
        var needsQuotes = bytes.isEmpty ? options.nullString.isEmpty : nullBytes.withUnsafeBytes { $0.elementsEqual(bytes) }
        if let first = bytes.first, let last = bytes.last, first == 32 || last == 32 { needsQuotes = true }
        if !needsQuotes {
            for b in bytes where b == options.delimiter || b == quote || b == 10 || b == 13 {
                needsQuotes = true
                break
            }
        }
        guard needsQuotes else { sink.bytes(bytes); return }
        sink.byte(quote)
        for b in bytes {
            if b == quote { sink.byte(quote) }
            sink.byte(b)
        }
        sink.byte(quote)
    }
}
