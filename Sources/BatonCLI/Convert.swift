import ArgumentParser
import Arrow
import CSV
import Columns
import Storage
import Utilities

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert between CSV, Baton files, JSON lines and Arrow IPC.",
        discussion: """
            Formats follow the file names: .baton, .csv, .jsonl, .arrow/.feather (Arrow IPC file), \
            .arrows (Arrow IPC stream); inputs are recognised by their first bytes. '-' is standard \
            input (CSV, plain or gzip/zstd/lz4 compressed, or Arrow IPC) or standard output (--format). The output is \
            written under a temporary name and renamed into place when complete. The end of the \
            run reports rows read, rejected and widened on stderr.
            """)

    @Argument(help: "Input: a CSV file (optionally compressed), a .baton file, or - for stdin.") var input: String
    @Argument(help: "Output: a .baton, .csv or .jsonl file, or - for stdout.") var output: String
    @Option(help: "Format of stdout output: csv, jsonl or arrow (an IPC stream).") var format: TextFormat = .csv
    @Option(help: "Comma-separated columns to keep, in this order (default: all).") var columns: String?
    @Option(help: "Codec for .baton output: auto, none, lz4, zstd or zstd:LEVEL; for Arrow output: none, lz4 (LZ4_FRAME) or zstd.") var codec = "auto"
    @Option(help: "Rows per row group for .baton output.") var rowGroupSize = 1 << 20
    @OptionGroup var csv: CSVOptions
    @OptionGroup var csvOutput: CSVOutputOptions

    func run() throws(ExitCode) {
        try BatonCLI.run { () throws(BatonError) in
            let names = columns.map { $0.split(separator: ",").map { String($0).trimmingWhitespace() } }
            let target = output == "-" ? OutputKind.text(format) : try OutputKind(path: output)
            var sink = try ConvertSink(target: target, path: output, codec: try CodecChoice(parsing: codec),
                                       rowGroupSize: rowGroupSize, threads: csv.threads, csvOptions: try csvOutput.writeOptions(),
                                       arrowOptions: try ArrowWriteOptions(codec: codec))
            do throws(BatonError) {
                switch InputKind(path: input) {
                case .arrow:
                    let reader = try openArrow(input)
                    guard let schema = reader.schema else {
                        throw BatonError(.invalidInput, "the Arrow stream is empty: it has no schema", at: .init(file: reader.name),
                                         hint: "the producer wrote no bytes; nothing to convert")
                    }
                    let indices = try names.map { (n) throws(BatonError) in try schema.indices(of: n) } ?? Array(schema.fields.indices)
                    let projected = schema.projected(indices)
                    try sink.begin(projected, restarted: false)
                    var rows = 0
                    while let batch = try reader.next() {
                        rows += batch.count
                        try sink.write(try Batch(schema: projected, columns: indices.map { batch.columns[$0] }))
                    }
                    try sink.finish()
                    Output.standardError("read \(rows) rows from \(reader.name)\n")
                case .baton:
                    let reader = try BatonReader(path: input)
                    let projected = reader.schema.projected(try reader.columnIndices(names))
                    try sink.begin(projected, restarted: false)
                    let summary = try reader.scan(columns: names, threads: csv.threads) { (batch) throws(BatonError) in
                        try sink.write(batch)
                    }
                    try sink.finish()
                    Output.standardError("read \(summary.rowsReturned) rows from \(input)\n")
                case .csv:
                    var options = try csv.readOptions()
                    options.columns = names
                    // Standard output cannot take back what it printed; a file can start over.
                    if output == "-" { options.restartOnWidening = false }
                    let reader = try CSVReader(path: input, options: options)
                    let rejects = try Rejects(options.onError)
                    let summary = try reader.read(
                        onSchema: { (schema, restarted) throws(BatonError) in
                            if restarted { try rejects.reset() }
                            try sink.begin(schema, restarted: restarted)
                        },
                        onRejected: { (records) throws(BatonError) in try rejects.add(records) },
                        { (batch) throws(BatonError) in try sink.write(batch) })
                    try sink.finish()
                    try rejects.commit()
                    report(summary, input: input)
                }
            } catch {
                sink.abort()
                throw error
            }
        }
    }
}

/// The rejects file of `--on-error reject=FILE`, if any.
final class Rejects {
    let path: String?
    var file: RejectsFile?

    init(_ policy: OnError) throws(BatonError) {
        if case .reject(let path) = policy {
            self.path = path
            file = try RejectsFile(path: path)
        } else {
            path = nil
        }
    }

    func add(_ records: [RejectedRecord]) throws(BatonError) { try file?.add(records) }
    func commit() throws(BatonError) { try file?.commit() }

    /// Starts the file over: the input is being read again from the start.
    func reset() throws(BatonError) {
        guard let path else { return }
        file?.file.abort()
        file = try RejectsFile(path: path)
    }
}

/// Where converted batches go: a Baton writer, or a text writer on a file or stdout.
struct ConvertSink {
    let target: OutputKind
    let path: String
    let codec: CodecChoice
    let rowGroupSize: Int
    let threads: Int
    let csvOptions: CSVWriteOptions
    var baton: BatonWriter?
    var text: TextWriter?
    var file: AtomicOutputFile?
    var schema: Schema?
    var rows = 0
    let arrowOptions: ArrowWriteOptions

    init(target: OutputKind, path: String, codec: CodecChoice, rowGroupSize: Int, threads: Int,
         csvOptions: CSVWriteOptions, arrowOptions: ArrowWriteOptions = ArrowWriteOptions()) throws(BatonError) {
        self.csvOptions = csvOptions
        self.arrowOptions = arrowOptions
        self.target = target
        self.path = path
        self.codec = codec
        self.rowGroupSize = rowGroupSize
        self.threads = threads
    }

    /// Starts the output for `schema`. A restart discards what was written; a schema change
    /// without one is fine for text (columns keep their names) but not for a Baton file.
    mutating func begin(_ schema: Schema, restarted: Bool) throws(BatonError) {
        defer { self.schema = schema }
        if self.schema != nil && !restarted {
            if case .baton = target, rows > 0 {
                throw BatonError(.invalidInput, "a column had to be widened after rows were written",
                                 at: .init(file: path), hint: "standard input cannot be read twice: pass --schema FILE (see baton schema --lock)")
            }
            if case .baton = target {} else { return }
        }
        abort()
        rows = 0
        switch target {
        case .baton:
            baton = try BatonWriter(path: path, schema: schema,
                                    options: WriteOptions(rowGroupSize: rowGroupSize, codec: codec, threads: threads))
        case .text(let format):
            if path == "-" {
                text = TextWriter(format, schema: schema, sink: Output.standardOutput(), csv: csvOptions,
                                  arrow: .stream, arrowOptions: arrowOptions)
            } else {
                let file = try AtomicOutputFile(path: path)
                self.file = file
                text = TextWriter(format, schema: schema, sink: Output.file(file), csv: csvOptions,
                                  arrow: arrowLayout(path: path), arrowOptions: arrowOptions)
            }
        }
    }

    mutating func write(_ batch: Batch) throws(BatonError) {
        rows += batch.count
        if let baton {
            // After a mid-stream widening on stdin the batch has the wider schema: impossible here
            // (begin threw), so the schemas always agree.
            try baton.write(batch)
        } else {
            try text!.write(batch)
        }
    }

    mutating func finish() throws(BatonError) {
        if let baton { try baton.finish() }
        if text != nil {
            try text!.finish()
            try file?.commit()
        }
        baton = nil
        text = nil
        file = nil
    }

    mutating func abort() {
        baton?.abort()
        file?.abort()
        baton = nil
        text = nil
        file = nil
    }
}
