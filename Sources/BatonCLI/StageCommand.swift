import ArgumentParser
import Arrow
import CSV
import Columns
import Query
import Utilities

/// The formats `baton stage` writes.
enum StageFormat: String, ExpressibleByArgument, CaseIterable {
    case arrow, csv
}

struct StageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stage",
        abstract: "Run SQL over standard input (an Arrow IPC stream or CSV) as the table input; write the result to stdout.",
        discussion: """
            The input kind is told from its first bytes: 0xFFFFFFFF (an Arrow IPC stream) or \
            ARROW1 (an Arrow IPC file, read whole, then through its footer), else CSV (the CSV options \
            apply). The result is an Arrow IPC stream (--format csv for CSV), written batch by \
            batch as the query produces it, on one thread (--threads sets the CSV parser's); \
            diagnostics go to stderr only. An input with no bytes at all is an empty \
            table: with --schema FILE it has those columns, without one only a query that names \
            no columns can run. This is the process Spark's mapInArrow or Dask runs per partition.
            Example: producer | baton stage "SELECT id, sum(v) AS v FROM input GROUP BY id" | consumer
            """)

    @Argument(help: "The query; standard input is the table input.") var sql: String
    @Option(help: "Output format: arrow (an IPC stream) or csv.") var format: StageFormat = .arrow
    @Option(help: "Compression of Arrow output buffers: none, lz4 (LZ4_FRAME) or zstd.") var codec = "none"
    @OptionGroup var csv: CSVOptions
    @OptionGroup var csvOutput: CSVOutputOptions

    func run() throws(ExitCode) {
        try BatonCLI.run { () throws(BatonError) in
            let arrowOptions = try ArrowWriteOptions(codec: codec)
            var readOptions = try csv.readOptions()
            readOptions.restartOnWidening = false
            let input = try stageInput(readOptions)
            let engine = QueryEngine(threads: csv.threads, csvOptions: readOptions, tables: ["input": input.table])
            var writer: TextWriter?
            let plan: QueryEngine.Plan
            do throws(BatonError) {
                plan = try engine.stream(sql) { (batch) throws(BatonError) in
                    if writer == nil { writer = try makeWriter(batch.schema, arrowOptions) }
                    try writer!.write(batch)
                }
            } catch {
                if input.emptyWithoutSchema {
                    var explained = error
                    explained.message = "standard input is empty, so table input has no columns: " + explained.message
                    explained.hint = "declare the input's columns with --schema FILE (see baton schema --lock)"
                    throw explained
                }
                throw error
            }
            if writer == nil { writer = try makeWriter(plan.schema, arrowOptions) }
            try writer!.finish()
        }
    }

    private func makeWriter(_ schema: Schema, _ arrowOptions: ArrowWriteOptions) throws(BatonError) -> TextWriter {
        switch format {
        case .arrow:
            TextWriter(.arrow, schema: schema, sink: Output.standardOutput(), arrow: .stream, arrowOptions: arrowOptions)
        case .csv:
            TextWriter(.csv, schema: schema, sink: Output.standardOutput(), csv: try csvOutput.writeOptions())
        }
    }

    /// Standard input as the table `input`: an Arrow stream read batch by batch, CSV through
    /// the CSV reader (which gets the peeked bytes back), or an empty table.
    private func stageInput(_ options: CSVReadOptions) throws(BatonError) -> (table: NamedTable, emptyWithoutSchema: Bool) {
        let head = try StandardInput.peek(8)
        if head.isEmpty {
            // A closed pipe with no bytes: an empty partition whose producer wrote nothing.
            if let schema = options.schema { return (.stream(.empty(schema)), false) }
            return (.stream(.empty(try Schema([]))), true)
        }
        guard case .arrow = InputKind(path: "-") else { return (.file("-"), false) }
        let reader = try openArrow("-")
        guard let schema = reader.schema else {
            let empty = try Schema([])
            return (.stream(.empty(options.schema ?? empty)), options.schema == nil)
        }
        if let declared = options.schema, declared.fields.map(\.type) != schema.fields.map(\.type) || declared.names != schema.names {
            throw BatonError(.invalidInput, "the Arrow stream's schema (\(schema)) differs from --schema (\(declared))",
                             at: .init(file: "<stdin>"), hint: "drop --schema for Arrow input, or fix the schema file")
        }
        return (.stream(BatchStream(schema: schema) { () throws(BatonError) in try reader.next() }), false)
    }
}
