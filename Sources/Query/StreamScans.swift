import Arrow
import Columns
import Operators

/// Batches that arrive one at a time and can be read once: standard input of `baton stage`,
/// or any producer a library user plugs in as a named table.
/// `@unchecked Sendable`: read by the one thread that runs the scan over it.
public final class BatchStream: @unchecked Sendable {
    public let schema: Schema
    private let produce: () throws(BatonError) -> Batch?
    private var started = false

    /// `next` returns nil at the end; it is called from one thread at a time.
    public init(schema: Schema, next: @escaping () throws(BatonError) -> Batch?) {
        self.schema = schema
        self.produce = next
    }

    /// A stream with no rows.
    public static func empty(_ schema: Schema) -> BatchStream { BatchStream(schema: schema) { () throws(BatonError) in nil } }

    /// Marks the stream as being read; a second reading is an error (it would see no rows).
    func begin(_ name: String) throws(BatonError) {
        guard !started else {
            throw BatonError(.invalidInput, "table \(name) is a stream and is read twice", hint: "name it once in the query, or save it to a file first")
        }
        started = true
    }

    func next() throws(BatonError) -> Batch? { try produce() }
}

/// Reads a stream of batches in arrival order, keeping the chosen columns. Streaming;
/// order-preserving (morsel i is the i-th batch); never buffers.
final class StreamScan: ExecutionNode, @unchecked Sendable {
    let name: String
    let stream: BatchStream
    let columns: [Int]
    let schema: Schema
    let metrics = OperatorMetrics()
    var children: [any ExecutionNode] { [] }
    var label: String { "StreamScan \(name) columns=[\(schema.names.joined(separator: ", "))]" }

    init(name: String, stream: BatchStream, columns: [Int]) {
        self.name = name
        self.stream = stream
        self.columns = columns
        schema = stream.schema.projected(columns)
    }

    func run(_ context: ExecutionContext, _ consume: @escaping Consumer) throws(BatonError) {
        try stream.begin(name)
        var index = 0
        while !context.stopRequested, let batch = try metrics.timed({ () throws(BatonError) in try stream.next() }) {
            guard batch.count > 0 else { continue }
            let projected = try Batch(schema: schema, columns: columns.map { batch.columns[$0] }, selection: batch.selection)
            metrics.produced(projected)
            try consume(projected, MorselID([index]))
            index += 1
        }
    }
}

/// Reads an Arrow IPC file or stream file (`.arrow`, `.feather`, `.arrows`), opened afresh at
/// each run. Streaming; order-preserving; never buffers more than one record batch.
final class ArrowScan: ExecutionNode, @unchecked Sendable {
    let path: String
    let columns: [Int]
    let schema: Schema
    let metrics = OperatorMetrics()
    var children: [any ExecutionNode] { [] }
    var label: String { "ArrowScan \(path) columns=[\(schema.names.joined(separator: ", "))]" }

    init(path: String, fileSchema: Schema, columns: [Int]) {
        self.path = path
        self.columns = columns
        schema = fileSchema.projected(columns)
    }

    func run(_ context: ExecutionContext, _ consume: @escaping Consumer) throws(BatonError) {
        let reader = try ArrowReader(path: path)
        var index = 0
        while !context.stopRequested, let batch = try metrics.timed({ () throws(BatonError) in try reader.next() }) {
            let projected = try Batch(schema: schema, columns: columns.map { batch.columns[$0] })
            metrics.produced(projected)
            try consume(projected, MorselID([index]))
            index += 1
        }
    }
}
