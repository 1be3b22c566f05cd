import Columns
import CSV
import Operators
import Spill
import SQL
import Utilities

/// How much memory and temporary disk a run may use (`--memory-limit`, `--temp-dir`,
/// `--max-temp-size`). The library's default is no limit; the CLI's is 60% of RAM.
public struct ResourceLimits: Sendable {
    /// Bytes of data every operator together may buffer; nil: no limit (nothing spills).
    public var memory: Int?
    /// Where spill files go; nil: the system temp directory.
    public var temporaryDirectory: String?
    /// Bytes spill files may take together; nil: no cap.
    public var maxTemporaryBytes: Int?

    public init(memory: Int? = nil, temporaryDirectory: String? = nil, maxTemporaryBytes: Int? = nil) {
        self.memory = memory
        self.temporaryDirectory = temporaryDirectory
        self.maxTemporaryBytes = maxTemporaryBytes
    }
}

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
    public let limits: ResourceLimits

    public init(threads: Int = defaultThreadCount, csvOptions: CSVReadOptions = CSVReadOptions(), directory: String? = nil,
                tables: [String: NamedTable] = [:], limits: ResourceLimits = ResourceLimits()) {
        self.threads = max(1, threads)
        self.csvOptions = csvOptions
        self.directory = directory
        self.tables = tables
        self.limits = limits
    }

    private func makeCatalog() -> Catalog {
        Catalog(threads: threads, csvDefaults: csvOptions, directory: directory, tables: tables)
    }

    /// A planned query: its operators and output schema, ready to run (once).
    public struct Plan {
        public let root: any ExecutionNode
        public var schema: Schema { root.schema }
        let catalog: Catalog
        /// After a run: the memory budget it ran under and the spill space it used.
        public internal(set) var memory: MemoryBudget?
        public internal(set) var spill: SpillSpace?

        private func countFiles(_ node: any ExecutionNode) -> Int {
            node.metrics.spillFiles + node.children.reduce(0) { $0 + countFiles($1) }
        }

        /// One line per operator that spilled, then the run's peak memory; nil if nothing spilled.
        public var spillSummary: String? {
            var lines: [String] = []
            func visit(_ node: any ExecutionNode) {
                let m = node.metrics
                if m.spillFiles > 0 {
                    lines.append("spilled: \(node.label): \(m.spilledRows) rows, \(ByteSize.text(m.spilledBytes)) in \(m.spillFiles) file\(m.spillFiles == 1 ? "" : "s"), peak memory \(ByteSize.text(m.peakBytes))")
                }
                for child in node.children { visit(child) }
            }
            visit(root)
            guard let memory, let spill, spill.filesCreated > 0 else { return nil }
            if spill.filesCreated > countFiles(root) {
                lines.append("spilled: the result, waiting for its turn in morsel order")
            }
            let limit = memory.limit.map { " of the \(ByteSize.text($0)) limit" } ?? ""
            lines.append("peak memory \(ByteSize.text(memory.peak))\(limit); peak temporary disk \(ByteSize.text(spill.peak))")
            return lines.joined(separator: "\n") + "\n"
        }
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
            var plan = try plan(sql, catalog: catalog)
            let memory = MemoryBudget(limit: limits.memory)
            let spill = SpillSpace(directory: limits.temporaryDirectory, maxBytes: limits.maxTemporaryBytes)
            plan.memory = memory
            plan.spill = spill
            let context = ExecutionContext(threads: threads, memory: memory, spill: spill)
            let delivered = Locked(false)
            do throws(BatonError) {
                if plan.root.emitsInOrder {
                    // Streamed: a spilled sort's output never has to fit in memory at once.
                    try withoutActuallyEscaping(body) { (escapable) throws(BatonError) in
                        let target = CallingThreadBody(escapable)
                        try plan.root.run(context) { batch, _ throws(BatonError) in
                            guard batch.count > 0 else { return }
                            delivered.withLock { $0 = true }
                            try target.body(batch.compacted())
                        }
                    }
                } else {
                    try plan.root.runInOrder(context, body)
                }
                return plan
            } catch {
                let widened = catalog.widened.withLock { flag -> Bool in
                    defer { flag = false }
                    return flag
                }
                attempts += 1
                // Rows already handed over cannot be taken back: no second attempt then.
                guard widened, attempts < 64, !delivered.withLock({ $0 }) else {
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
                if m.spillFiles > 0 {
                    line += " spilled=\(m.spilledRows) rows/\(Explain.mebibytes(m.spilledBytes)) MiB in \(m.spillFiles) file\(m.spillFiles == 1 ? "" : "s")"
                }
                line += "]"
            }
            lines.append(line)
            for child in node.children { render(child, depth + 1) }
        }
        render(plan.root, 0)
        if analyze {
            lines.append("total \(Explain.milliseconds(total)) ms on \(threads) thread\(threads == 1 ? "" : "s") (operator times are summed over threads)")
            if let memory = plan.memory, plan.spill.map({ $0.filesCreated > 0 }) == true {
                let limit = memory.limit.map { " of the \(ByteSize.text($0)) limit" } ?? ""
                lines.append("peak memory \(ByteSize.text(memory.peak))\(limit); peak temporary disk \(ByteSize.text(plan.spill?.peak ?? 0)) in \(plan.spill?.filesCreated ?? 0) spill files")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// `body` of `run`, callable from the consumer of a root that `emitsInOrder`: that root calls
/// its consumer only on the thread that called `run`, one batch at a time, so the body needs
/// neither to be Sendable nor to escape.
private final class CallingThreadBody: @unchecked Sendable {
    let body: (Batch) throws(BatonError) -> Void
    init(_ body: @escaping (Batch) throws(BatonError) -> Void) { self.body = body }
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
