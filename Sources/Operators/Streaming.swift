import Columns
import Kernels

/// Emits the batches of a materialised table. Parallel over batches; order-preserving (by
/// morsel id).
public final class TableScan: ExecutionNode {
    public let table: Table
    public let name: String
    public let metrics = OperatorMetrics()
    public var schema: Schema { table.schema }
    public var children: [any ExecutionNode] { [] }
    public var label: String { "TableScan \(name) (\(table.rowCount) rows)" }

    public init(_ table: Table, name: String) {
        self.table = table
        self.name = name
    }

    public func run(_ context: ExecutionContext, _ consume: @escaping Consumer) throws(BatonError) {
        let batches = table.batches
        try context.parallel(batches.count) { i throws(BatonError) in
            metrics.produced(batches[i])
            try consume(batches[i], MorselID([i, 0]))
        }
    }
}

/// Keeps the rows where `predicate` is true. Streaming; order-preserving; never buffers: it
/// narrows each batch's selection and copies nothing.
public final class Filter: ExecutionNode {
    public let input: any ExecutionNode
    public let predicate: PhysicalExpression
    public let metrics = OperatorMetrics()
    public var schema: Schema { input.schema }
    public var children: [any ExecutionNode] { [input] }
    public var label: String { "Filter \(predicate)" }
    public var emitsInOrder: Bool { input.emitsInOrder }

    /// - Precondition: `predicate` is Bool.
    public init(_ input: any ExecutionNode, _ predicate: PhysicalExpression) {
        precondition(predicate.type == .bool)
        self.input = input
        self.predicate = predicate
    }

    public func run(_ context: ExecutionContext, _ consume: @escaping Consumer) throws(BatonError) {
        try input.run(context) { [predicate, metrics] batch, id throws(BatonError) in
            let narrowed = try metrics.timed { () throws(BatonError) -> Batch in
                let mask = Logic.trueMask(try predicate.evaluate(batch), count: batch.physicalCount)
                return Filter.narrow(batch, mask)
            }
            guard narrowed.count > 0 else { return }
            metrics.produced(narrowed)
            try consume(narrowed, id)
        }
    }

    /// The batch with only the live rows whose bit is set in `mask` (one bit per physical row).
    static func narrow(_ batch: Batch, _ mask: Bitmap) -> Batch {
        if let selection = batch.selection {
            let kept = selection.indices.filter { mask[Int($0)] }
            return try! Batch(schema: batch.schema, columns: batch.columns, selection: SelectionVector(kept))
        }
        if mask.setCount == mask.count { return batch }
        return try! Batch(schema: batch.schema, columns: batch.columns, selection: SelectionVector(mask: mask))
    }
}

/// Computes one column per expression. Streaming; order-preserving; keeps the input's
/// selection, compacting first when few rows are alive (so dead rows are not computed).
public final class Project: ExecutionNode {
    public let input: any ExecutionNode
    public let expressions: [PhysicalExpression]
    public let schema: Schema
    public let metrics = OperatorMetrics()
    public var children: [any ExecutionNode] { [input] }
    public var emitsInOrder: Bool { input.emitsInOrder }
    public var label: String {
        "Project " + zip(expressions, schema.names).map { e, name in
            if case .column(_, _, let n) = e, n == name { return name }
            return "\(e) AS \(name)"
        }.joined(separator: ", ")
    }

    public init(_ input: any ExecutionNode, _ expressions: [PhysicalExpression], names: [String]) throws(BatonError) {
        self.input = input
        self.expressions = expressions
        self.schema = try Schema(zip(names, expressions).map { Field($0, $1.type) }, allowingDuplicates: true)
    }

    public func run(_ context: ExecutionContext, _ consume: @escaping Consumer) throws(BatonError) {
        try input.run(context) { [expressions, schema, metrics] batch, id throws(BatonError) in
            let output = try metrics.timed { () throws(BatonError) -> Batch in
                var source = batch
                if let selection = batch.selection, selection.count * 4 < batch.physicalCount { source = batch.compacted() }
                var columns: [Column] = []
                for e in expressions { columns.append(try e.column(source)) }
                return try Batch(schema: schema, columns: columns, selection: source.selection)
            }
            metrics.produced(output)
            try consume(output, id)
        }
    }
}

/// Concatenates its inputs' rows: the first input's, then the second's. Streaming.
public final class UnionAll: ExecutionNode {
    public let inputs: [any ExecutionNode]
    public let schema: Schema
    public let metrics = OperatorMetrics()
    public var children: [any ExecutionNode] { inputs }
    public var label: String { "UnionAll" }

    /// - Precondition: every input has the types of `schema` (the planner casts).
    public init(_ inputs: [any ExecutionNode], schema: Schema) {
        self.inputs = inputs
        self.schema = schema
    }

    public func run(_ context: ExecutionContext, _ consume: @escaping Consumer) throws(BatonError) {
        for (k, input) in inputs.enumerated() {
            try input.run(context) { [schema, metrics] batch, id throws(BatonError) in
                let renamed = try Batch(schema: schema, columns: batch.columns, selection: batch.selection)
                metrics.produced(renamed)
                try consume(renamed, MorselID([k] + id.path))
            }
        }
    }
}

/// Skips `offset` rows, then passes at most `limit` rows, in morsel order. Blocking (it has to
/// know which rows come first); once `offset + limit` rows have arrived it asks its input to
/// stop, so `SELECT * FROM 'big.csv' LIMIT 10` reads a block or two, not the file.
public final class Limit: ExecutionNode {
    public let input: any ExecutionNode
    public let limit: Int?
    public let offset: Int
    public let metrics = OperatorMetrics()
    public var schema: Schema { input.schema }
    public var children: [any ExecutionNode] { [input] }
    public var label: String { "Limit \(limit.map(String.init) ?? "all")\(offset > 0 ? " offset \(offset)" : "")" }
    public var emitsInOrder: Bool { true }

    public init(_ input: any ExecutionNode, limit: Int?, offset: Int = 0) {
        self.input = input
        self.limit = limit
        self.offset = offset
    }

    public func run(_ context: ExecutionContext, _ consume: @escaping Consumer) throws(BatonError) {
        // Stop the input once enough rows arrived: they come from a prefix of the morsels.
        let scoped = context.stoppable()
        let needed = limit.map { $0 + offset }
        let seen = Locked(0)
        let parts = Locked<[(MorselID, Batch)]>([])
        if needed == 0 { return }
        try input.run(scoped) { batch, id in
            let dense = batch.compacted()
            parts.withLock { $0.append((id, dense)) }
            let total = seen.withLock { $0 += dense.count; return $0 }
            if let needed, total >= needed { scoped.requestStop() }
        }
        let table = Table(schema: schema, batches: parts.withLock { $0 }.sorted { $0.0 < $1.0 }.map(\.1))
        var skip = offset
        var remaining = limit ?? Int.max
        var index = 0
        for batch in table.batches where remaining > 0 {
            var b = batch
            if skip > 0 {
                if skip >= b.count { skip -= b.count; continue }
                b = b.narrowed(to: SelectionVector((UInt32(skip)..<UInt32(b.count)).map { $0 }))
                skip = 0
            }
            if b.count > remaining { b = b.narrowed(to: SelectionVector((0..<UInt32(remaining)).map { $0 })) }
            remaining -= b.count
            metrics.produced(b)
            try consume(b, MorselID([0, index]))
            index += 1
        }
    }
}
