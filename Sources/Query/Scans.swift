import Columns
import CSV
import Operators
import Storage
import Utilities

/// Reads the chosen columns of a `.baton` file. Parallel over row groups (each a morsel, split
/// into batches); row groups whose statistics rule out the pushed-down predicates are never
/// read. Order-preserving by morsel id.
final class BatonScan: ExecutionNode {
    let reader: BatonReader
    let columns: [Int]
    let predicates: [ColumnPredicate]
    let schema: Schema
    let metrics = OperatorMetrics()
    var children: [any ExecutionNode] { [] }
    var label: String {
        var text = "BatonScan \(reader.path) columns=[\(schema.names.joined(separator: ", "))]"
        if !predicates.isEmpty { text += " prune=[\(predicates.map(\.description).joined(separator: " AND "))]" }
        return text
    }
    private let lock = Lock()

    init(reader: BatonReader, columns: [Int], predicates: [ColumnPredicate]) {
        self.reader = reader
        self.columns = columns
        self.predicates = predicates
        schema = reader.schema.projected(columns)
    }

    func run(_ context: ExecutionContext, _ consume: @escaping Consumer) throws(BatonError) {
        let (groups, _) = try reader.prune(predicates)
        try context.parallel(groups.count) { k throws(BatonError) in
            let g = groups[k]
            let read = try metrics.timed { () throws(BatonError) -> [Column] in
                var out: [Column] = []
                for c in columns { out.append(try reader.readChunk(rowGroup: g, column: c)) }
                return out
            }
            for (index, batch) in try Batch.split(schema: schema, columns: read).enumerated() where batch.count > 0 {
                metrics.produced(batch)
                try consume(batch, MorselID([g, index]))
            }
        }
    }
}

/// Parses CSV input (file, glob, compressed or stdin) into the chosen columns. The reader parses
/// each block on all threads; the batches of a block then run through the rest of the pipeline
/// in parallel. Morsels are numbered in input order.
/// `@unchecked Sendable`: the reader is driven by the one thread that runs the scan.
final class CSVScan: ExecutionNode, @unchecked Sendable {
    let reader: CSVReader
    let columns: [String]
    let schema: Schema
    let metrics = OperatorMetrics()
    /// Set when the reader had to widen a column after planning: the query is planned again.
    let widened: Locked<Bool>
    var children: [any ExecutionNode] { [] }
    var label: String { "CSVScan \(reader.path) columns=[\(schema.names.joined(separator: ", "))]" }

    init(reader: CSVReader, columns: [String], widened: Locked<Bool>) throws(BatonError) {
        self.reader = reader
        self.columns = columns
        self.widened = widened
        schema = reader.fileSchema.projected(try reader.fileSchema.indices(of: columns))
    }

    func run(_ context: ExecutionContext, _ consume: @escaping Consumer) throws(BatonError) {
        try reader.select(columns)
        // Batches (one per parsed range, about 1 MiB of text) are handed out in groups of
        // `perMorsel`, each group a major morsel for one task: blocking operators then keep one
        // partial per group rather than per range (64 MiB of text: fewer, fuller partials are
        // cheaper to merge and smaller in total; measured on the 1e7-row group-by CSV, 1e5
        // groups by id3: 32 MiB morsels 0.68 s and 355 MiB, 64 MiB 0.55 s and 250 MiB). A round
        // holds 128 MiB of text as batches, two morsels for the threads (larger rounds held
        // more memory and were not faster on two cores). Under a memory limit a round is
        // smaller, a quarter of the limit in text (8 to 128 MiB), since the batches in flight
        // are not counted by the operators' budgets, and holds two morsels of half its size.
        // A batch's morsel follows from its place in the input alone (batch i is part
        // i mod perMorsel of morsel i / perMorsel), so the morsels, and the results, are the same
        // with any thread count; with a memory limit they are smaller, so a floating-point sum
        // may differ in its last bits from the same query without one.
        let perRound = context.memory.limit.map { max(8, min(128, $0 >> 22)) } ?? 128
        let perMorsel = context.memory.limit == nil ? 64 : perRound / 2
        var pending: [Batch] = []
        var next = 0
        let planned = schema
        func drain() throws(BatonError) {
            let batches = pending
            let first = next
            pending.removeAll()
            next += batches.count
            // The round's batches grouped by morsel; each group one task, in input order.
            var groups: [Range<Int>] = []
            var j = 0
            while j < batches.count {
                let end = min(batches.count, ((first + j) / perMorsel + 1) * perMorsel - first)
                groups.append(j..<end)
                j = end
            }
            try context.parallel(groups.count) { g throws(BatonError) in
                for j in groups[g] {
                    metrics.produced(batches[j])
                    let index = first + j
                    try consume(batches[j], MorselID([index / perMorsel, index % perMorsel]))
                }
            }
        }
        let start = monotonicNanoseconds()
        do throws(BatonError) {
        try reader.read(onSchema: { [widened] schema, _ throws(BatonError) in
            if schema.fields.map(\.type) != planned.fields.map(\.type) {
                widened.withLock { $0 = true }
                throw BatonError(.invalidInput, "a column was widened while reading; the query is planned again")
            }
        }) { batch throws(BatonError) in
            pending.append(batch)
            if pending.count >= perRound {
                try drain()
                if context.stopRequested { throw BatonError(.invalidInput, "stopped: the query has its rows") }
            }
        }
        try drain()
        } catch {
            // A LIMIT above has what it needs: not a failure.
            guard context.stopRequested else { throw error }
        }
        metrics.addTime(monotonicNanoseconds() &- start)
    }
}

/// A table known only by its schema (a pipeline stage not yet run): plans like a scan, so
/// `baton plan` and `baton validate` can bind and type-check downstream SQL, but holds no rows.
final class PlannedTable: ExecutionNode {
    let name: String
    let schema: Schema
    let metrics = OperatorMetrics()
    var children: [any ExecutionNode] { [] }
    var label: String { "Stage \(name) columns=[\(schema.names.joined(separator: ", "))]" }

    init(name: String, schema: Schema) {
        self.name = name
        self.schema = schema
    }

    func run(_ context: ExecutionContext, _ consume: @escaping Consumer) throws(BatonError) {
        throw BatonError(.invalidInput, "stage \(name) has not been run", hint: "run the pipeline, not only plan it")
    }
}
