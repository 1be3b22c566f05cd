import Columns

/// Writes batches as JSON lines: one object per row, keys in schema order. Nulls are `null`;
/// dates and timestamps are ISO 8601 strings; NaN and infinities, which JSON cannot express as
/// numbers, are the strings "NaN", "inf" and "-inf" rather than being dropped.
///
/// Streaming; order-preserving.
public struct JSONLinesWriter {
    public let schema: Schema
    private var sink: TextSink
    private let keys: [[UInt8]]

    public init(schema: Schema, sink: TextSink) {
        self.schema = schema
        self.sink = sink
        keys = schema.names.map { name in
            var key = JSONLinesWriter.escaped(Array(name.utf8))
            key.append(UInt8(ascii: ":"))
            return key
        }
    }

    public mutating func write(_ batch: Batch) throws(BatonError) {
        let rows = batch.selection?.indices.map(Int.init) ?? Array(0..<batch.physicalCount)
        for row in rows {
            sink.byte(UInt8(ascii: "{"))
            for (c, column) in batch.columns.enumerated() {
                if c > 0 { sink.byte(UInt8(ascii: ",")) }
                keys[c].withUnsafeBytes { sink.bytes($0) }
                if column.isNull(row) { sink.text("null"); continue }
                switch column.storage {
                case .int64(let v):
                    if column.type == .timestamp { string(Array(Temporal.formatTimestamp(v[row]).utf8)) } else { sink.integer(v[row]) }
                case .int32(let v): string(Array(Temporal.formatDate(v[row]).utf8))
                case .float64(let v):
                    if v[row].isFinite { sink.double(v[row]) } else { sink.byte(34); sink.double(v[row]); sink.byte(34) }
                case .bool(let v): sink.text(v[row] ? "true" : "false")
                case .string(let v): v.withBytes(at: row) { string(Array($0)) }
                case .dictionary(let codes, let values): values.withBytes(at: Int(codes[row])) { string(Array($0)) }
                }
            }
            sink.text("}\n")
            try sink.flushIfFull()
        }
    }

    public mutating func finish() throws(BatonError) { try sink.flushNow() }

    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        if bytes.allSatisfy({ $0 < 0x80 }) { return true }
        let failed = transcode(bytes.makeIterator(), from: UTF8.self, to: UTF32.self, stoppingOnError: true) { _ in }
        return !failed
    }

    private mutating func string(_ bytes: [UInt8]) {
        JSONLinesWriter.escaped(bytes).withUnsafeBytes { sink.bytes($0) }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, and invalid
    /// UTF-8 replaced by U+FFFD so that the output is always valid JSON.
    static func escaped(_ raw: [UInt8]) -> [UInt8] {
        var bytes = raw
        if !isValidUTF8(raw) { bytes = Array(String(decoding: raw, as: UTF8.self).utf8) }
        var out: [UInt8] = [34]
        let hex = Array("0123456789abcdef".utf8)
        for b in bytes {
            switch b {
            case 34: out += [92, 34]
            case 92: out += [92, 92]
            case 10: out += [92, UInt8(ascii: "n")]
            case 13: out += [92, UInt8(ascii: "r")]
            case 9: out += [92, UInt8(ascii: "t")]
            case 0..<32: out += [92, UInt8(ascii: "u"), 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: out.append(b)
            }
        }
        out.append(34)
        return out
    }
}
