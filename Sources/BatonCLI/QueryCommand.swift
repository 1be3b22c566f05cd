import ArgumentParser
import Arrow
import Columns
import CSV
import Operators
import Query
import Storage
import Utilities

#if canImport(Glibc)
import Glibc
#endif

/// The formats `baton query` writes to stdout.
enum QueryFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, jsonl, table, arrow
}

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run a SQL query over CSV and Baton files.",
        discussion: """
            Files are named in FROM: 'trips.csv', 'data/*.csv', 'out.baton', '-' for CSV on stdin,
            or read_csv('x.txt', delim => '|', header => false, nullstr => 'NA') for options.
            Example: baton query "SELECT id1, sum(v1) AS v1 FROM 'groupby.csv' GROUP BY id1 ORDER BY id1"
            """)

    @Argument(help: "The query.") var sql: String
    @Option(name: .shortAndLong, help: "Write the result to this file (.csv, .jsonl, .baton, .arrow/.feather or .arrows), atomically.") var output: String?
    @Option(help: "Format of stdout: csv, jsonl, table or arrow (an IPC stream) (default: table on a terminal, else csv).") var format: QueryFormat?
    @Option(help: "Codec for .baton output: auto, none, lz4, zstd or zstd:LEVEL; for Arrow output: none, lz4 or zstd.") var codec = "auto"
    @Option(help: "Threads (default: all cores).") var threads = defaultThreadCount
    @OptionGroup var csvOutput: CSVOutputOptions
    @OptionGroup var resources: ResourceOptions

    func run() throws(ExitCode) {
        try BatonCLI.run { () throws(BatonError) in
            let engine = QueryEngine(threads: threads, limits: try resources.limits())
            if let output, output != "-", case .text(let kind) = try OutputKind(path: output), kind != .arrow {
                // CSV and JSON lines files are formatted in parallel, as on stdout.
                let file = try AtomicOutputFile(path: output)
                do throws(BatonError) {
                    let text = ParallelTextOutput(format: kind, options: try csvOutput.writeOptions(), threads: threads, out: Output.file(file))
                    let plan = try engine.run(sql) { batch throws(BatonError) in try text.add(batch) }
                    try text.finish(schema: plan.schema)
                    try file.commit()
                    if let summary = plan.spillSummary { Output.standardError(summary) }
                } catch {
                    file.abort()
                    throw error
                }
                return
            }
            if let output {
                var sink = try ConvertSink(target: try OutputKind(path: output), path: output, codec: try CodecChoice(parsing: codec),
                                           rowGroupSize: 1 << 20, threads: threads, csvOptions: try csvOutput.writeOptions(),
                                           arrowOptions: try ArrowWriteOptions(codec: codec))
                do throws(BatonError) {
                    // The output starts with the first batch (or, for an empty result, the plan's
                    // schema), so the query is planned — and its CSV inputs sniffed — once.
                    var started = false
                    let plan = try engine.run(sql) { batch throws(BatonError) in
                        if !started { try sink.begin(batch.schema, restarted: false); started = true }
                        try sink.write(batch)
                    }
                    if !started { try sink.begin(plan.schema, restarted: false) }
                    try sink.finish()
                    if let summary = plan.spillSummary { Output.standardError(summary) }
                } catch {
                    sink.abort()
                    throw error
                }
                return
            }
            let chosen = format ?? (isatty(1) != 0 ? .table : .csv)
            if chosen == .arrow {
                // Batch by batch, in order: a stream cannot be cut into pieces formatted in parallel.
                var writer: TextWriter?
                let arrowOptions = try ArrowWriteOptions(codec: codec)
                let plan = try engine.run(sql) { (batch) throws(BatonError) in
                    if writer == nil { writer = TextWriter(.arrow, schema: batch.schema, sink: Output.standardOutput(), arrowOptions: arrowOptions) }
                    try writer!.write(batch)
                }
                if writer == nil { writer = TextWriter(.arrow, schema: plan.schema, sink: Output.standardOutput(), arrowOptions: arrowOptions) }
                try writer!.finish()
                if let summary = plan.spillSummary { Output.standardError(summary) }
                return
            }
            if chosen == .table {
                var batches: [Batch] = []
                let plan = try engine.run(sql) { batch in batches.append(batch) }
                var sink = Output.standardOutput()
                sink.text(TableFormatter.render(Table(schema: plan.schema, batches: batches)))
                try sink.flushNow()
                if let summary = plan.spillSummary { Output.standardError(summary) }
                return
            }
            // Batches are formatted a few at a time as they come (a sorted result is streamed
            // by the engine, so it never has to fit in memory as a whole).
            let text = ParallelTextOutput(format: chosen == .jsonl ? .jsonl : .csv, options: try csvOutput.writeOptions(), threads: threads,
                                          out: Output.standardOutput())
            let plan = try engine.run(sql) { batch throws(BatonError) in try text.add(batch) }
            try text.finish(schema: plan.schema)
            // After the result, so that it never interleaves with it on a terminal.
            if let summary = plan.spillSummary { Output.standardError(summary) }
        }
    }
}

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show the physical plan of a SQL query; --analyze runs it and adds rows, time and memory per operator.")

    @Argument(help: "The query.") var sql: String
    @Flag(help: "Run the query and show each operator's rows out, time, peak memory and what it spilled.") var analyze = false
    @Option(help: "Threads (default: all cores).") var threads = defaultThreadCount
    @OptionGroup var resources: ResourceOptions

    func run() throws(ExitCode) {
        try BatonCLI.run { () throws(BatonError) in
            var sink = Output.standardOutput()
            sink.text(try QueryEngine(threads: threads, limits: try resources.limits()).explain(sql, analyze: analyze))
            try sink.flushNow()
        }
    }
}

/// An aligned text table for a terminal: numbers right-aligned, NULL for nulls, at most 40 rows
/// shown (first and last 20) with the row count below.
enum TableFormatter {
    static func render(_ table: Table, maxRows: Int = 40) -> String {
        let columns = table.columns
        let n = table.rowCount
        let shown: [Int] = n <= maxRows ? Array(0..<n) : Array(0..<maxRows / 2) + Array((n - maxRows / 2)..<n)
        let headers = table.schema.fields.map { "\($0.name)\n\($0.type)" }
        var cells: [[String]] = shown.map { r in columns.map { c in c.isNull(r) ? "NULL" : c.value(at: r).description } }
        if n > maxRows { cells.insert(columns.map { _ in "…" }, at: maxRows / 2) }
        let numeric = table.schema.fields.map { $0.type == .int64 || $0.type == .float64 }
        var widths = headers.map { $0.split(separator: "\n").map(\.count).max() ?? 0 }
        for row in cells { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ values: [String], alignRight: [Bool]) -> String {
            "│ " + values.enumerated().map { i, v in
                let pad = String(repeating: " ", count: widths[i] - v.count)
                return alignRight[i] ? pad + v : v + pad
            }.joined(separator: " │ ") + " │\n"
        }
        func rule(_ l: String, _ m: String, _ r: String) -> String {
            l + widths.map { String(repeating: "─", count: $0 + 2) }.joined(separator: m) + r + "\n"
        }
        var out = rule("┌", "┬", "┐")
        let left = [Bool](repeating: false, count: widths.count)
        out += line(table.schema.fields.map(\.name), alignRight: left)
        out += line(table.schema.fields.map(\.type.description), alignRight: left)
        out += rule("├", "┼", "┤")
        for row in cells { out += line(row, alignRight: numeric) }
        out += rule("└", "┴", "┘")
        out += "\(n) row\(n == 1 ? "" : "s")\n"
        return out
    }
}
