import Columns
import Spill

/// `row_number() <= k` (`Window.rowsPerPartition`) computed as the input streams, when the
/// ORDER BY keys are numbers, dates or booleans (their normalized words compare across
/// batches; string ranks do not).
///
/// Each thread keeps a partial: a `GroupTable` of the PARTITION BY keys and, per partition, its
/// best k rows so far — their key words, their origin (morsel, row) and where their values are.
/// A row that enters some partition's best k has its values copied out of its batch (the
/// batch itself is let go); copies of rows pushed out later are dropped when they outnumber the
/// kept ones. Ties in the keys go to the earlier origin, so which thread saw which batch does
/// not matter. At the end the kept rows of every partial, put back in input order, are what the
/// in-memory window runs over: a superset of every partition's first k rows, so the result is
/// the one the whole input gives — holding about k rows per partition per thread instead of
/// the input (db-benchmark q8: 10^7 rows, 10^5 partitions, k = 2).
///
/// Partials take reservations as they grow. Refused (a tiny budget, or very many partitions),
/// the window falls back to `WindowSpill`: later batches go there, and so do the kept rows,
/// as batches of their own morsels.
final class TopRowsSink: @unchecked Sendable {
    unowned let window: Window
    let k: Int
    let context: ExecutionContext
    private let lock = Lock()
    private var idle: [Partial] = []
    private var partials: [Partial] = []
    private let reservation: MemoryReservation
    /// Set once the budget refuses the partials' growth.
    private var fallback: WindowSpill?
    /// Rows of input seen.
    private(set) var inputRows = 0
    /// Where the rows went when the budget was refused (see `finish`).
    var spill: WindowSpill? { lock.withLock { fallback } }

    static func applies(to window: Window) -> Bool {
        window.rowsPerPartition != nil && window.orderKeys.allSatisfy { window.input.schema.fields[$0.column].type != .string }
    }

    init(_ window: Window, _ context: ExecutionContext) {
        self.window = window
        k = window.rowsPerPartition!
        self.context = context
        reservation = context.memory.reservation("Window")
    }

    func add(_ batch: Batch, _ id: MorselID) throws(BatonError) {
        let dense = batch.compacted()
        let partial = lock.withLock { () -> Partial? in
            inputRows += dense.count
            guard fallback == nil else { return nil }
            if let free = idle.popLast() { return free }
            let made = Partial(self)
            partials.append(made)
            return made
        }
        guard let partial else {
            try lock.withLock { fallback! }.add(dense, id)
            return
        }
        let before = partial.byteCount
        partial.add(dense, id)
        let growth = partial.byteCount - before
        lock.withLock {
            idle.append(partial)
            if growth <= 0 {
                reservation.shrink(by: -growth)
            } else if fallback == nil && !reservation.tryGrow(by: growth) {
                fallback = WindowSpill(window, context)
            } else if fallback != nil {
                _ = reservation.tryGrow(by: growth)
            }
            window.metrics.held(reservation.size)
        }
    }

    /// After the input: the kept rows in input order, or — if the budget was refused — nil,
    /// the kept rows having gone to the returned spill with the rest.
    func finish() throws(BatonError) -> (columns: [Column], count: Int)? {
        if let fallback {
            for partial in partials {
                for (id, batch) in try partial.keptByMorsel() { try fallback.add(batch, id) }
            }
            partials = []
            idle = []
            reservation.free()
            return nil
        }
        // Every kept row with its origin, then all of them in input order.
        var origins: [(id: MorselID, row: Int32, source: Int32, at: Int32)] = []
        var sources: [[Column]] = []
        for partial in partials {
            partial.compact()
            guard let chunk = partial.chunks.first else { continue }
            let source = Int32(sources.count)
            sources.append(chunk)
            for slot in partial.origin.indices where partial.origin[slot] >= 0 {
                let o = partial.origin[slot]
                origins.append((partial.morsels[Int(o >> 32)], Int32(truncatingIfNeeded: o), source, Int32(truncatingIfNeeded: partial.place[slot])))
            }
        }
        // Morsels ranked once, then rows sorted by (rank, row) as one word each.
        let ranked = Array(Set(origins.map(\.id))).sorted()
        let rank = Dictionary(uniqueKeysWithValues: ranked.enumerated().map { ($1, UInt64($0)) })
        let order = origins.indices.map { i in (rank[origins[i].id]! << 32 | UInt64(UInt32(bitPattern: origins[i].row)), i) }.sorted { $0.0 < $1.0 }
        let columns = sources.isEmpty
            ? window.input.schema.fields.map { Column.empty($0.type) }
            : gatherFromMany(sources, order.map { (origins[$0.1].source, origins[$0.1].at) }, threads: context.threads)
        partials = []
        idle = []
        return (columns, origins.count)
    }

    /// One thread's best rows per partition so far (used by one thread at a time).
    final class Partial {
        unowned let sink: TopRowsSink
        let table: GroupTable?
        /// The morsel of each batch seen, by ordinal.
        var morsels: [MorselID] = []
        /// Per slot (partition × k + j, best first): the row's key words, its origin
        /// (ordinal << 32 | row; -1 while empty) and where its values are (chunk << 32 | row).
        var words: [UInt64] = []
        var origin: [Int64] = []
        var place: [Int64] = []
        var chunks: [[Column]] = []
        var chunkRows = 0
        var live = 0
        private(set) var chunkBytes = 0

        init(_ sink: TopRowsSink) {
            self.sink = sink
            let window = sink.window
            table = window.partitionKeys.isEmpty ? nil : GroupTable(types: window.partitionKeys.map { window.input.schema.fields[$0].type })
        }

        var byteCount: Int { (table?.byteCount ?? 0) + origin.count * 16 + words.count * 8 + chunkBytes }

        func add(_ batch: Batch, _ id: MorselID) {
            let window = sink.window
            let k = sink.k
            let n = batch.count
            guard n > 0 else { return }
            let ordinal = Int64(morsels.count)
            morsels.append(id)
            let groups = table.map { $0.insert(window.partitionKeys.map { batch.columns[$0] }, count: n) } ?? [Int32](repeating: 0, count: n)
            let slotsNeeded = (table?.count ?? 1) * k
            let keys = NormalizedKeys(columns: batch.columns, keys: window.orderKeys, count: n, everyNullWord: true)
            let w = keys.width
            if origin.count < slotsNeeded {
                words += repeatElement(0, count: (slotsNeeded - origin.count) * w)
                place += repeatElement(0, count: slotsNeeded - origin.count)
                origin += repeatElement(-1, count: slotsNeeded - origin.count)
            }
            let rowWords = keys.words
            let chunk = Int64(chunks.count)
            var candidates: [UInt32] = []
            let morsels = self.morsels
            var entered = 0
            // Through pointers: the arrays are the partial's, and the row loop must not pay the
            // class's access checks on every slot it reads.
            rowWords.withUnsafeBufferPointer { rowWords in
                words.withUnsafeMutableBufferPointer { words in
                    origin.withUnsafeMutableBufferPointer { origin in
                        place.withUnsafeMutableBufferPointer { place in
                            /// Whether row r (of this batch) comes before the row kept in `slot`.
                            func before(_ r: Int, _ slot: Int) -> Bool {
                                for j in 0..<w {
                                    let x = rowWords[r &* w &+ j], y = words[slot &* w &+ j]
                                    if x != y { return x < y }
                                }
                                let o = origin[slot]
                                let other = morsels[Int(o >> 32)]
                                return other == id ? r < Int(truncatingIfNeeded: o & 0xFFFF_FFFF) : id < other
                            }
                            for r in 0..<n {
                                let slots = Int(groups[r]) &* k
                                var at = k
                                while at > 0 {
                                    let slot = slots &+ at &- 1
                                    if origin[slot] >= 0 && !before(r, slot) { break }
                                    at -= 1
                                }
                                guard at < k else { continue }
                                if origin[slots &+ k &- 1] < 0 { entered += 1 }
                                var j = k - 1
                                while j > at {
                                    let to = slots &+ j, from = to &- 1
                                    for c in 0..<w { words[to &* w &+ c] = words[from &* w &+ c] }
                                    origin[to] = origin[from]
                                    place[to] = place[from]
                                    j -= 1
                                }
                                let slot = slots &+ at
                                for c in 0..<w { words[slot &* w &+ c] = rowWords[r &* w &+ c] }
                                origin[slot] = ordinal << 32 | Int64(r)
                                place[slot] = chunk << 32 | Int64(candidates.count)
                                candidates.append(UInt32(r))
                            }
                        }
                    }
                }
            }
            live += entered
            guard !candidates.isEmpty else { return }
            let copied = batch.columns.map { $0.take(candidates) }
            chunks.append(copied)
            chunkRows += candidates.count
            chunkBytes += copied.reduce(0) { $0 + $1.byteCount }
            if chunkRows > 2 * live + 65_536 { compact() }
        }

        /// Keeps only the values of rows still kept, in one chunk.
        func compact() {
            guard chunks.count > 1 || chunkRows > live else { return }
            var picks: [(source: Int32, row: Int32)] = []
            picks.reserveCapacity(live)
            for slot in origin.indices where origin[slot] >= 0 {
                picks.append((Int32(truncatingIfNeeded: place[slot] >> 32), Int32(truncatingIfNeeded: place[slot])))
                place[slot] = Int64(picks.count - 1)
            }
            let one = picks.isEmpty ? [] : gatherFromMany(chunks, picks)
            chunks = one.isEmpty ? [] : [one]
            chunkRows = picks.count
            chunkBytes = one.reduce(0) { $0 + $1.byteCount }
        }

        /// The kept rows as batches of their own morsels, rows in input order.
        func keptByMorsel() throws(BatonError) -> [(id: MorselID, batch: Batch)] {
            compact()
            guard let chunk = chunks.first else { return [] }
            var rowsOf: [Int: [(row: Int64, at: UInt32)]] = [:]
            for slot in origin.indices where origin[slot] >= 0 {
                rowsOf[Int(origin[slot] >> 32), default: []].append((origin[slot] & 0xFFFF_FFFF, UInt32(place[slot])))
            }
            var out: [(id: MorselID, batch: Batch)] = []
            for (ordinal, rows) in rowsOf {
                let ordered = rows.sorted { $0.row < $1.row }.map(\.at)
                out.append((morsels[ordinal], try Batch(schema: sink.window.input.schema, columns: chunk.map { $0.take(ordered) })))
            }
            return out
        }
    }
}
