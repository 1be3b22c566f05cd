import Columns
import CSV
import Operators
import SQL
import Utilities

/// Runs SQL over files: the library entry point behind `baton query` and `baton explain`.
///
/// ```swift
/// let engine = QueryEngine(threads: 4)
/// let table = try engine.run("SELECT id1, sum(v1) AS v1 FROM 'groupby.csv' GROUP BY id1 ORDER BY id1")
/// ```
/// Every name and type is checked before any data is read. Results do not depend on the
/// thread count: morsels are fixed by the input, and every order-sensitive step (floating-point
/// sums, first/last, output order) follows morsel order.
public final class QueryEngine {
    public let threads: Int
    public let csvOptions: CSVReadOptions
    /// Relative paths in FROM are read from here (nil: the working directory).
    public let directory: String?
    /// Tables that FROM may name without quotes (a pipeline's stages).
    public let tables: [String: NamedTable]

    public init(threads: Int = defaultThreadCount, csvOptions: CSVReadOptions = CSVReadOptions(), directory: String? = nil,
                tables: [String: NamedTable] = [:]) {
        self.threads = max(1, threads)
        self.csvOptions = csvOptions
        self.directory = directory
        self.tables = tables
    }

    private func makeCatalog() -> Catalog {
        Catalog(threads: threads, csvDefaults: csvOptions, directory: directory, tables: tables)
    }

    /// A planned query: its operators and output schema, ready to run (once).
    public struct Plan {
        public let root: any ExecutionNode
        public var schema: Schema { root.schema }
        let catalog: Catalog
    }

    /// Parses, binds and plans `sql`.
    public func plan(_ sql: String) throws(BatonError) -> Plan {
        try plan(sql, catalog: makeCatalog())
    }

    private func plan(_ sql: String, catalog: Catalog) throws(BatonError) -> Plan {
        let query = try Parser.parse(sql)
        let binder = Binder(text: QueryText(sql), query: query, catalog: catalog)
        let planned = try binder.plan(query)
        let root = planned.node
        // Output names are the select list's; the root already carries them.
        return Plan(root: root, catalog: catalog)
    }

    /// Runs `sql`, calling `body` with the result batches in order (from the calling thread).
    /// Returns the plan that ran, with its operators' metrics filled in.
    @discardableResult
    public func run(_ sql: String, _ body: (Batch) throws(BatonError) -> Void) throws(BatonError) -> Plan {
        let catalog = makeCatalog()
        var attempts = 0
        while true {
            let plan = try plan(sql, catalog: catalog)
            let context = ExecutionContext(threads: threads)
            do throws(BatonError) {
                let table = try plan.root.collect(context)
                for batch in table.batches { try body(batch) }
                return plan
            } catch {
                let widened = catalog.widened.withLock { flag -> Bool in
                    defer { flag = false }
                    return flag
                }
                attempts += 1
                guard widened, attempts < 64 else {
                    // A kernel's row number counts within one batch: no use to a reader.
                    var shown = error
                    if shown.location.file == nil { shown.location.row = nil }
                    throw shown
                }
                if catalog.readsStandardInput {
                    throw BatonError(.invalidInput, "a column of standard input had to be widened after its type was inferred",
                                     hint: "standard input cannot be read twice: raise read_csv('-', sample_size => …) or convert it to a file first")
                }
            }
        }
    }

    /// Runs `sql` on one thread, handing each result batch to `body` as soon as it exists, in
    /// result order: streaming operators (scan, filter, project, limit) never hold more than a
    /// batch, so memory stays bounded unless the query has a blocking operator. On one thread the
    /// arrival order is the morsel order, so no reordering buffer is needed. Inputs are read
    /// once: a column of a CSV input that needs widening mid-read is an error, not a re-plan.
    /// This is `baton stage`'s mode: one process per partition, the parallelism outside.
    @discardableResult
    public func stream(_ sql: String, _ body: (Batch) throws(BatonError) -> Void) throws(BatonError) -> Plan {
        let plan = try plan(sql)
        let context = ExecutionContext(threads: 1)
        try withoutActuallyEscaping(body) { escapable in
            let box = UncheckedBox(escapable)
            return Result { () throws(BatonError) in
                try plan.root.run(context) { batch, _ throws(BatonError) in try box.value(batch.compacted()) }
            }
        }.get()
        return plan
    }

    /// Runs `sql` and returns the whole result.
    public func run(_ sql: String) throws(BatonError) -> Table {
        var batches: [Batch] = []
        let plan = try run(sql) { batch in batches.append(batch) }
        return Table(schema: plan.schema, batches: batches)
    }

    /// The physical plan as an indented tree; with `analyze`, the query runs first and every
    /// operator shows its rows, time and peak memory.
    public func explain(_ sql: String, analyze: Bool = false) throws(BatonError) -> String {
        let plan: Plan
        var total: UInt64 = 0
        if analyze {
            let start = monotonicNanoseconds()
            plan = try run(sql) { _ in }
            total = monotonicNanoseconds() &- start
        } else {
            plan = try self.plan(sql)
        }
        var lines: [String] = []
        func render(_ node: any ExecutionNode, _ depth: Int) {
            var line = String(repeating: "  ", count: depth) + node.label
            if analyze {
                let m = node.metrics
                line += "  [rows=\(m.rows) time=\(Explain.milliseconds(m.nanoseconds)) ms"
                if m.peakBytes > 0 { line += " memory=\(Explain.mebibytes(m.peakBytes)) MiB" }
                line += "]"
            }
            lines.append(line)
            for child in node.children { render(child, depth + 1) }
        }
        render(plan.root, 0)
        if analyze { lines.append("total \(Explain.milliseconds(total)) ms on \(threads) thread\(threads == 1 ? "" : "s") (operator times are summed over threads)") }
        return lines.joined(separator: "\n") + "\n"
    }
}

enum Explain {
    static func milliseconds(_ ns: UInt64) -> String {
        let ms = Double(ns) / 1e6
        return ms < 10 ? String(Double(Int(ms * 100)) / 100) : String(Int(ms.rounded()))
    }

    static func mebibytes(_ bytes: Int) -> String {
        let mib = Double(bytes) / 1_048_576
        return mib < 10 ? String(Double(Int(mib * 10)) / 10) : String(Int(mib.rounded()))
    }
}

/// Lets a non-Sendable closure cross into the `@Sendable` consumer of a one-thread run, where
/// it is only ever called from the calling thread.
private final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
