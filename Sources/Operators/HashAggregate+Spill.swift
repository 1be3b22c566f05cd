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
    /// Raw rows by the key hash, one frame per batch and partition.
    private let parts: SpillPartitions
    let gate = PartitionGate()
    /// Partitions merged at once.
    let threads: Int

    static let partitionBits = HashAggregate.manyPartitionBits
    /// Past this level the hash has no more fresh bits.
    static let maxLevel = 64 / partitionBits - 1

    typealias SpilledFrame = SpillPartitions.Frame

    init(keys: [Int], aggregates: [AggregateCall], input: Schema, context: ExecutionContext, metrics: OperatorMetrics) {
        threads = context.threads
        self.keys = keys
        self.aggregates = aggregates
        let columns = keys + aggregates.flatMap(\.arguments)
        rawSchema = try! Schema(columns.map { Field(input.fields[$0].name, input.fields[$0].type) }, allowingDuplicates: true)
        budget = context.memory
        reservation = context.memory.reservation("HashAggregate")
        space = context.spill
        self.metrics = metrics
        parts = SpillPartitions(schema: rawSchema, keys: Array(0..<keys.count), level: 0) { "HashAggregate[partition \($0)]" }
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

    /// Writes `batch`'s key and argument columns to the partition files (encoding in parallel,
    /// appending in turn).
    func write(_ batch: Batch, id: MorselID) throws(BatonError) {
        let dense = batch.compacted()
        let columns = keys.map { dense.columns[$0] } + aggregates.flatMap { call in call.arguments.map { dense.columns[$0] } }
        let encoded = try parts.encode(try Batch(schema: rawSchema, columns: columns))
        try lock.withLock { () throws(BatonError) in try parts.append(encoded, id: id, space: space, metrics: metrics) }
    }

    /// What one (sub)partition aggregates.
    struct Input {
        /// Per partial (in morsel order): its groups here, and its raw rows here.
        var partials: [(groups: [Int32], raw: [RawPiece])]
        var frames: [SpilledFrame]
        var isEmpty: Bool { frames.isEmpty && partials.allSatisfy { $0.groups.isEmpty && $0.raw.allSatisfy { $0.count == 0 } } }
    }

    func input(partition p: Int, routes: [[[Int32]]], partials: [HashAggregate.Partial]) -> Input {
        Input(partials: zip(partials, routes).map { partial, route in (route[p], partial.takeRawPieces(partition: p)) },
              frames: lock.withLock { parts.frames[p] })
    }

    /// Aggregates `input` and emits its groups with ids under `path`, or splits it and recurses.
    /// - Parameter alone: the last attempt, with the gate held (see `PartitionGate`).
    func aggregate(_ input: Input, partials: [HashAggregate.Partial], level: Int, path: [Int], keyTypes: [DataType],
                   schema: Schema, alone: Bool = false, _ consume: Consumer) throws(BatonError) {
        if input.isEmpty { return }
        let name = "HashAggregate[partition \(path.map(String.init).joined(separator: "."))]"
        let held = budget.reservation(name)
        // Sized for every group it can get (groups, raw rows and spilled rows: an upper bound)
        // when that fits in a fair share of the merge's half of the budget: it then never grows
        // by doubling — each step a fresh allocation and a copy, and with both copies alive, a
        // peak that makes partitions of equal size fit or not by chance. Else small to start:
        // under a tiny budget a partition of a few groups must fit.
        let bound = input.partials.reduce(0) { $0 + $1.groups.count + $1.raw.reduce(0) { $0 + $1.count } }
            + input.frames.reduce(0) { $0 + $1.rows }
        let bytesPerGroup = (keyTypes.count * 2 + 2) * 8 + 16 + aggregates.count * 16
        let presize = bound * bytesPerGroup <= (budget.limit ?? Int.max) / 2 / threads
        let table = GroupTable(types: keyTypes, expected: presize ? max(64, bound) : 64)
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
                for piece in mine.raw { try HashAggregate.fold(piece, of: partial, aggregates, into: table, states) }
            } else {
                let frame = input.frames[unit.index]
                let batch = try frame.read(rawSchema)
                try HashAggregate.fold(rows: batch.columns, keyCount: keys.count, aggregates, into: table, states)
            }
            let need = table.byteCount + table.count * aggregates.count * 16 + states.reduce(0) { $0 + $1.extraBytes }
            if alone {
                try gate.grow(held, by: need - held.size, needing: "a table of \(table.count) groups of one partition")
            } else if !held.tryResize(to: need) {
                tooBig = true
                break
            }
            metrics.held(held.size)
        }
        if !tooBig {
            var index = 0
            try HashAggregate.emit(table, states, schema: schema) { (batch) throws(BatonError) in
                try metrics.handOver(batch, MorselID(path + [index]), to: consume)
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
            var raw = [[RawPiece]](repeating: [], count: ways)
            for piece in mine.raw {
                for (q, part) in piece.split(width: partial.table.width, bits: Self.partitionBits, level: level).enumerated()
                where part.count > 0 {
                    raw[q].append(part)
                }
            }
            for q in 0..<ways { parts[q].partials.append((groups[q], raw[q])) }
        }
        var files = [SpillFile?](repeating: nil, count: ways)
        for frame in input.frames {
            let batch = try frame.read(rawSchema)
            for (q, rows) in SpillPartitions.routes(Array(batch.columns[0..<keys.count]), count: batch.count, level: level).enumerated()
            where !rows.isEmpty {
                if files[q] == nil {
                    files[q] = try space.makeFile(for: "HashAggregate[partition \((path + [q]).map(String.init).joined(separator: "."))]")
                    metrics.createdSpillFile()
                }
                let written = try files[q]!.append(try Batch(schema: rawSchema, columns: batch.columns.map { $0.take(rows) }))
                metrics.spilled(rows: rows.count, bytes: written)
                parts[q].frames.append(SpilledFrame(id: frame.id, file: files[q]!, index: files[q]!.frames.count - 1))
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
    /// Hands over the groups of `table` with their finished aggregates, a batch at a time.
    static func emit(_ table: GroupTable, _ states: [any AggregateState], schema: Schema,
                     _ body: (Batch) throws(BatonError) -> Void) throws(BatonError) {
        let finished = states.map { $0.finish(count: table.count) }
        var start = 0
        while start < table.count {
            let range = start..<min(table.count, start + Batch.capacity)
            let values = finished.map { range.count == table.count ? $0 : $0.slice(range) }
            try body(try Batch(schema: schema, columns: table.keyColumns(range) + values))
            start = range.upperBound
        }
    }

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
        try update(states, aggregates, groups: groups, arguments: columns[keyCount...], table: table)
    }

    /// Folds a partial's raw rows into `table` and `states`.
    static func fold(_ piece: RawPiece, of partial: Partial, _ aggregates: [AggregateCall], into table: GroupTable,
                     _ states: [any AggregateState]) throws(BatonError) {
        guard piece.count > 0 else { return }
        let groups = table.insert(encoded: piece.words, hashes: piece.hashes, from: partial.table)
        try update(states, aggregates, groups: groups, arguments: piece.arguments[...], table: table)
    }

    private static func update(_ states: [any AggregateState], _ aggregates: [AggregateCall], groups: [Int32],
                               arguments: ArraySlice<Column>, table: GroupTable) throws(BatonError) {
        var next = arguments.startIndex
        for (state, call) in zip(states, aggregates) {
            state.grow(to: table.count)
            try state.update(groups: groups, arguments: Array(arguments[next..<(next + call.arguments.count)]))
            next += call.arguments.count
        }
    }
}
