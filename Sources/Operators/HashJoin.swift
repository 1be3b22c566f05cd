import Columns
import Kernels

public enum JoinType: String, Sendable {
    case inner, left, right, full, semi, anti
}

/// Joins the probe (left) input with the build (right) input on equal keys, plus an optional
/// residual condition over the joined row. Null keys never match.
///
/// Phases:
/// 1. Build: the right input is collected, its keys numbered by a `GroupTable`, and the rows of
///    each key listed in order (a CSR index).
/// 2. Probe, in parallel per left morsel: each row's key is looked up, candidate pairs are
///    gathered into batches, the residual filters them; unmatched left rows are added for
///    LEFT / FULL, and SEMI / ANTI emit each left row at most once.
/// 3. RIGHT / FULL: right rows no probe matched are emitted last.
///
/// Blocking on the right input; streaming and order-preserving on the left — unless the right
/// input does not fit the memory budget: then both sides are partitioned to disk by key hash
/// and joined partition by partition (`JoinSpill`, grace hash join). Without keys it is a
/// nested-loop join (every pair is a candidate): CROSS JOIN, which never spills.
public final class HashJoin: ExecutionNode {
    public let left: any ExecutionNode
    public let right: any ExecutionNode
    public let type: JoinType
    public let leftKeys: [Int]
    public let rightKeys: [Int]
    /// Over the joined schema (left columns, then right columns).
    public let residual: PhysicalExpression?
    public let schema: Schema
    public let metrics = OperatorMetrics()
    public var children: [any ExecutionNode] { [left, right] }
    public var label: String {
        let pairs = zip(leftKeys, rightKeys).map { "\(left.schema.fields[$0].name) = \(right.schema.fields[$1].name)" }
        var text = "HashJoin \(type.rawValue.uppercased())"
        if pairs.isEmpty && residual == nil { return text + " (cross product)" }
        if !pairs.isEmpty { text += " on " + pairs.joined(separator: " AND ") }
        if let residual { text += " filter \(residual)" }
        return text
    }

    /// The schema of a pair (left columns, then right columns), nullable on the outer sides.
    public static func joinedSchema(_ left: Schema, _ right: Schema) throws(BatonError) -> Schema {
        try Schema(left.fields + right.fields, allowingDuplicates: true)
    }

    public init(left: any ExecutionNode, right: any ExecutionNode, type: JoinType, leftKeys: [Int], rightKeys: [Int],
                residual: PhysicalExpression?) throws(BatonError) {
        self.left = left
        self.right = right
        self.type = type
        self.leftKeys = leftKeys
        self.rightKeys = rightKeys
        self.residual = residual
        schema = type == .semi || type == .anti ? left.schema : try Self.joinedSchema(left.schema, right.schema)
    }

    public func run(_ context: ExecutionContext, _ consume: @escaping Consumer) throws(BatonError) {
        // Phase 1: build (spilling to partitions if the budget refuses the right side).
        let spill = JoinSpill(self, context)
        try right.run(context) { [metrics] batch, id throws(BatonError) in
            try metrics.timed { () throws(BatonError) in try spill.addBuild(batch, id) }
        }
        if spill.active {
            try left.run(context) { [metrics] batch, id throws(BatonError) in
                try metrics.timed { () throws(BatonError) in try spill.addProbe(batch, id) }
            }
            try spill.joinPartitions(context, consume)
            return
        }
        let build = Table(schema: right.schema, batches: spill.buffered.sorted { $0.id < $1.id }.map(\.batch))
        let rightColumns = build.columns
        let rightCount = build.rowCount
        let index = metrics.timed { buildIndex(build) }
        metrics.held(build.byteCount + index.table.byteCount + index.rows.count * 4)
        let matchedRight = Locked<[Bool]>(type == .right || type == .full ? [Bool](repeating: false, count: rightCount) : [])

        // Phase 2: probe.
        try left.run(context) { [self] batch, id throws(BatonError) in
            let outputs = try metrics.timed { () throws(BatonError) -> [Batch] in
                try probe(batch.compacted(), index, rightColumns, matchedRight)
            }
            for (k, output) in outputs.enumerated() where output.count > 0 {
                metrics.produced(output)
                try consume(output, id.child(k))
            }
        }

        // Phase 3: unmatched right rows.
        if type == .right || type == .full {
            var k = 0
            try emitUnmatched(rightColumns, matchedRight.withLock { $0 }) { batch throws(BatonError) in
                try consume(batch, MorselID([Int.max, k]))
                k += 1
            }
        }
    }

    /// The key index of the build rows: keys numbered by a `GroupTable`, rows of each key in
    /// order (a CSR index). Rows with a null key are left out: they match nothing.
    func buildIndex(_ build: Table) -> JoinIndex {
        let rightColumns = build.columns
        let rightCount = build.rowCount
        let table = GroupTable(types: rightKeys.map { right.schema.fields[$0].type }, expected: max(16, rightCount))
        let rowGroups = table.insert(rightKeys.map { rightColumns[$0] }, count: rightCount)
        var starts = [Int](repeating: 0, count: table.count + 1)
        for g in rowGroups where !table.hasNull(group: Int(g)) || rightKeys.isEmpty {
            starts[Int(g) + 1] += 1
        }
        for g in 0..<table.count { starts[g + 1] += starts[g] }
        var fill = starts
        var rows = [UInt32](repeating: 0, count: starts[table.count])
        for (row, g) in rowGroups.enumerated() where !table.hasNull(group: Int(g)) || rightKeys.isEmpty {
            rows[fill[Int(g)]] = UInt32(row)
            fill[Int(g)] += 1
        }
        return JoinIndex(table: table, starts: starts, rows: rows)
    }

    /// The right rows no probe matched, with nulls on the left, in batches.
    func emitUnmatched(_ rightColumns: [Column], _ matched: [Bool], _ emit: (Batch) throws(BatonError) -> Void) throws(BatonError) {
        let unmatched = (0..<UInt32(matched.count)).filter { !matched[Int($0)] }
        var start = 0
        while start < unmatched.count {
            let part = Array(unmatched[start..<min(start + Batch.capacity, unmatched.count)])
            let columns = left.schema.fields.map { Column.nulls($0.type, count: part.count) } + rightColumns.map { $0.take(part) }
            let batch = try Batch(schema: schema, columns: columns)
            metrics.produced(batch)
            try emit(batch)
            start += Batch.capacity
        }
    }

    /// Read-only once built, so probes share it across threads (`GroupTable.find` only reads).
    struct JoinIndex: @unchecked Sendable {
        let table: GroupTable
        let starts: [Int]
        let rows: [UInt32]
    }

    /// The output batches of one dense left batch.
    func probe(_ batch: Batch, _ index: JoinIndex, _ rightColumns: [Column], _ matchedRight: Locked<[Bool]>) throws(BatonError) -> [Batch] {
        let n = batch.count
        let groups = leftKeys.isEmpty
            ? [Int32](repeating: index.table.count > 0 ? 0 : -1, count: n)
            : index.table.find(leftKeys.map { batch.columns[$0] }, count: n)
        var leftMatched = [Bool](repeating: false, count: n)
        var rightMatched: [UInt32] = []
        var outputs: [Batch] = []
        let joined = try Self.joinedSchema(left.schema, right.schema)
        var li: [UInt32] = []
        var ri: [UInt32] = []

        func flush() throws(BatonError) {
            guard !li.isEmpty else { return }
            var pair = try Batch(schema: joined, columns: batch.columns.map { $0.take(li) } + rightColumns.map { $0.take(ri) })
            var keptLeft = li, keptRight = ri
            if let residual {
                let mask = Logic.trueMask(try residual.evaluate(pair), count: pair.count)
                let kept = (0..<li.count).filter { mask[$0] }
                keptLeft = kept.map { li[$0] }
                keptRight = kept.map { ri[$0] }
                if kept.count < li.count { pair = pair.narrowed(to: SelectionVector(kept.map { UInt32($0) })).compacted() }
            }
            for l in keptLeft { leftMatched[Int(l)] = true }
            if type == .right || type == .full { rightMatched += keptRight }
            if type != .semi && type != .anti && pair.count > 0 { outputs.append(pair) }
            li.removeAll(keepingCapacity: true)
            ri.removeAll(keepingCapacity: true)
        }

        for i in 0..<n where groups[i] >= 0 {
            let g = Int(groups[i])
            for k in index.starts[g]..<index.starts[g + 1] {
                li.append(UInt32(i))
                ri.append(index.rows[k])
                if li.count == Batch.capacity { try flush() }
            }
        }
        try flush()

        switch type {
        case .semi, .anti:
            let keep = (0..<UInt32(n)).filter { leftMatched[Int($0)] == (type == .semi) }
            return keep.isEmpty ? [] : [try Batch(schema: schema, columns: batch.columns.map { $0.take(keep) })]
        case .left, .full:
            let unmatched = (0..<UInt32(n)).filter { !leftMatched[Int($0)] }
            if !unmatched.isEmpty {
                let columns = batch.columns.map { $0.take(unmatched) } + right.schema.fields.map { Column.nulls($0.type, count: unmatched.count) }
                outputs.append(try Batch(schema: schema, columns: columns))
            }
        default: break
        }
        if !rightMatched.isEmpty {
            matchedRight.withLock { flags in for r in rightMatched { flags[Int(r)] = true } }
        }
        return outputs
    }
}

extension Column {
    /// `count` nulls of `type`.
    public static func nulls(_ type: DataType, count: Int) -> Column {
        let validity = Bitmap(repeating: false, count: count)
        return switch type {
        case .int64, .timestamp: Column(type, .int64([Int64](repeating: 0, count: count)), validity: validity)
        case .date: Column(type, .int32([Int32](repeating: 0, count: count)), validity: validity)
        case .float64: Column(type, .float64([Double](repeating: 0, count: count)), validity: validity)
        case .bool: Column(type, .bool(Bitmap(repeating: false, count: count)), validity: validity)
        case .string: Column(type, .dictionary(codes: [Int32](repeating: 0, count: count), values: StringArray([""])), validity: validity)
        }
    }
}
