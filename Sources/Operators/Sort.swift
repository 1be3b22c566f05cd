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

/// Compares rows of a set of dense columns by sort keys. Each key is turned once into a typed
/// closure (a dictionary column into the rank of each code), so a comparison never switches on
/// the storage.
struct RowComparator {
    private let keys: [(Int, Int) -> Int]

    init(columns: [Column], keys: [SortKey]) {
        self.keys = keys.map { key in
            let column = columns[key.column]
            let direction = key.descending ? -1 : 1
            let nullOrder = key.nullsFirst ? -1 : 1
            let values: (Int, Int) -> Int
            switch column.storage {
            case .int64(let v): values = { a, b in v[a] < v[b] ? -1 : (v[a] == v[b] ? 0 : 1) }
            case .int32(let v): values = { a, b in v[a] < v[b] ? -1 : (v[a] == v[b] ? 0 : 1) }
            case .float64(let v): values = { a, b in Value.compareFloats(v[a], v[b]) }
            case .bool(let v): values = { a, b in (v[a] ? 1 : 0) - (v[b] ? 1 : 0) }
            case .string(let s):
                values = { a, b in s.withBytes(at: a) { x in s.withBytes(at: b) { y in compareBytes(x, y) } } }
            case .dictionary(let codes, let dictionary):
                let ranks = RowComparator.ranks(dictionary)
                values = { a, b in
                    let x = ranks[Int(codes[a])], y = ranks[Int(codes[b])]
                    return x < y ? -1 : (x == y ? 0 : 1)
                }
            }
            guard let validity = column.validity else { return { a, b in values(a, b) * direction } }
            return { a, b in
                switch (validity[a], validity[b]) {
                case (true, true): values(a, b) * direction
                case (false, false): 0
                case (false, true): nullOrder
                case (true, false): -nullOrder
                }
            }
        }
    }

    /// Each dictionary value's position in byte order, so codes compare as integers.
    static func ranks(_ values: StringArray) -> [Int32] {
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

    @inline(__always)
    func compare(_ a: Int, _ b: Int) -> Int {
        for key in keys {
            let c = key(a, b)
            if c != 0 { return c }
        }
        return 0
    }

    /// Row indices in key order; ties keep input order (the sort is stable).
    func sortedIndices(_ count: Int) -> [UInt32] {
        var indices = (0..<UInt32(count)).map { $0 }
        indices.sort { a, b in
            let c = compare(Int(a), Int(b))
            return c != 0 ? c < 0 : a < b
        }
        return indices
    }
}

extension Column {
    /// The rows at `indices`, in that order.
    func take(_ indices: [UInt32]) -> Column { gather(SelectionVector(indices)) }
}

/// Orders rows by keys, keeping only the first `limit` when given (top-N). Blocking; stable
/// (ties keep input order). With a limit, each morsel keeps only its own first `limit` rows,
/// so memory is bounded by morsels × limit rather than by the input.
public final class Sort: ExecutionNode {
    public let input: any ExecutionNode
    public let keys: [SortKey]
    public let limit: Int?
    public let metrics = OperatorMetrics()
    public var schema: Schema { input.schema }
    public var children: [any ExecutionNode] { [input] }
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
                    let order = RowComparator(columns: dense.columns, keys: keys).sortedIndices(dense.count)
                    let kept = Array(order.prefix(limit))
                    return try! Batch(schema: schema, columns: dense.columns.map { $0.take(kept) })
                }
                parts.withLock { $0.append((id, best)) }
            }
            table = Table(schema: schema, batches: parts.withLock { $0 }.sorted { $0.0 < $1.0 }.map(\.1))
        } else {
            table = try input.collect(context)
        }
        metrics.held(table.byteCount)
        let sorted = metrics.timed { () -> [Column] in
            let columns = table.columns
            var order = RowComparator(columns: columns, keys: keys).sortedIndices(table.rowCount)
            if let limit, order.count > limit { order.removeLast(order.count - limit) }
            return columns.map { $0.take(order) }
        }
        var index = 0
        for batch in try Batch.split(schema: schema, columns: sorted) where batch.count > 0 {
            metrics.produced(batch)
            try consume(batch, MorselID([index]))
            index += 1
        }
    }
}
