import Columns
import Spill

/// HashAggregate's external path: raw rows partitioned to disk by key hash once the per-morsel
/// partials have taken their share of the memory budget, then aggregated partition by
/// partition, repartitioned by the next hash bits when one partition is still too big.
///
/// Phases:
/// 1. Sink: partials take reservations before each batch (an estimate from its rows). They may
///    hold half the budget; the other half is for phase 3. Once refused, the operator is in
///    spill mode for good: every later batch's key and argument columns go to one of 32
///    partition files by the high 5 bits of the key hash, one frame per batch and partition,
///    tagged with the batch's morsel id. Partials built so far stay in memory.
/// 2. Per partition, in parallel: the partials' groups and raw rows of that partition, then the
///    spilled frames, in morsel order (a spilled frame after the partial of its own morsel, whose
///    rows came first), fold into one table under the partition's own reservation.
/// 3. Refused there: the table is dropped, and the partition's inputs are split 32 ways by the
///    next 5 bits of the hash (frames rewritten to new files; partials re-routed in memory), and
///    each part is aggregated the same way — recursively, for 11 levels; then it runs alone
///    (`PartitionGate`) and fails, naming the partition, only if it does not fit by itself.
///
/// Groups fold in morsel order at every level, so first/last and every count and min/max equal
/// the in-memory results; floating-point sums may round differently (partials add in another
/// association), and groups come out in another order (SQL defines none without ORDER BY).
final class AggregateSpill: @unchecked Sendable {
    let keys: [Int]
    let aggregates: [AggregateCall]
    /// Key columns, then every aggregate's argument columns.
    let rawSchema: Schema
    let budget: MemoryBudget
    let reservation: MemoryReservation
    let space: SpillSpace
    let metrics: OperatorMetrics
    private let lock = Lock()
    private var spilling = false
    private var files: [SpillFile?]
    /// Per partition: the frames written, with their batch's morsel id.
    private var frames: [[SpilledFrame]]
    let gate = PartitionGate()

    static let partitionBits = HashAggregate.manyPartitionBits
    /// Past this level the hash has no more fresh bits.
    static let maxLevel = 64 / partitionBits - 1

    struct SpilledFrame {
        let id: MorselID
        let file: SpillFile
        let frame: Int
    }

    init(keys: [Int], aggregates: [AggregateCall], input: Schema, context: ExecutionContext, metrics: OperatorMetrics) {
        self.keys = keys
        self.aggregates = aggregates
        let columns = keys + aggregates.flatMap(\.arguments)
        rawSchema = try! Schema(columns.map { Field(input.fields[$0].name, input.fields[$0].type) }, allowingDuplicates: true)
        budget = context.memory
        reservation = context.memory.reservation("HashAggregate")
        space = context.spill
        self.metrics = metrics
        files = Array(repeating: nil, count: 1 << Self.partitionBits)
        frames = Array(repeating: [], count: 1 << Self.partitionBits)
    }

    var active: Bool { lock.withLock { spilling } }

    /// Whether a batch of `rows` rows may go into a partial: reserves its estimated growth, or
    /// turns spill mode on. Without a limit, always.
    func admit(rows: Int, raw: Bool) -> Bool {
        guard let limit = budget.limit, !keys.isEmpty else { return true }
        let estimate = rows * ((keys.count + 2) * 16 + aggregates.count * 16 + (raw ? rawSchema.count * 8 : 0))
        return lock.withLock {
            if spilling { return false }
            if reservation.size + estimate <= limit / 2, reservation.tryGrow(by: estimate) {
                metrics.held(reservation.size)
                return true
            }
            spilling = true
            return false
        }
    }

    /// Writes `batch`'s key and argument columns to the partition files.
    func write(_ batch: Batch, id: MorselID) throws(BatonError) {
        let dense = batch.compacted()
        let columns = keys.map { dense.columns[$0] } + aggregates.flatMap { call in call.arguments.map { dense.columns[$0] } }
        let routes = Self.route(columns, keyCount: keys.count, level: 0)
        try lock.withLock { () throws(BatonError) in
            for (p, rows) in routes.enumerated() where !rows.isEmpty {
                if files[p] == nil {
                    files[p] = try space.makeFile(for: "HashAggregate[partition \(p)]")
                    metrics.createdSpillFile()
                }
                let written = try files[p]!.append(try Batch(schema: rawSchema, columns: columns.map { $0.take(rows) }))
                metrics.spilled(rows: rows.count, bytes: written)
                frames[p].append(SpilledFrame(id: id, file: files[p]!, frame: files[p]!.frames.count - 1))
            }
        }
    }

    /// Rows of `columns` per sub-partition at `level` (level 0: the top bits, as the partials route).
    static func route(_ columns: [Column], keyCount: Int, level: Int) -> [[UInt32]] {
        let n = columns.first?.count ?? 0
        let hashes = GroupTable.contentHashes(Array(columns[0..<keyCount]), count: n)
        var routes = [[UInt32]](repeating: [], count: 1 << partitionBits)
        let shift = UInt64(64 - partitionBits * (level + 1))
        for (row, hash) in hashes.enumerated() { routes[Int((hash >> shift) & UInt64((1 << partitionBits) - 1))].append(UInt32(row)) }
        return routes
    }

    /// What one (sub)partition aggregates.
    struct Input {
        /// Per partial (in morsel order): its groups here, and per raw batch its rows here.
        var partials: [(groups: [Int32], raw: [[UInt32]])]
        var frames: [SpilledFrame]
        var isEmpty: Bool { frames.isEmpty && partials.allSatisfy { $0.groups.isEmpty && $0.raw.allSatisfy(\.isEmpty) } }
    }

    func input(partition p: Int, routes: [[[Int32]]], partials: [HashAggregate.Partial]) -> Input {
        Input(partials: zip(partials, routes).map { partial, route in (route[p], partial.rawRoutes.map { $0[p] }) },
              frames: lock.withLock { frames[p] })
    }

    /// Aggregates `input` and emits its groups with ids under `path`, or splits it and recurses.
    /// - Parameter alone: the last attempt, with the gate held (see `PartitionGate`).
    func aggregate(_ input: Input, partials: [HashAggregate.Partial], level: Int, path: [Int], keyTypes: [DataType],
                   schema: Schema, alone: Bool = false, _ consume: Consumer) throws(BatonError) {
        if input.isEmpty { return }
        let name = "HashAggregate[partition \(path.map(String.init).joined(separator: "."))]"
        let held = budget.reservation(name)
        // Small to start: under a tiny budget a partition of a few groups must fit.
        let table = GroupTable(types: keyTypes, expected: 64)
        let states = aggregates.map { $0.makeState() }
        var tooBig = false
        // Units in morsel order: a partial before the spilled frames of its own morsel.
        var units: [(major: [Int], tier: Int, last: Int, index: Int)] = []
        for (i, partial) in partials.enumerated() { units.append((partial.major, 0, 0, i)) }
        for (i, frame) in input.frames.enumerated() { units.append((frame.id.major, 1, frame.id.path.last!, i)) }
        units.sort { a, b in
            if a.major != b.major { return a.major.lexicographicallyPrecedes(b.major) }
            return (a.tier, a.last) < (b.tier, b.last)
        }
        for unit in units {
            if unit.tier == 0 {
                let partial = partials[unit.index], mine = input.partials[unit.index]
                try HashAggregate.fold(groups: mine.groups, of: partial, into: table, states)
                for (columns, rows) in zip(partial.rawColumns, mine.raw) where !rows.isEmpty {
                    try HashAggregate.fold(rows: columns.map { $0.take(rows) }, keyCount: keys.count, aggregates, into: table, states)
                }
            } else {
                let frame = input.frames[unit.index]
                let batch = try frame.file.read(frame.frame, schema: rawSchema)
                try HashAggregate.fold(rows: batch.columns, keyCount: keys.count, aggregates, into: table, states)
            }
            let need = table.byteCount + table.count * aggregates.count * 16
            if alone {
                try gate.grow(held, by: need - held.size, needing: "a table of \(table.count) groups of one partition")
            } else if !held.tryResize(to: need) {
                tooBig = true
                break
            }
            metrics.held(held.size)
        }
        if !tooBig {
            let columns = table.keyColumns() + states.map { $0.finish(count: table.count) }
            var index = 0
            for batch in try Batch.split(schema: schema, columns: columns) where batch.count > 0 {
                metrics.produced(batch)
                try consume(batch, MorselID(path + [index]))
                index += 1
            }
            return
        }
        held.free()
        guard level < Self.maxLevel else {
            try gate.alone { () throws(BatonError) in
                try aggregate(input, partials: partials, level: level, path: path, keyTypes: keyTypes, schema: schema, alone: true, consume)
            }
            return
        }
        try repartition(input, partials: partials, level: level + 1, path: path, keyTypes: keyTypes, schema: schema, consume)
    }

    /// Splits `input` by the hash bits of `level` and aggregates each part.
    private func repartition(_ input: Input, partials: [HashAggregate.Partial], level: Int, path: [Int], keyTypes: [DataType],
                             schema: Schema, _ consume: Consumer) throws(BatonError) {
        let ways = 1 << Self.partitionBits
        let shift = UInt64(64 - Self.partitionBits * (level + 1))
        let mask = UInt64(ways - 1)
        var parts = [Input](repeating: Input(partials: [], frames: []), count: ways)
        for (partial, mine) in zip(partials, input.partials) {
            var groups = [[Int32]](repeating: [], count: ways)
            for g in mine.groups { groups[Int((partial.table.hash(of: Int(g)) >> shift) & mask)].append(g) }
            var raw = [[[UInt32]]](repeating: [], count: ways)
            for (columns, rows) in zip(partial.rawColumns, mine.raw) {
                var split = [[UInt32]](repeating: [], count: ways)
                if !rows.isEmpty {
                    let picked = columns[0..<keys.count].map { $0.take(rows) }
                    for (q, positions) in Self.route(picked, keyCount: keys.count, level: level).enumerated() {
                        split[q] = positions.map { rows[Int($0)] }
                    }
                }
                for q in 0..<ways { raw[q].append(split[q]) }
            }
            for q in 0..<ways { parts[q].partials.append((groups[q], raw[q])) }
        }
        var files = [SpillFile?](repeating: nil, count: ways)
        for frame in input.frames {
            let batch = try frame.file.read(frame.frame, schema: rawSchema)
            for (q, rows) in Self.route(batch.columns, keyCount: keys.count, level: level).enumerated() where !rows.isEmpty {
                if files[q] == nil {
                    files[q] = try space.makeFile(for: "HashAggregate[partition \((path + [q]).map(String.init).joined(separator: "."))]")
                    metrics.createdSpillFile()
                }
                let written = try files[q]!.append(try Batch(schema: rawSchema, columns: batch.columns.map { $0.take(rows) }))
                metrics.spilled(rows: rows.count, bytes: written)
                parts[q].frames.append(SpilledFrame(id: frame.id, file: files[q]!, frame: files[q]!.frames.count - 1))
            }
        }
        for q in 0..<ways {
            let part = parts[q]
            parts[q] = Input(partials: [], frames: [])
            try aggregate(part, partials: partials, level: level, path: path + [q], keyTypes: keyTypes, schema: schema, consume)
        }
    }
}

extension HashAggregate {
    /// Folds `partial`'s groups `groups` into `table` and `states`.
    static func fold(groups: [Int32], of partial: Partial, into table: GroupTable, _ states: [any AggregateState]) throws(BatonError) {
        guard !groups.isEmpty else { return }
        let targets = table.insert(from: partial.table, groups: groups)
        for (state, source) in zip(states, partial.states) {
            state.grow(to: table.count)
            try state.merge(source, from: groups, to: targets)
        }
    }

    /// Folds raw rows (key columns, then every aggregate's argument columns) into `table` and `states`.
    static func fold(rows columns: [Column], keyCount: Int, _ aggregates: [AggregateCall], into table: GroupTable,
                     _ states: [any AggregateState]) throws(BatonError) {
        let groups = table.insert(Array(columns[0..<keyCount]), count: columns.first?.count ?? 0)
        var next = keyCount
        for (state, call) in zip(states, aggregates) {
            state.grow(to: table.count)
            try state.update(groups: groups, arguments: Array(columns[next..<(next + call.arguments.count)]))
            next += call.arguments.count
        }
    }
}
