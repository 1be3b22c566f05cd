import Columns

/// Rejected records as CSV (`line,byte_offset,column,reason,record`), the format of every
/// rejects file Baton writes (`--on-error reject=FILE`, pipeline sources with `on_error: reject`).
public struct RejectsWriter {
    public private(set) var sink: TextSink

    /// Starts the output with its header line.
    public init(sink: TextSink) {
        self.sink = sink
        self.sink.text("line,byte_offset,column,reason,record\n")
    }

    public mutating func add(_ records: [RejectedRecord]) throws(BatonError) {
        for r in records {
            sink.text("\(r.line),\(r.byteOffset),")
            field(r.column ?? "")
            sink.byte(44)
            field(r.text.map { "\(r.reason), found \"\($0)\"" } ?? r.reason)
            sink.byte(44)
            field(r.raw)
            sink.byte(10)
        }
        try sink.flushIfFull()
    }

    /// Writes out what is buffered.
    public mutating func finish() throws(BatonError) {
        try sink.flushNow()
    }

    private mutating func field(_ text: String) {
        if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || text.isEmpty {
            sink.byte(34)
            for b in text.utf8 {
                if b == 34 { sink.byte(34) }
                sink.byte(b)
            }
            sink.byte(34)
        } else {
            sink.text(text)
        }
    }
}
