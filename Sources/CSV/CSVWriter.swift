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
            let delimiter = options.delimiter
            for row in rows {
                for (c, source) in sources.enumerated() {
                    if c > 0 { sink.byte(delimiter) }
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
                        let start = Int(offsets[row])
                        field(bytes + start, Int(offsets[row + 1]) &- start)
                    case .dictionary(let codes, let offsets, let bytes):
                        let code = Int(codes[row])
                        let start = Int(offsets[code])
                        field(bytes + start, Int(offsets[code + 1]) &- start)
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

    /// Writes one string field, quoted when it must be. The bytes are copied while they are
    /// checked (one pass; most fields need no quotes), and rewritten quoted when they do.
    @inline(__always)
    private mutating func field(_ start: UnsafePointer<UInt8>, _ count: Int) {
        let quote = options.quote
        let delimiter = options.delimiter
        let p = sink.reserve(count)
        var special = false
        for i in 0..<count {
            let b = start[i]
            p[i] = b
            special = special || b == delimiter || b == quote || b == 10 || b == 13
        }
        // A value that reads as null unquoted (empty, or equal to the null string) is quoted,
        // and so is one with a space at either end (readers trim those).
        if count == 0 {
            special = options.nullString.isEmpty
        } else {
            special = special || start[0] == 32 || start[count &- 1] == 32
                || (count == nullBytes.count && nullBytes.withUnsafeBytes { $0.elementsEqual(UnsafeRawBufferPointer(start: start, count: count)) })
        }
        guard special else {
            sink.commit(upTo: p + count)
            return
        }
        sink.byte(quote)
        for i in 0..<count {
            let b = start[i]
            if b == quote { sink.byte(quote) }
            sink.byte(b)
        }
        sink.byte(quote)
    }

    /// A header name, quoted as a field would be.
    private mutating func field(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { field(UnsafePointer(bitPattern: 1)!, 0); return }
        field(base.assumingMemoryBound(to: UInt8.self), bytes.count)
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
        case string(UnsafeBufferPointer<Int32>, UnsafePointer<UInt8>)
        case dictionary(UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Int32>, UnsafePointer<UInt8>)
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
            values = .string(s.offsets.withUnsafeBufferPointer { $0 }, Self.start(s.bytes))
        case .dictionary(let codes, let s):
            values = .dictionary(codes.withUnsafeBufferPointer { $0 }, s.offsets.withUnsafeBufferPointer { $0 },
                                 Self.start(s.bytes))
        }
    }

    /// The first byte's address; a valid placeholder for no bytes (never read then).
    private static func start(_ bytes: [UInt8]) -> UnsafePointer<UInt8> {
        bytes.withUnsafeBufferPointer { $0.baseAddress } ?? UnsafePointer(bitPattern: 1)!
    }
}
