import CSV
import Columns
import Utilities

/// CSV or JSON lines for stdout or a file, formatted on every thread a few batches at a time and
/// written in order: for large results the text conversion, not the query, is often the long part.
final class ParallelTextOutput {
    let format: TextFormat
    let options: CSVWriteOptions
    let threads: Int
    private var out: TextSink
    private var pending: [Batch] = []
    private var written = 0

    init(format: TextFormat, options: CSVWriteOptions, threads: Int, out: TextSink) {
        self.out = out
        self.format = format
        self.options = options
        self.threads = threads
    }

    func add(_ batch: Batch) throws(BatonError) {
        pending.append(batch)
        if pending.count >= threads { try submit() }
    }

    func finish(schema: Schema) throws(BatonError) {
        if written == 0 && pending.isEmpty {
            var writer = TextWriter(format, schema: schema, sink: out, csv: options)
            try writer.finish()
            return
        }
        try submit()
        while !inFlight.isEmpty { try writeOldest() }
        try out.flushNow()
    }

    /// Pieces being formatted on the pool, oldest first: formatting overlaps whatever the
    /// caller does next (a sort's merge, the drain of a result), and at most `threads` groups of
    /// `threads` batches are held at once.
    private var inFlight: [TaskGroup<TextSink>] = []

    private func submit() throws(BatonError) {
        guard !pending.isEmpty else { return }
        let batches = pending
        let first = written
        written += batches.count
        pending = []
        let (format, options) = (self.format, self.options)
        // Each piece is formatted into a buffer of its own and handed to the output as it is.
        let piece = { @Sendable (k: Int) -> TextSink in
            var pieceOptions = options
            pieceOptions.header = options.header && first + k == 0
            let sink = TextSink(flushThreshold: .max) { _ in }
            var writer = TextWriter(format, schema: batches[k].schema, sink: sink, csv: pieceOptions)
            // The sink never flushes, so this cannot fail; and `finish` is not called, for it
            // would flush (empty results are handled in `finish(schema:)`).
            try? writer.write(batches[k])
            return sink
        }
        if threads <= 1 {
            for k in batches.indices { try write(piece(k)) }
            return
        }
        inFlight.append(TaskGroup(batches.count, piece))
        while inFlight.count > threads { try writeOldest() }
    }

    private func writeOldest() throws(BatonError) {
        for piece in inFlight.removeFirst().wait() { try write(piece) }
    }

    private func write(_ piece: TextSink) throws(BatonError) {
        try piece.withBufferedBytes { (bytes) throws(BatonError) in try out.flush(passing: bytes) }
    }
}
