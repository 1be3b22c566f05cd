import ArgumentParser
import Storage
import Pipeline
import Foundation
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

    @Argument(help: "The query; standard input is the table input.") var sql: String?
    @Option(help: "Instead of a query: a pipeline file whose sources and transforms run over the table input (sinks do not run; checks do).")
    var pipeline: String?
    @Option(help: "With --pipeline: the transform whose result is the output (default: the one no other transform reads).")
    var outputStage: String?
    @Option(name: .customLong("var"), help: "With --pipeline: a variable for ${name}: name=value (repeatable).") var variables: [String] = []
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
            if let pipeline {
                guard sql == nil else { throw BatonError(.invalidInput, "give a query or --pipeline, not both") }
                try runPipeline(pipeline, input: input.table, readOptions: readOptions, arrowOptions: arrowOptions)
                return
            }
            guard let sql else { throw BatonError(.invalidInput, "baton stage needs a query or --pipeline FILE") }
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

    /// `--pipeline`: the input is kept in a scratch directory as a Baton file (stages may read
    /// it more than once), then the pipeline's stages run over it up to the output stage.
    private func runPipeline(_ path: String, input: NamedTable, readOptions: CSVReadOptions,
                             arrowOptions: ArrowWriteOptions) throws(BatonError) {
        var values: [String: String] = [:]
        for v in variables {
            guard let eq = v.firstIndex(of: "=") else { throw BatonError(.invalidInput, "--var needs name=value, found '\(v)'") }
            values[String(v[..<eq])] = String(v[v.index(after: eq)...])
        }
        var template = Array((NSTemporaryDirectory() + "baton-stage-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw BatonError(.io, "cannot create a scratch directory", at: .init(file: NSTemporaryDirectory()))
        }
        let scratch = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let inputPath = scratch + "/input.baton"
        // Standard input is read once: the writer starts with the first batch.
        let loader = QueryEngine(threads: csv.threads, csvOptions: readOptions, tables: ["input": input])
        var writer: BatonWriter?
        let inputSchema: Schema
        do throws(BatonError) {
            let plan = try loader.run("SELECT * FROM input") { (batch) throws(BatonError) in
                if writer == nil { writer = try BatonWriter(path: inputPath, schema: batch.schema, options: WriteOptions(threads: csv.threads)) }
                try writer!.write(batch)
            }
            if writer == nil { writer = try BatonWriter(path: inputPath, schema: plan.schema, options: WriteOptions(threads: csv.threads)) }
            _ = try writer!.finish()
            inputSchema = plan.schema
        } catch {
            writer?.abort()
            throw error
        }
        let pipeline = try Pipeline.load(path, variables: values, threads: csv.threads, external: ["input": inputSchema])
        if pipeline.spec.stage("input") != nil {
            throw BatonError(.invalidPipeline, "a stage is named input, the name of standard input's table under baton stage",
                             at: .init(file: path), hint: "rename the stage")
        }
        let (problems, _) = pipeline.validate()
        guard problems.isEmpty else { throw pipeline.invalid(problems) }
        let output = try pipeline.outputStage(outputStage)
        var out: TextWriter?
        let schema = try pipeline.runAsStage(input: .file(inputPath), output: output, scratch: scratch) { (batch) throws(BatonError) in
            if out == nil { out = try makeWriter(batch.schema, arrowOptions) }
            try out!.write(batch)
        }
        if out == nil { out = try makeWriter(schema, arrowOptions) }
        try out!.finish()
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
