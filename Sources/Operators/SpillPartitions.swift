import Columns
import Spill
#if canImport(Glibc)
import Glibc
#endif

/// One input spread over 32 spill files by the key hash, one frame per input batch and
/// partition, each frame remembering its batch's morsel id so a partition can be replayed in
/// morsel order. Used by grace hash join; not thread-safe (callers hold a lock).
final class SpillPartitions {
    static let bits = HashAggregate.manyPartitionBits
    static let ways = 1 << bits
    /// Past this level the 64-bit hash has no fresh bits left.
    static let maxLevel = 64 / bits - 1

    struct Frame {
        let id: MorselID
        let file: SpillFile
        let index: Int
        var rows: Int { file.frames[index].rows }
        func read(_ schema: Schema) throws(BatonError) -> Batch { try file.read(index, schema: schema) }
    }

    let schema: Schema
    let keys: [Int]
    let level: Int
    private let name: (Int) -> String
    private var files: [SpillFile?] = Array(repeating: nil, count: ways)
    private(set) var frames: [[Frame]] = Array(repeating: [], count: ways)

    /// - Parameters: `keys`: the key columns of `schema`; `level`: which 5 hash bits route
    ///   (0: the top ones); `name`: the consumer named in errors, per partition.
    init(schema: Schema, keys: [Int], level: Int, name: @escaping (Int) -> String) {
        self.schema = schema
        self.keys = keys
        self.level = level
        self.name = name
    }

    /// Each row's partition at `level`.
    static func routes(_ keyColumns: [Column], count: Int, level: Int) -> [[UInt32]] {
        let hashes = GroupTable.contentHashes(keyColumns, count: count)
        var routes = [[UInt32]](repeating: [], count: ways)
        let shift = UInt64(64 - bits * (level + 1))
        for (row, hash) in hashes.enumerated() { routes[Int((hash >> shift) & UInt64(ways - 1))].append(UInt32(row)) }
        return routes
    }

    /// Writes `batch`'s rows to their partitions.
    func write(_ batch: Batch, id: MorselID, space: SpillSpace, metrics: OperatorMetrics) throws(BatonError) {
        let dense = batch.compacted()
        for (p, rows) in Self.routes(keys.map { dense.columns[$0] }, count: dense.count, level: level).enumerated() where !rows.isEmpty {
            if files[p] == nil {
                files[p] = try space.makeFile(for: name(p))
                metrics.createdSpillFile()
            }
            let part = rows.count == dense.count ? dense : try Batch(schema: schema, columns: dense.columns.map { $0.take(rows) })
            let written = try files[p]!.append(part)
            metrics.spilled(rows: part.count, bytes: written)
            frames[p].append(Frame(id: id, file: files[p]!, index: files[p]!.frames.count - 1))
        }
    }
}

/// Lets the partitions of one operator run in parallel under one budget, and lets a partition
/// that cannot fit beside the others finish alone, instead of failing because of them.
///
/// A partition still too big at the deepest split gives back its memory and waits for the
/// gate; holding it, it grows by waiting for the operator's other busy partitions to finish
/// and release. Only when none is busy and the growth is still refused does it fail: the
/// partition alone is larger than the budget. Waiters hold no memory while they wait for the
/// gate, and busy partitions never wait, so every wait ends.
final class PartitionGate: @unchecked Sendable {
    private let solo = Lock()
    private let busy = Locked(0)

    /// Runs one top-level partition, counted as busy.
    func partition(_ body: () throws(BatonError) -> Void) throws(BatonError) {
        busy.withLock { $0 += 1 }
        defer { busy.withLock { $0 -= 1 } }
        try body()
    }

    /// Runs `body` with the gate held, not counted as busy (the caller holds no memory).
    func alone(_ body: () throws(BatonError) -> Void) throws(BatonError) {
        busy.withLock { $0 -= 1 }
        defer { busy.withLock { $0 += 1 } }
        try solo.withLock { () throws(BatonError) in try body() }
    }

    /// Inside `alone`: grows `reservation`, waiting while other partitions are busy.
    func grow(_ reservation: MemoryReservation, by bytes: Int, needing what: String) throws(BatonError) {
        while !reservation.tryGrow(by: bytes) {
            if busy.withLock({ $0 }) == 0 {
                throw MemoryReservation.limitError(consumer: reservation.consumer, needs: bytes, what: what, budget: reservation.budget)
            }
            usleep(1000)
        }
    }
}
