import Columns
import Spill

/// Window's spill path, taken when its input does not fit the memory budget.
///
/// Phases:
/// 1. Sink: input batches are buffered under the `Window` reservation (three times their size:
///    the sorted copy, the keys and the results take about as much again). Refused: the buffer
///    and every later batch go to 32 partition files by the hash of the PARTITION BY keys, so
///    every window partition lies whole in one file.
/// 2. Per file, in parallel: its frames are read back in morsel order (so ties keep input
///    order) under the file's own reservation and processed as one bucket of the in-memory path.
/// 3. A file still too big is split 32 ways by the next hash bits and each part processed the
///    same way — recursively, for 11 levels; then it runs alone (`PartitionGate`), and fails,
///    naming the partition, only if it does not fit the budget by itself.
///
/// Each window partition's rows and results are those of the in-memory run, floating-point
/// aggregates included (same rows, same order); partitions come out in another order. A window
/// without PARTITION BY is one partition and never spills.
final class WindowSpill: @unchecked Sendable {
    unowned let window: Window
    let reservation: MemoryReservation
    let budget: MemoryBudget
    let space: SpillSpace
    private let lock = Lock()
    private(set) var buffered: [(id: MorselID, batch: Batch)] = []

    /// The buffered batches, handed over (the spill no longer holds them).
    func takeBuffered() -> [(id: MorselID, batch: Batch)] {
        defer { buffered = [] }
        return buffered
    }
    private(set) var active = false
    private let parts: SpillPartitions
    private let gate = PartitionGate()

    init(_ window: Window, _ context: ExecutionContext) {
        self.window = window
        budget = context.memory
        reservation = context.memory.reservation("Window")
        space = context.spill
        parts = SpillPartitions(schema: window.input.schema, keys: window.partitionKeys, level: 0) { "Window[partition \($0)]" }
    }

    static func estimate(_ batch: Batch) -> Int { 3 * batch.columns.reduce(0) { $0 + $1.byteCount } }

    func add(_ batch: Batch, _ id: MorselID) throws(BatonError) {
        let dense = batch.compacted()
        if lock.withLock({ active }) {
            let encoded = try parts.encode(dense)
            try lock.withLock { () throws(BatonError) in try parts.append(encoded, id: id, space: space, metrics: window.metrics) }
            return
        }
        try lock.withLock { () throws(BatonError) in
            if !active {
                if window.partitionKeys.isEmpty || reservation.tryGrow(by: Self.estimate(dense)) {
                    buffered.append((id, dense))
                    window.metrics.held(reservation.size)
                    return
                }
                active = true
                for (earlier, part) in buffered.sorted(by: { $0.id < $1.id }) {
                    try parts.write(part, id: earlier, space: space, metrics: window.metrics)
                }
                buffered = []
                reservation.free()
            }
            try parts.write(dense, id: id, space: space, metrics: window.metrics)
        }
    }

    func finish(_ context: ExecutionContext, _ consume: Consumer) throws(BatonError) {
        try context.parallel(SpillPartitions.ways) { [self] p throws(BatonError) in
            try window.metrics.timed { () throws(BatonError) in
                try gate.partition { () throws(BatonError) in try process(parts.frames[p], level: 0, path: [p], consume) }
            }
        }
    }

    /// - Parameter alone: the last attempt, with the gate held (see `PartitionGate`).
    private func process(_ frames: [SpillPartitions.Frame], level: Int, path: [Int], alone: Bool = false,
                         _ consume: Consumer) throws(BatonError) {
        guard !frames.isEmpty else { return }
        let name = "Window[partition \(path.map(String.init).joined(separator: "."))]"
        let held = budget.reservation(name)
        var batches: [Batch] = []
        for frame in frames.sorted(by: { $0.id < $1.id }) {
            let batch = try frame.read(window.input.schema)
            let rows = frames.reduce(0) { $0 + $1.rows }
            if alone {
                try gate.grow(held, by: Self.estimate(batch), needing: "the \(rows) rows of one window partition",
                              total: Self.estimate(batch) / max(1, batch.count) * rows)
            } else if !held.tryGrow(by: Self.estimate(batch)) {
                batches = []
                held.free()
                guard level < SpillPartitions.maxLevel else {
                    try gate.alone { () throws(BatonError) in try process(frames, level: level, path: path, alone: true, consume) }
                    return
                }
                let label = path.map(String.init).joined(separator: ".")
                let split = SpillPartitions(schema: window.input.schema, keys: window.partitionKeys, level: level + 1) {
                    "Window[partition \(label).\($0)]"
                }
                for frame in frames { try split.write(try frame.read(window.input.schema), id: frame.id, space: space, metrics: window.metrics) }
                for q in 0..<SpillPartitions.ways { try process(split.frames[q], level: level + 1, path: path + [q], consume) }
                return
            }
            batches.append(batch)
        }
        window.metrics.held(held.size)
        let table = Table(schema: window.input.schema, batches: batches)
        let columns = try window.process(table.columns, count: table.rowCount)
        var index = 0
        for batch in try Batch.split(schema: window.schema, columns: columns) where batch.count > 0 {
            try window.metrics.handOver(batch, MorselID(path + [index]), to: consume)
            index += 1
        }
    }
}
