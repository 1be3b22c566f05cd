import Columns
import Spill

extension ExecutionNode {
    /// Runs the node and hands every batch (dense, non-empty) to `body` in morsel order, on the
    /// calling thread, once the node has finished — as `collect` does, but under the memory
    /// budget: batches wait in memory under the `Result` reservation, and go to a spill file
    /// when it is refused, or when an operator still at work needs the memory (the buffer is
    /// `MemoryEvictable`), to be read back in their turn.
    ///
    /// Roots that `emitsInOrder` need none of this; every other root's output has to wait,
    /// since its first batch in morsel order may be the last to arrive.
    public func runInOrder(_ context: ExecutionContext, _ body: (Batch) throws(BatonError) -> Void) throws(BatonError) {
        let buffer = ResultBuffer(context, schema: schema)
        try run(context) { batch, id throws(BatonError) in try buffer.add(batch, id) }
        try buffer.drain(body)
    }
}

/// The waiting batches of `runInOrder`: each in memory or as a frame of one spill file.
private final class ResultBuffer: MemoryEvictable, @unchecked Sendable {
    let schema: Schema
    let reservation: MemoryReservation
    let space: SpillSpace
    private let lock = Lock()
    private var entries: [(id: MorselID, batch: Batch?, frame: Int)] = []
    private var file: SpillFile?
    private var draining = false
    /// Entries whose batch is in memory, by index: eviction visits only them.
    private var inMemory: [Int] = []
    /// A failure while evicting (which cannot throw), reported by the next `add` or `drain`.
    private var failure: BatonError?

    init(_ context: ExecutionContext, schema: Schema) {
        self.schema = schema
        reservation = context.memory.reservation("Result")
        space = context.spill
        context.memory.register(self)
    }

    func add(_ batch: Batch, _ id: MorselID) throws(BatonError) {
        let dense = batch.compacted()
        guard dense.count > 0 else { return }
        if let failure = lock.withLock({ failure }) { throw failure }
        if reservation.tryGrow(by: dense.columns.reduce(0) { $0 + $1.byteCount }, evicting: false) {
            lock.withLock {
                inMemory.append(entries.count)
                entries.append((id, dense, -1))
            }
            return
        }
        let encoded = SpillFile.encode(dense)
        try lock.withLock { () throws(BatonError) in
            if file == nil { file = try space.makeFile(for: "Result") }
            try file!.append(encoded)
            entries.append((id, nil, file!.frames.count - 1))
        }
    }

    /// Writes every batch held in memory to the spill file and gives its memory back.
    func evict() {
        lock.withLock {
            guard !draining, failure == nil else { return }
            do throws(BatonError) {
                while let i = inMemory.last {
                    guard let batch = entries[i].batch else { inMemory.removeLast(); continue }
                    if file == nil { file = try space.makeFile(for: "Result") }
                    try file!.append(batch)
                    entries[i] = (entries[i].id, nil, file!.frames.count - 1)
                    inMemory.removeLast()
                    reservation.shrink(by: batch.columns.reduce(0) { $0 + $1.byteCount })
                }
            } catch {
                failure = error
            }
        }
    }

    func drain(_ body: (Batch) throws(BatonError) -> Void) throws(BatonError) {
        let (waiting, failed) = lock.withLock { () -> ([(id: MorselID, batch: Batch?, frame: Int)], BatonError?) in
            draining = true
            defer { entries = [] }
            return (entries, failure)
        }
        if let failed { throw failed }
        var ordered = waiting.sorted { $0.id < $1.id }
        for i in ordered.indices {
            if let batch = ordered[i].batch {
                // Let go of each batch once handed over.
                ordered[i].batch = nil
                try body(batch)
                reservation.shrink(by: batch.columns.reduce(0) { $0 + $1.byteCount })
            } else {
                try body(try file!.read(ordered[i].frame, schema: schema))
            }
        }
    }
}
