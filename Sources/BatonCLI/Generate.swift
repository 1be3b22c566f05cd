import ArgumentParser
import Columns
import Datagen
import Storage
import Utilities
#if canImport(Glibc)
import Glibc
#endif

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a synthetic data set.",
        subcommands: [GroupBy.self, Sales.self])

    struct GroupBy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "groupby",
            abstract: "The H2O.ai db-benchmark group-by data set (id1..id6, v1..v3).",
            discussion: """
                The output format follows the extension: .baton, .csv or .jsonl. The same \
                --seed gives the same rows in every format. Use the db-benchmark name with \
                --output-dir to get G1_<rows>_<groups>_<nas>_0.<ext>.
                """)

        @Option(help: "Number of rows (N).") var rows: Int
        @Option(help: "Number of groups (K): id1, id2, id4, id5 take K values; id3, id6 take N/K.") var groups = 100
        @Option(help: "Percentage of each column's rows that are null (0-100).") var nas = 0
        @Option(help: "Random seed.") var seed: UInt64 = 108
        @Option(name: .shortAndLong, help: "Output file (.baton, .csv or .jsonl).") var output: String
        @Option(help: "Codec for .baton output: auto, none, lz4, zstd or zstd:LEVEL.") var codec = "auto"
        @Option(help: "Rows per row group for .baton output.") var rowGroupSize = 1 << 20
        @Option(help: "Threads for encoding (default: all cores).") var threads = defaultThreadCount

        func run() throws(ExitCode) {
            try BatonCLI.run { () throws(BatonError) in
                let generator = try GroupByGenerator(rows: rows, groups: groups, nullPercent: nas, seed: seed)
                let schema = GroupByGenerator.schema
                switch try OutputKind(path: output) {
                case .baton:
                    var options = WriteOptions(rowGroupSize: rowGroupSize, codec: try CodecChoice(parsing: codec),
                                               threads: threads)
                    options.metadata = [("generator", "db-benchmark groupby rows=\(rows) groups=\(groups) nas=\(nas) seed=\(seed)")]
                    let writer = try BatonWriter(path: output, schema: schema, options: options)
                    try generator.generate { (batch) throws(BatonError) in try writer.write(batch) }
                    let summary = try writer.finish()
                    Output.standardError("wrote \(summary.rows) rows in \(summary.rowGroups) row groups to \(output) "
                        + "(\(Format.bytes(summary.fileBytes)), \(Format.ratio(summary.plainBytes, summary.fileBytes)) compression)\n")
                case .text(let format):
                    let file = try AtomicOutputFile(path: output)
                    var writer = TextWriter(format, schema: schema, sink: Output.file(file))
                    try generator.generate { (batch) throws(BatonError) in try writer.write(batch) }
                    try writer.finish()
                    try file.commit()
                    Output.standardError("wrote \(rows) rows to \(output) (\(Format.bytes(file.offset)))\n")
                }
            }
        }
    }
}

extension Generate {
    struct Sales: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sales",
            abstract: "A retail data set for the example pipeline: customers.csv, products.csv, orders-K.csv.",
            discussion: """
                Writes CSV files into --output-dir: customers (orders/50 rows), products (500 rows) and \
                the orders split over --files files. About 3% of orders are cancelled or returned, \
                0.1% have quantity 0, and 60% have no discount (an empty field).
                """)

        @Option(help: "Number of orders.") var orders = 1_000_000
        @Option(help: "Number of order files.") var files = 4
        @Option(help: "Random seed.") var seed: UInt64 = 2026
        @Option(help: "Directory to write into (created if needed).") var outputDir: String

        func run() throws(ExitCode) {
            try BatonCLI.run { () throws(BatonError) in
                let generator = try SalesGenerator(orders: orders, seed: seed)
                if mkdir(outputDir, 0o755) != 0 && errno != EEXIST {
                    throw BatonError(.io, "cannot create the directory", at: .init(file: outputDir), hint: "create its parent first")
                }
                func write(_ name: String, _ schema: Schema, _ columns: [Column]) throws(BatonError) {
                    let path = outputDir + "/" + name
                    let file = try AtomicOutputFile(path: path)
                    var writer = TextWriter(.csv, schema: schema, sink: Output.file(file))
                    for batch in try Batch.split(schema: schema, columns: columns) { try writer.write(batch) }
                    try writer.finish()
                    try file.commit()
                }
                try write("customers.csv", SalesGenerator.customerSchema, generator.customerTable())
                try write("products.csv", SalesGenerator.productSchema, generator.productTable())
                let parts = max(1, min(files, orders))
                for k in 0..<parts {
                    let range = (1 + orders * k / parts)..<(1 + orders * (k + 1) / parts)
                    try write("orders-\(k + 1).csv", SalesGenerator.orderSchema, generator.orderTable(range))
                }
                Output.standardError("wrote \(orders) orders in \(parts) files, \(generator.customers) customers and "
                    + "\(SalesGenerator.products) products to \(outputDir)\n")
            }
        }
    }
}

/// What a path's extension asks for.
enum OutputKind {
    case baton
    case text(TextFormat)

    init(path: String) throws(BatonError) {
        let lower = path.lowercased()
        if lower.hasSuffix(".baton") { self = .baton; return }
        if lower.hasSuffix(".csv") { self = .text(.csv); return }
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { self = .text(.jsonl); return }
        if [".arrow", ".feather", ".arrows", ".ipc"].contains(where: { lower.hasSuffix($0) }) { self = .text(.arrow); return }
        throw BatonError(.invalidInput, "cannot tell the output format from the file name", at: .init(text: path),
                         hint: "end the name with .baton, .csv, .jsonl, .arrow (.feather) or .arrows")
    }
}
