import CShims
import Columns
import Spill
import Utilities

/// Sort's external path, taken only when the memory budget refuses to hold the input.
///
/// Phases:
/// 1. Buffer: input batches are kept under the operator's reservation (twice their size: the
///    run's key columns, normalized keys, sort scratch and frames need about as much again).
/// 2. Spill: when a growth is refused, or the buffer holds half the budget, the buffered
///    batches are put in morsel order, sorted (stable radix sort), and written as one sorted
///    run (frames gathered and compressed in parallel); the reservation is then released.
///    The run is written outside the lock, under a reservation of its own, so other threads go
///    on filling the next buffer with the other half of the budget meanwhile.
/// 3. Merge: while there are more runs than the merge buffers the budget allows (the fan-in),
///    the first runs are merged into a new run; then all are merged into the output.
///
/// Every spilled row carries its origin (its batch's ordinal, its row) in a hidden last column.
/// Ties are broken by the origin's morsel order, so the result is the stable sort of the whole
/// input — exactly the in-memory result, whatever the thread count and wherever runs were cut.
final class SortSpill: @unchecked Sendable {
    let keys: [SortKey]
    let schema: Schema
    /// `schema` plus the origin column.
    let runSchema: Schema
    let budget: MemoryBudget
    /// The reservation of the buffer being filled.
    private var reservation: MemoryReservation
    let threads: Int
    let space: SpillSpace
    let metrics: OperatorMetrics
    let consumer: String
    private let lock = Lock()
    /// The buffered batches, each with its ordinal (an index into `origins`).
    private(set) var buffered: [(ordinal: Int, batch: Batch)] = []
    private(set) var origins: [MorselID] = []
    private(set) var runs: [SpillFile] = []
    /// The most bytes one run frame takes once read back.
    private(set) var frameBytes = 0
    private(set) var frameRows = Batch.capacity

    init(keys: [SortKey], schema: Schema, context: ExecutionContext, metrics: OperatorMetrics, consumer: String) {
        self.keys = keys
        self.schema = schema
        runSchema = try! Schema(schema.fields + [Field("#origin", .int64, nullable: false)], allowingDuplicates: true)
        self.consumer = consumer
        budget = context.memory
        reservation = context.memory.reservation(consumer)
        threads = context.threads
        space = context.spill
        self.metrics = metrics
    }

    /// Buffers `batch`, first spilling what is buffered if the budget cannot take it too.
    func add(_ batch: Batch, _ id: MorselID) throws(BatonError) {
        let dense = batch.compacted()
        let bytes = 2 * dense.columns.reduce(0) { $0 + $1.byteCount }
        let full = lock.withLock { () -> (parts: [(ordinal: Int, batch: Batch)], origins: [MorselID], held: MemoryReservation)? in
            let ordinal = origins.count
            origins.append(id)
            if reservation.size + bytes <= (budget.limit ?? Int.max) / 2, reservation.tryGrow(by: bytes) {
                buffered.append((ordinal, dense))
                metrics.held(reservation.size)
                return nil
            }
            // Refused, or half the budget: this batch goes out with the rest (it is already in
            // memory), and the next batches start a new buffer.
            let parts = buffered + [(ordinal, dense)]
            buffered = []
            let held = reservation
            reservation = budget.reservation(consumer)
            return (parts, origins, held)
        }
        guard let full else { return }
        try spillRun(full.parts, origins: full.origins)
        full.held.free()
        // The run's working set (keys, sort scratch, frames) differs in size from run to
        // run; without handing the freed heap back, each run leaves fragments behind and
        // the process grows by tens of MiB per run beyond the budget.
        baton_release_free_memory()
    }

    /// Writes `parts`, sorted, as one run.
    ///
    /// Only the key columns are concatenated (their normalized words need one column each);
    /// every frame of the run is gathered from the buffered batches themselves, so a run costs
    /// its keys and one frame beyond the batches, not a second copy of all its columns.
    private func spillRun(_ parts: [(ordinal: Int, batch: Batch)], origins: [MorselID]) throws(BatonError) {
        let ordered = parts.sorted { origins[$0.ordinal] < origins[$1.ordinal] }
        let rows = ordered.reduce(0) { $0 + $1.batch.count }
        guard rows > 0 else { return }
        // Each batch's columns plus its origin column; the batch each global row comes from.
        var sources: [[Column]] = []
        var starts: [Int] = []
        var owner = [Int32](repeating: 0, count: rows)
        var total = 0
        for (k, (ordinal, batch)) in ordered.enumerated() {
            let origin = (0..<batch.count).map { Int64(ordinal) << 32 | Int64($0) }
            sources.append(batch.columns + [Column(.int64, .int64(origin))])
            starts.append(total)
            for r in total..<(total + batch.count) { owner[r] = Int32(k) }
            total += batch.count
        }
        let keyColumns = keys.map { key in Column.concatenate(ordered.map { $0.batch.columns[key.column] }) }
        let localKeys = keys.enumerated().map { SortKey(column: $0.offset, descending: $0.element.descending, nullsFirst: $0.element.nullsFirst) }
        let order = NormalizedKeys(columns: keyColumns, keys: localKeys, count: rows).sortedIndices()
        var rowsPerFrame = Batch.capacity
        if let limit = budget.limit {
            // Frames small enough that a merge of several runs fits in the budget.
            let bytes = sources.reduce(0) { total, columns in total + columns.reduce(0) { $0 + $1.byteCount } }
            let perRow = max(1, bytes / rows)
            rowsPerFrame = min(Batch.capacity, max(256, limit / 16 / perRow))
        }
        let file = try space.makeFile(for: consumer)
        metrics.createdSpillFile()
        // Frames are gathered and compressed a wave at a time, one per thread, and appended in
        // order: the wave is the only memory beyond the buffered batches.
        let frameCount = (rows + rowsPerFrame - 1) / rowsPerFrame
        var largest = 0
        for wave in stride(from: 0, to: frameCount, by: threads) {
            let encoded = parallelMap(min(threads, frameCount - wave), threads: threads) { k -> (SpillFile.EncodedFrame, Int) in
                let start = (wave + k) * rowsPerFrame
                let picks = order[start..<min(rows, start + rowsPerFrame)].map { g -> (source: Int32, row: Int32) in
                    let source = owner[Int(g)]
                    return (source, Int32(Int(g) - starts[Int(source)]))
                }
                let frame = try! Batch(schema: runSchema, columns: gatherFromMany(sources, picks))
                return (SpillFile.encode(frame, codec: file.codec), frame.columns.reduce(0) { $0 + $1.byteCount })
            }
            for (frame, bytes) in encoded {
                let written = try file.append(frame)
                metrics.spilled(rows: frame.rows, bytes: written)
                largest = max(largest, bytes)
            }
        }
        lock.withLock {
            frameRows = rowsPerFrame
            frameBytes = max(frameBytes, largest)
            runs.append(file)
        }
    }

    /// Spills what is still buffered, merges the runs (in several passes if the budget allows
    /// fewer merge buffers than there are runs), and hands the sorted rows to `emit`.
    func finish(_ emit: (Batch) throws(BatonError) -> Void) throws(BatonError) {
        try spillRun(buffered, origins: origins)
        buffered = []
        reservation.free()
        // Origins in morsel order: ties between runs go to the earlier morsel.
        var rank = [UInt64](repeating: 0, count: origins.count)
        for (position, ordinal) in origins.indices.sorted(by: { origins[$0] < origins[$1] }).enumerated() {
            rank[ordinal] = UInt64(position)
        }
        // One frame per run being merged, and one for the output.
        let merging = budget.reservation(consumer + "[merge]")
        var frames = 0
        while frames <= runs.count, merging.tryGrow(by: max(1, frameBytes)) { frames += 1 }
        metrics.held(merging.size)
        let fanIn = frames - 1
        if fanIn < min(2, runs.count) {
            throw MemoryReservation.limitError(consumer: consumer, needs: (min(2, runs.count) + 1 - frames) * frameBytes,
                                               what: "the buffers of a merge of sorted runs", budget: budget)
        }
        var pending = runs
        runs = []
        while pending.count > fanIn {
            let file = try space.makeFile(for: consumer)
            metrics.createdSpillFile()
            try merge(Array(pending.prefix(fanIn)), rank: rank) { batch throws(BatonError) in
                let written = try file.append(batch)
                metrics.spilled(rows: batch.count, bytes: written)
            }
            pending.removeFirst(fanIn)
            pending.append(file)
        }
        try merge(pending, rank: rank) { batch throws(BatonError) in
            try emit(try Batch(schema: schema, columns: Array(batch.columns.dropLast())))
        }
    }

    /// A run being read: its current frame and the next row in it.
    private struct Cursor {
        let file: SpillFile
        var frame = 0
        var columns: [Column] = []
        var ties: [UInt64] = []
        /// The first key's null rank and 64-bit prefix per row (see `firstKeyPrefixes`).
        var ranks: [UInt8] = []
        var prefixes: [UInt64] = []
        var row = 0
        var source = 0
    }

    /// Merges sorted `runs` into batches of `frameRows` rows of `runSchema`.
    private func merge(_ runs: [SpillFile], rank: [UInt64], _ out: (Batch) throws(BatonError) -> Void) throws(BatonError) {
        var sources: [[Column]] = []
        var picks: [(source: Int32, row: Int32)] = []
        picks.reserveCapacity(frameRows)
        func load(_ cursor: inout Cursor) throws(BatonError) -> Bool {
            guard cursor.frame < cursor.file.frames.count else { return false }
            let batch = try cursor.file.read(cursor.frame, schema: runSchema)
            cursor.frame += 1
            cursor.columns = batch.columns
            guard case .int64(let origin) = batch.columns[batch.columns.count - 1].storage else { preconditionFailure() }
            cursor.ties = origin.map { rank[Int($0 >> 32)] << 32 | UInt64($0 & 0xFFFF_FFFF) }
            (cursor.ranks, cursor.prefixes) = firstKeyPrefixes(batch.columns[keys[0].column], keys[0])
            cursor.row = 0
            cursor.source = sources.count
            sources.append(batch.columns)
            return true
        }
        var cursors: [Cursor] = []
        for file in runs {
            var cursor = Cursor(file: file)
            if try load(&cursor) { cursors.append(cursor) }
        }
        func flush() throws(BatonError) {
            guard !picks.isEmpty else { return }
            let columns = gatherFromMany(sources, picks, threads: threads)
            try out(try Batch(schema: runSchema, columns: columns))
            picks.removeAll(keepingCapacity: true)
            // Only the frames cursors still stand in stay referenced.
            sources = []
            for k in cursors.indices {
                cursors[k].source = sources.count
                sources.append(cursors[k].columns)
            }
        }
        // A tournament (loser) tree over the cursors: each row costs log2(runs) comparisons,
        // not one per run. `losers[0]` is the current winner; -1 and exhausted cursors lose to
        // every live one.
        var exhausted = [Bool](repeating: false, count: cursors.count)
        var leaves = 1
        while leaves < cursors.count { leaves <<= 1 }
        var losers = [Int](repeating: -1, count: leaves)
        func beats(_ a: Int, _ b: Int) -> Bool {
            if a < 0 || exhausted[a] { return false }
            if b < 0 || exhausted[b] { return true }
            return precedes(cursors[a], cursors[b])
        }
        func build(_ node: Int) -> Int {
            if node >= leaves { return node - leaves < cursors.count ? node - leaves : -1 }
            let left = build(2 * node), right = build(2 * node + 1)
            if beats(left, right) {
                losers[node] = right
                return left
            }
            losers[node] = left
            return right
        }
        if !cursors.isEmpty { losers[0] = build(1) }
        while let winner = losers.first, winner >= 0, !exhausted[winner] {
            picks.append((Int32(cursors[winner].source), Int32(cursors[winner].row)))
            cursors[winner].row += 1
            if cursors[winner].row == cursors[winner].ties.count, try !load(&cursors[winner]) {
                // Its last frame stays in `sources` until the next flush (picks point into it).
                exhausted[winner] = true
            }
            var best = winner
            var node = (winner + leaves) / 2
            while node >= 1 {
                if beats(losers[node], best) { swap(&losers[node], &best) }
                node /= 2
            }
            losers[0] = best
            if picks.count == frameRows { try flush() }
        }
        try flush()
    }

    /// Whether the current row of `a` comes before that of `b`: by the keys, then by origin.
    /// The first key's prefixes decide most comparisons without touching the columns.
    private func precedes(_ a: Cursor, _ b: Cursor) -> Bool {
        let ra = a.ranks[a.row], rb = b.ranks[b.row]
        if ra != rb { return ra < rb }
        let pa = a.prefixes[a.row], pb = b.prefixes[b.row]
        if pa != pb { return pa < pb }
        let c = compareRows(a.columns, a.row, b.columns, b.row, keys: keys)
        return c != 0 ? c < 0 : a.ties[a.row] < b.ties[b.row]
    }

    /// Per row of `column` (the first sort key): a null rank (nulls first 0, values 1, nulls
    /// last 2) and a word that orders as the values do — exactly for numbers, by the first 8
    /// bytes for strings (equal words then need the full comparison) — inverted for DESC.
    private func firstKeyPrefixes(_ column: Column, _ key: SortKey) -> (ranks: [UInt8], words: [UInt64]) {
        let n = column.count
        let flip: UInt64 = key.descending ? ~0 : 0
        var words = [UInt64](repeating: 0, count: n)
        switch column.storage {
        case .int64(let v): for r in 0..<n { words[r] = (UInt64(bitPattern: v[r]) ^ (1 << 63)) ^ flip }
        case .int32(let v): for r in 0..<n { words[r] = (UInt64(bitPattern: Int64(v[r])) ^ (1 << 63)) ^ flip }
        case .float64(let v): for r in 0..<n { words[r] = floatOrder(v[r]) ^ flip }
        case .bool(let v): for r in 0..<n { words[r] = (v[r] ? 1 : 0) ^ flip }
        case .string, .dictionary:
            for r in 0..<n {
                words[r] = withStringBytes(column, r) { bytes in
                    var word: UInt64 = 0
                    for k in 0..<8 { word = word << 8 | UInt64(k < bytes.count ? bytes[k] : 0) }
                    return word
                } ^ flip
            }
        }
        var ranks = [UInt8](repeating: 1, count: n)
        if let validity = column.validity {
            let nullRank: UInt8 = key.nullsFirst ? 0 : 2
            for r in 0..<n where !validity[r] {
                ranks[r] = nullRank
                words[r] = 0
            }
        }
        return (ranks, words)
    }
}

/// The rows `picks` (source, row) of several same-schema column sets, in pick order, columns
/// spread over `threads`. Numbers and plain strings are copied straight from their source
/// (one pass; strings sized first); other columns take one gather per source, a concatenation
/// and a permutation — O(rows) whatever the number of sources.
func gatherFromMany(_ sources: [[Column]], _ picks: [(source: Int32, row: Int32)], threads: Int = 1) -> [Column] {
    let width = sources.first?.count ?? 0
    return parallelMap(width, threads: threads) { c in
        directGather(sources.map { $0[c] }, picks) ?? generalGather(sources.map { $0[c] }, picks)
    }
}

/// The general path of `gatherFromMany` for one column.
private func generalGather(_ sources: [Column], _ picks: [(source: Int32, row: Int32)]) -> Column {
    var perSource = [[UInt32]](repeating: [], count: sources.count)
    var within = [Int](repeating: 0, count: picks.count)
    for (i, pick) in picks.enumerated() {
        within[i] = perSource[Int(pick.source)].count
        perSource[Int(pick.source)].append(UInt32(pick.row))
    }
    var start = [Int](repeating: 0, count: sources.count)
    var used: [Int] = []
    var total = 0
    for s in sources.indices where !perSource[s].isEmpty {
        start[s] = total
        total += perSource[s].count
        used.append(s)
    }
    let permutation = picks.indices.map { UInt32(start[Int(picks[$0].source)] + within[$0]) }
    let parts = used.map { sources[$0].take(perSource[$0]) }
    return used.count == 1 ? parts[0] : Column.concatenate(parts).take(permutation)
}

/// One column's picks copied straight from its sources, when every source stores it the same
/// way as numbers or plain strings; nil otherwise.
private func directGather(_ sources: [Column], _ picks: [(source: Int32, row: Int32)]) -> Column? {
    guard let type = sources.first?.type else { return nil }
    let n = picks.count
    var validity: Bitmap?
    if sources.contains(where: { $0.validity != nil }) {
        validity = Bitmap(picks.lazy.map { !sources[Int($0.source)].isNull(Int($0.row)) })
    }
    func fixed<T>(_ arrays: [[T]]) -> [T] {
        withExtendedLifetime(arrays) {
            let bases = arrays.map { $0.withUnsafeBufferPointer { $0.baseAddress } }
            return [T](unsafeUninitializedCapacity: n) { out, initialized in
                for (i, pick) in picks.enumerated() { (out.baseAddress! + i).initialize(to: bases[Int(pick.source)]![Int(pick.row)]) }
                initialized = n
            }
        }
    }
    switch sources[0].storage {
    case .int64:
        let arrays = sources.compactMap { if case .int64(let v) = $0.storage { v } else { nil } }
        guard arrays.count == sources.count else { return nil }
        return Column(type, .int64(fixed(arrays)), validity: validity)
    case .int32:
        let arrays = sources.compactMap { if case .int32(let v) = $0.storage { v } else { nil } }
        guard arrays.count == sources.count else { return nil }
        return Column(type, .int32(fixed(arrays)), validity: validity)
    case .float64:
        let arrays = sources.compactMap { if case .float64(let v) = $0.storage { v } else { nil } }
        guard arrays.count == sources.count else { return nil }
        return Column(type, .float64(fixed(arrays)), validity: validity)
    case .string:
        let arrays = sources.compactMap { if case .string(let v) = $0.storage { v } else { nil } }
        guard arrays.count == sources.count else { return nil }
        return Column(type, .string(gatherStrings(arrays, picks)), validity: validity)
    case .bool, .dictionary:
        return nil
    }
}

/// Plain strings by (source, row): lengths first (one exact allocation), then the bytes.
private func gatherStrings(_ arrays: [StringArray], _ picks: [(source: Int32, row: Int32)]) -> StringArray {
    withExtendedLifetime(arrays) {
        let offsets = arrays.map { $0.offsets.withUnsafeBufferPointer { $0.baseAddress! } }
        let bytes = arrays.map { $0.bytes.withUnsafeBufferPointer { $0.baseAddress } }
        var total = 0
        let newOffsets = [Int32](unsafeUninitializedCapacity: picks.count + 1) { out, initialized in
            out[0] = 0
            for (i, pick) in picks.enumerated() {
                let o = offsets[Int(pick.source)]
                total &+= Int(o[Int(pick.row) + 1] &- o[Int(pick.row)])
                precondition(total <= Int(Int32.max), "a string column holds more than 2 GiB")
                out[i + 1] = Int32(truncatingIfNeeded: total)
            }
            initialized = picks.count + 1
        }
        let newBytes = [UInt8](unsafeUninitializedCapacity: total) { out, initialized in
            var at = 0
            for pick in picks {
                let o = offsets[Int(pick.source)]
                let start = Int(o[Int(pick.row)]), length = Int(o[Int(pick.row) + 1]) &- start
                if length > 0 {
                    let source = bytes[Int(pick.source)]! + start
                    for k in 0..<length { out[at &+ k] = source[k] }
                    at &+= length
                }
            }
            initialized = total
        }
        return StringArray(offsets: newOffsets, bytes: newBytes)
    }
}

/// SQL order of row `i` of `a` and row `j` of `b` by `keys` (same layout in both): the order
/// `NormalizedKeys` encodes, computed from the values, for rows of different batches.
func compareRows(_ a: [Column], _ i: Int, _ b: [Column], _ j: Int, keys: [SortKey]) -> Int {
    for key in keys {
        let x = a[key.column], y = b[key.column]
        let xNull = x.isNull(i), yNull = y.isNull(j)
        if xNull || yNull {
            if xNull && yNull { continue }
            // Null placement does not turn with DESC.
            return xNull == key.nullsFirst ? -1 : 1
        }
        var c: Int
        switch (x.storage, y.storage) {
        case (.int64(let u), .int64(let v)): c = u[i] < v[j] ? -1 : (u[i] == v[j] ? 0 : 1)
        case (.int32(let u), .int32(let v)): c = u[i] < v[j] ? -1 : (u[i] == v[j] ? 0 : 1)
        case (.float64(let u), .float64(let v)):
            let p = floatOrder(u[i]), q = floatOrder(v[j])
            c = p < q ? -1 : (p == q ? 0 : 1)
        case (.bool(let u), .bool(let v)): c = u[i] == v[j] ? 0 : (u[i] ? 1 : -1)
        default: c = withStringBytes(x, i) { p in withStringBytes(y, j) { q in compareBytes(p, q) } }
        }
        if c != 0 { return key.descending ? -c : c }
    }
    return 0
}

/// A double's place in SQL order as an unsigned integer (-0.0 as 0.0, every NaN above all).
@inline(__always)
func floatOrder(_ d: Double) -> UInt64 {
    let bits = d.isNaN ? Double.nan.bitPattern : (d == 0 ? 0 : d.bitPattern)
    return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
}
