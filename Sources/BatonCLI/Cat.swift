import ArgumentParser
import CSV
import Columns
import Storage

struct Cat: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a Baton file's rows as CSV or JSON lines.",
        discussion: """
            --where conditions (all must hold) are checked against each row group's statistics \
            first, so row groups that cannot match are never read; --stats reports how many.
            """)

    @Argument(help: "A .baton file.") var file: String
    @Option(help: "Comma-separated columns to print, in this order (default: all).") var columns: String?
    @Option(help: "Output format.") var format: TextFormat = .csv
    @Option(help: "Print at most this many rows.") var limit: Int?
    @Option(name: .customLong("where"), help: "A condition such as \"id4 = 7\", \"v3 >= 50.5\", \"id1 = 'id042'\" or \"v1 IS NULL\". Repeatable.")
    var conditions: [String] = []
    @Flag(help: "Print row groups read and skipped, rows and bytes read to stderr.") var stats = false
    @Flag(help: "Omit the CSV header line.") var noHeader = false
    @Option(help: "Threads for decoding (default: all cores).") var threads = defaultThreadCount

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be zero or more") }
    }

    func run() throws(ExitCode) {
        try BatonCLI.run { () throws(BatonError) in
            let reader = try BatonReader(path: file)
            let names = columns.map { $0.split(separator: ",").map { String($0).trimmingWhitespace() } }
            let predicates = try conditions.map { (text) throws(BatonError) in
                try ColumnPredicate.parse(text, schema: reader.schema)
            }
            let outputSchema = reader.schema.projected(try reader.columnIndices(names))
            var options = CSVWriteOptions()
            options.header = !noHeader
            var writer = TextWriter(format, schema: outputSchema, sink: Output.standardOutput(), csv: options)
            let summary = try reader.scan(columns: names, where: predicates, limit: limit, threads: threads) {
                (batch) throws(BatonError) in try writer.write(batch)
            }
            try writer.finish()
            if stats {
                Output.standardError("row groups: \(summary.rowGroupsRead) read, \(summary.rowGroupsSkipped) skipped by statistics; "
                    + "rows: \(summary.rowsRead) read, \(summary.rowsReturned) returned; bytes read: \(summary.bytesRead)\n")
            }
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
