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
        if pending.count >= max(4, threads * 2) { try flush() }
    }

    func finish(schema: Schema) throws(BatonError) {
        if written == 0 && pending.isEmpty {
            var writer = TextWriter(format, schema: schema, sink: out, csv: options)
            try writer.finish()
            return
        }
        try flush()
        try out.flushNow()
    }

    private func flush() throws(BatonError) {
        let batches = pending
        let first = written
        let (format, options) = (self.format, self.options)
        // Each piece is formatted into a buffer of its own and handed to stdout as it is.
        let pieces = parallelMap(batches.count, threads: threads) { k -> TextSink in
            var piece = options
            piece.header = options.header && first + k == 0
            let sink = TextSink(flushThreshold: .max) { _ in }
            var writer = TextWriter(format, schema: batches[k].schema, sink: sink, csv: piece)
            // The sink never flushes, so this cannot fail; and `finish` is not called, for it
            // would flush (empty results are handled in `finish(schema:)`).
            try? writer.write(batches[k])
            return sink
        }
        for piece in pieces {
            try piece.withBufferedBytes { (bytes) throws(BatonError) in try out.flush(passing: bytes) }
        }
        written += batches.count
        pending = []
    }
}
