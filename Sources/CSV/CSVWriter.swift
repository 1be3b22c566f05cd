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
        // The buffers stay alive with `batch`; reading them through pointers keeps the row loop
        // free of reference counting and of a switch that copies arrays out of each column.
        try withExtendedLifetime(batch) { () throws(BatonError) in
            let sources = batch.columns.map(FieldSource.init)
            let null = nullBytes
            for row in rows {
                for (c, source) in sources.enumerated() {
                    if c > 0 { sink.byte(options.delimiter) }
                    if let validity = source.validity, validity[row >> 6] & (1 << UInt64(row & 63)) == 0 {
                        null.withUnsafeBytes { sink.bytes($0) }
                        continue
                    }
                    switch source.values {
                    case .int64(let v): sink.integer(v[row])
                    case .timestamp(let v): sink.text(Temporal.formatTimestamp(v[row]))
                    case .date(let v): sink.text(Temporal.formatDate(v[row]))
                    case .float64(let v): sink.double(v[row])
                    case .bool(let words): sink.text(words[row >> 6] & (1 << UInt64(row & 63)) != 0 ? "true" : "false")
                    case .string(let offsets, let bytes):
                        field(UnsafeRawBufferPointer(rebasing: bytes[Int(offsets[row])..<Int(offsets[row + 1])]))
                    case .dictionary(let codes, let offsets, let bytes):
                        let code = Int(codes[row])
                        field(UnsafeRawBufferPointer(rebasing: bytes[Int(offsets[code])..<Int(offsets[code + 1])]))
                    }
                }
                sink.byte(10)
                try sink.flushIfFull()
            }
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

/// A column's buffers as pointers, for the writer's row loop. Valid while the column lives.
private struct FieldSource {
    enum Values {
        case int64(UnsafeBufferPointer<Int64>)
        case timestamp(UnsafeBufferPointer<Int64>)
        case date(UnsafeBufferPointer<Int32>)
        case float64(UnsafeBufferPointer<Double>)
        case bool(UnsafeBufferPointer<UInt64>)
        case string(UnsafeBufferPointer<Int32>, UnsafeRawBufferPointer)
        case dictionary(UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Int32>, UnsafeRawBufferPointer)
    }
    let values: Values
    let validity: UnsafeBufferPointer<UInt64>?

    init(_ column: Column) {
        validity = column.validity.map { $0.words.withUnsafeBufferPointer { $0 } }
        switch column.storage {
        case .int64(let v):
            let p = v.withUnsafeBufferPointer { $0 }
            values = column.type == .timestamp ? .timestamp(p) : .int64(p)
        case .int32(let v): values = .date(v.withUnsafeBufferPointer { $0 })
        case .float64(let v): values = .float64(v.withUnsafeBufferPointer { $0 })
        case .bool(let v): values = .bool(v.words.withUnsafeBufferPointer { $0 })
        case .string(let s):
            values = .string(s.offsets.withUnsafeBufferPointer { $0 }, s.bytes.withUnsafeBytes { $0 })
        case .dictionary(let codes, let s):
            values = .dictionary(codes.withUnsafeBufferPointer { $0 }, s.offsets.withUnsafeBufferPointer { $0 },
                                 s.bytes.withUnsafeBytes { $0 })
        }
    }
}
