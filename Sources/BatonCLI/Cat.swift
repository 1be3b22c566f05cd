import ArgumentParser
import CSV
import Columns
import Storage
import Utilities

struct Cat: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the rows of a Baton file or a CSV input as CSV or JSON lines.",
        discussion: """
            --where conditions (all must hold) are checked against each row group's statistics \
            first, so row groups that cannot match are never read; --stats reports how many. \
            CSV input (a file, compressed or not, or - for stdin) takes the CSV options.
            """)

    @Argument(help: "A .baton file, a CSV file, or - for CSV on stdin.") var file: String
    @Option(help: "Comma-separated columns to print, in this order (default: all).") var columns: String?
    @Option(help: "Output format.") var format: TextFormat = .csv
    @Option(help: "Print at most this many rows.") var limit: Int?
    @Option(name: .customLong("where"), help: "A condition such as \"id4 = 7\", \"v3 >= 50.5\", \"id1 = 'id042'\" or \"v1 IS NULL\". Repeatable.")
    var conditions: [String] = []
    @Flag(help: "Print row groups read and skipped, rows and bytes read to stderr.") var stats = false
    @OptionGroup var output: CSVOutputOptions
    @OptionGroup var csv: CSVOptions

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be zero or more") }
    }

    func run() throws(ExitCode) {
        try BatonCLI.run { () throws(BatonError) in
            switch InputKind(path: file) {
            case .csv: return try catCSV()
            case .arrow: return try catArrow()
            case .baton: break
            }
            let reader = try BatonReader(path: file)
            let names = columns.map { $0.split(separator: ",").map { String($0).trimmingWhitespace() } }
            let predicates = try conditions.map { (text) throws(BatonError) in
                try ColumnPredicate.parse(text, schema: reader.schema)
            }
            let outputSchema = reader.schema.projected(try reader.columnIndices(names))
            let options = try output.writeOptions()
            var writer = TextWriter(format, schema: outputSchema, sink: Output.standardOutput(), csv: options)
            let summary = try reader.scan(columns: names, where: predicates, limit: limit, threads: csv.threads) {
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

extension Cat {
    /// CSV input: parsed, filtered row by row (there are no statistics to prune with), printed.
    func catCSV() throws(BatonError) {
        var options = try csv.readOptions()
        options.restartOnWidening = false
        let names = columns.map { $0.split(separator: ",").map { String($0).trimmingWhitespace() } }
        if conditions.isEmpty { options.limit = limit }
        let reader = try CSVReader(path: file, options: options)
        let predicates = try conditions.map { (text) throws(BatonError) in
            try ColumnPredicate.parse(text, schema: reader.fileSchema)
        }
        // Read the filter columns too, then print only the requested ones.
        let wanted = names ?? reader.fileSchema.names
        let needed = wanted + predicates.map(\.column).filter { !wanted.contains($0) }
        try reader.select(needed)
        let csvOptions = try output.writeOptions()
        var writer: TextWriter?
        var printed = 0
        let rejects = try Rejects(options.onError)
        let summary = try reader.read(
            onSchema: { (schema, _) throws(BatonError) in
                if writer == nil {
                    writer = TextWriter(format, schema: schema.projected(Array(0..<wanted.count)), sink: Output.standardOutput(),
                                        csv: csvOptions)
                }
            },
            onRejected: { (records) throws(BatonError) in try rejects.add(records) },
            { (batch) throws(BatonError) in
                var narrowed = batch
                for predicate in predicates {
                    let column = batch.columns[needed.firstIndex(of: predicate.column)!]
                    let live = narrowed.selection.map { SelectionVector($0.indices) } ?? SelectionVector.all(batch.physicalCount)
                    let bits = predicate.evaluate(column)
                    let kept = live.indices.enumerated().filter { bits[Int($0.element)] }.map { UInt32($0.offset) }
                    narrowed = narrowed.narrowed(to: SelectionVector(kept))
                }
                if let limit, printed + narrowed.count > limit {
                    narrowed = narrowed.narrowed(to: SelectionVector((0..<UInt32(max(0, limit - printed))).map { $0 }))
                }
                let output = try Batch(schema: batch.schema.projected(Array(0..<wanted.count)),
                                       columns: Array(batch.columns.prefix(wanted.count)), selection: narrowed.selection)
                try writer!.write(output)
                printed += output.count
            })
        try writer?.finish()
        try rejects.commit()
        if stats || summary.rejected > 0 || !summary.widened.isEmpty { report(summary, input: file) }
    }
}

extension Cat {
    /// Arrow input (file or stream): read batch by batch and printed; --where is not applied.
    func catArrow() throws(BatonError) {
        guard conditions.isEmpty else {
            throw BatonError(.invalidInput, "--where is not supported for Arrow input", at: .init(file: file),
                             hint: "use baton query \"SELECT * FROM '\(file)' WHERE …\"")
        }
        let reader = try openArrow(file)
        guard let schema = reader.schema else {
            throw BatonError(.invalidInput, "the Arrow stream is empty: it has no schema", at: .init(file: reader.name),
                             hint: "the producer wrote no bytes")
        }
        let names = columns.map { $0.split(separator: ",").map { String($0).trimmingWhitespace() } }
        let indices = try names.map { (n) throws(BatonError) in try schema.indices(of: n) } ?? Array(schema.fields.indices)
        let projected = schema.projected(indices)
        var writer = TextWriter(format, schema: projected, sink: Output.standardOutput(), csv: try output.writeOptions())
        var printed = 0
        while let limit = Optional(limit ?? Int.max), printed < limit, let batch = try reader.next() {
            var out = try Batch(schema: projected, columns: indices.map { batch.columns[$0] })
            if printed + out.count > limit { out = out.narrowed(to: SelectionVector((0..<UInt32(limit - printed)).map { $0 })) }
            try writer.write(out)
            printed += out.count
        }
        try writer.finish()
    }
}

extension String {
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
