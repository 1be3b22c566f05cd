import Columns

/// One ORDER BY key: an input column, its direction and where its nulls go.
public struct SortKey: Sendable {
    public let column: Int
    public let descending: Bool
    public let nullsFirst: Bool

    /// Nulls default to last in both directions, as in DuckDB and Polars.
    public init(column: Int, descending: Bool = false, nullsFirst: Bool? = nil) {
        self.column = column
        self.descending = descending
        self.nullsFirst = nullsFirst ?? false
    }
}

/// The order of a dictionary's values.
enum DictionaryRanks {
    /// Each value's position in byte order (equal values share one), so codes compare as integers.
    static func of(_ values: StringArray) -> [Int32] {
        let order = (0..<values.count).sorted { a, b in
            values.withBytes(at: a) { x in values.withBytes(at: b) { y in compareBytes(x, y) < 0 } }
        }
        var ranks = [Int32](repeating: 0, count: values.count)
        var rank: Int32 = 0
        for (k, code) in order.enumerated() {
            if k > 0 && values.withBytes(at: order[k - 1], { x in values.withBytes(at: code) { y in compareBytes(x, y) != 0 } }) {
                rank += 1
            }
            ranks[code] = rank
        }
        return ranks
    }
}

extension Column {
    /// The rows at `indices`, in that order.
    func take(_ indices: [UInt32]) -> Column { gather(SelectionVector(indices)) }
}

/// Orders rows by keys, keeping only the first `limit` when given (top-N). Blocking; stable
/// (ties keep input order). With a limit, each morsel keeps only its own first `limit` rows,
/// so memory is bounded by morsels × limit rather than by the input. Without one, spills
/// sorted runs when the memory budget refuses the input, then merges them (`SortSpill`):
/// the same rows in the same order either way.
public final class Sort: ExecutionNode {
    public let input: any ExecutionNode
    public let keys: [SortKey]
    public let limit: Int?
    public let metrics = OperatorMetrics()
    public var schema: Schema { input.schema }
    public var children: [any ExecutionNode] { [input] }
    /// Both paths emit from the calling thread, in order, once the input is read.
    public var emitsInOrder: Bool { true }
    public var label: String {
        let text = keys.map { key in
            input.schema.fields[key.column].name + (key.descending ? " DESC" : "") + (key.nullsFirst ? " NULLS FIRST" : "")
        }.joined(separator: ", ")
        return (limit.map { "TopN \($0) by " } ?? "Sort by ") + text
    }

    public init(_ input: any ExecutionNode, keys: [SortKey], limit: Int? = nil) {
        self.input = input
        self.keys = keys
        self.limit = limit
    }

    public func run(_ context: ExecutionContext, _ consume: @escaping Consumer) throws(BatonError) {
        let table: Table
        if let limit {
            let parts = Locked<[(MorselID, Batch)]>([])
            try input.run(context) { [keys, metrics, schema] batch, id in
                let best = metrics.timed { () -> Batch in
                    let dense = batch.compacted()
                    let order = NormalizedKeys(columns: dense.columns, keys: keys, count: dense.count).sortedIndices()
                    let kept = Array(order.prefix(limit))
                    return try! Batch(schema: schema, columns: dense.columns.map { $0.take(kept) })
                }
                parts.withLock { $0.append((id, best)) }
            }
            table = Table(schema: schema, batches: parts.withLock { $0 }.sorted { $0.0 < $1.0 }.map(\.1))
        } else {
            let sink = SortSpill(keys: keys, schema: schema, context: context, metrics: metrics, consumer: "Sort")
            try input.run(context) { [metrics] batch, id throws(BatonError) in
                try metrics.timed { () throws(BatonError) in try sink.add(batch, id) }
            }
            if !sink.runs.isEmpty {
                var index = 0
                try metrics.timed { () throws(BatonError) in
                    try sink.finish { [metrics] batch throws(BatonError) in
                        try metrics.handOver(batch, MorselID([0, index]), to: consume)
                        index += 1
                    }
                }
                return
            }
            table = Table(schema: schema, batches: sink.buffered.sorted { sink.origins[$0.ordinal] < sink.origins[$1.ordinal] }.map(\.batch))
        }
        metrics.held(table.byteCount)
        let sorted = metrics.timed { () -> [Column] in
            let columns = table.columns
            var order = NormalizedKeys(columns: columns, keys: keys, count: table.rowCount).sortedIndices()
            if let limit, order.count > limit { order.removeLast(order.count - limit) }
            return columns.map { $0.take(order) }
        }
        var index = 0
        for batch in try Batch.split(schema: schema, columns: sorted) where batch.count > 0 {
            metrics.produced(batch)
            try consume(batch, MorselID([0, index]))
            index += 1
        }
    }
}
