import Columns
import Spill

/// HashJoin's grace path, taken when the build side does not fit the memory budget.
///
/// Phases:
/// 1. Build sink: right batches are buffered under the `HashJoin[build]` reservation (twice
///    their size: the index needs about as much again). Refused: the buffer and every later
///    right batch go to 32 partition files by the key hash.
/// 2. Probe sink: in grace mode every left batch goes to 32 partition files the same way.
/// 3. Per partition, in parallel: the right frames (in morsel order) are built into an index
///    under the partition's own reservation, the left frames (in morsel order) are probed
///    against it, and for RIGHT / FULL the right rows no probe matched follow.
/// 4. A partition whose build side still does not fit is split 32 ways by the next 5 hash bits,
///    both sides rewritten, and each part joined the same way — recursively, for 11 levels; then
///    it runs alone (`PartitionGate`), and only if it does not fit by itself does the error name
///    the partition and the numbers (one key with more rows than the budget).
///
/// Null keys go to a partition like any key and match nothing there, so LEFT / ANTI / RIGHT /
/// FULL still emit their rows. The rows are those of the in-memory join; without ORDER BY they
/// come out partition by partition instead of in left input order. Joins without keys (cross
/// products) never spill.
final class JoinSpill: @unchecked Sendable {
    unowned let join: HashJoin
    let reservation: MemoryReservation
    let budget: MemoryBudget
    let space: SpillSpace
    private let lock = Lock()
    private(set) var buffered: [(id: MorselID, batch: Batch)] = []
    private(set) var active = false
    private let rightParts: SpillPartitions
    private let leftParts: SpillPartitions
    private let gate = PartitionGate()

    init(_ join: HashJoin, _ context: ExecutionContext) {
        self.join = join
        budget = context.memory
        reservation = context.memory.reservation("HashJoin[build]")
        space = context.spill
        rightParts = SpillPartitions(schema: join.right.schema, keys: join.rightKeys, level: 0) { "HashJoin[build partition \($0)]" }
        leftParts = SpillPartitions(schema: join.left.schema, keys: join.leftKeys, level: 0) { "HashJoin[probe partition \($0)]" }
    }

    /// Buffers a right batch, or writes it to its partitions once the budget refused one.
    func addBuild(_ batch: Batch, _ id: MorselID) throws(BatonError) {
        let dense = batch.compacted()
        let bytes = 2 * dense.columns.reduce(0) { $0 + $1.byteCount }
        try lock.withLock { () throws(BatonError) in
            if !active {
                if join.rightKeys.isEmpty || reservation.tryGrow(by: bytes) {
                    buffered.append((id, dense))
                    join.metrics.held(reservation.size)
                    return
                }
                active = true
                for (earlier, part) in buffered.sorted(by: { $0.id < $1.id }) {
                    try rightParts.write(part, id: earlier, space: space, metrics: join.metrics)
                }
                buffered = []
                reservation.free()
            }
            try rightParts.write(dense, id: id, space: space, metrics: join.metrics)
        }
    }

    func addProbe(_ batch: Batch, _ id: MorselID) throws(BatonError) {
        try lock.withLock { () throws(BatonError) in try leftParts.write(batch, id: id, space: space, metrics: join.metrics) }
    }

    /// Phase 3: every partition pair, in parallel.
    func joinPartitions(_ context: ExecutionContext, _ consume: Consumer) throws(BatonError) {
        try context.parallel(SpillPartitions.ways) { [self] p throws(BatonError) in
            try join.metrics.timed { () throws(BatonError) in
                try gate.partition { () throws(BatonError) in
                    try joinPartition(right: rightParts.frames[p], left: leftParts.frames[p], level: 0, path: [p], consume)
                }
            }
        }
    }

    /// - Parameter alone: the last attempt, with the gate held (see `PartitionGate`).
    private func joinPartition(right: [SpillPartitions.Frame], left: [SpillPartitions.Frame], level: Int, path: [Int],
                               alone: Bool = false, _ consume: Consumer) throws(BatonError) {
        let type = join.type
        if left.isEmpty && (right.isEmpty || (type != .right && type != .full)) { return }
        if right.isEmpty && (type == .inner || type == .semi || type == .right) { return }
        let name = "HashJoin[partition \(path.map(String.init).joined(separator: "."))]"
        let held = budget.reservation(name)
        var batches: [Batch] = []
        for frame in right.sorted(by: { $0.id < $1.id }) {
            let batch = try frame.read(join.right.schema)
            let need = 2 * batch.columns.reduce(0) { $0 + $1.byteCount }
            if alone {
                let rows = right.reduce(0) { $0 + $1.rows }
                try gate.grow(held, by: need, needing: "the \(rows) build rows of one partition (one key with that many rows?)")
            } else if !held.tryGrow(by: need) {
                batches = []
                held.free()
                guard level < SpillPartitions.maxLevel else {
                    try gate.alone { () throws(BatonError) in
                        try joinPartition(right: right, left: left, level: level, path: path, alone: true, consume)
                    }
                    return
                }
                try repartition(right: right, left: left, level: level + 1, path: path, consume)
                return
            }
            batches.append(batch)
        }
        join.metrics.held(held.size)
        let build = Table(schema: join.right.schema, batches: batches)
        let index = join.buildIndex(build)
        let rightColumns = build.columns
        let matchedRight = Locked<[Bool]>(type == .right || type == .full ? [Bool](repeating: false, count: build.rowCount) : [])
        var k = 0
        for frame in left.sorted(by: { $0.id < $1.id }) {
            let batch = try frame.read(join.left.schema)
            for output in try join.probe(batch, index, rightColumns, matchedRight) where output.count > 0 {
                join.metrics.produced(output)
                try consume(output, MorselID(path + [k]))
                k += 1
            }
        }
        if type == .right || type == .full {
            try join.emitUnmatched(rightColumns, matchedRight.withLock { $0 }) { batch throws(BatonError) in
                try consume(batch, MorselID(path + [k]))
                k += 1
            }
        }
    }

    /// Splits both sides of a partition by the hash bits of `level` and joins each part.
    private func repartition(right: [SpillPartitions.Frame], left: [SpillPartitions.Frame], level: Int, path: [Int],
                             _ consume: Consumer) throws(BatonError) {
        let label = path.map(String.init).joined(separator: ".")
        let rightParts = SpillPartitions(schema: join.right.schema, keys: join.rightKeys, level: level) { "HashJoin[build partition \(label).\($0)]" }
        let leftParts = SpillPartitions(schema: join.left.schema, keys: join.leftKeys, level: level) { "HashJoin[probe partition \(label).\($0)]" }
        for frame in right { try rightParts.write(try frame.read(join.right.schema), id: frame.id, space: space, metrics: join.metrics) }
        for frame in left { try leftParts.write(try frame.read(join.left.schema), id: frame.id, space: space, metrics: join.metrics) }
        for q in 0..<SpillPartitions.ways {
            try joinPartition(right: rightParts.frames[q], left: leftParts.frames[q], level: level, path: path + [q], consume)
        }
    }
}
