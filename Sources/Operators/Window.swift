import Columns

/// Which rows of its partition a window aggregate sees from the current row.
public enum WindowFrameSpec: Sendable, Equatable {
    /// Every row of the partition (no ORDER BY in the window).
    case partition
    /// From the partition's start through the current row and its peers (equal ORDER BY keys):
    /// the SQL default when the window has an ORDER BY.
    case runningWithPeers
    /// `ROWS BETWEEN` offsets from the current row: nil is unbounded, negative is preceding.
    case rows(start: Int?, end: Int?)
}

public enum WindowFunctionKind: Sendable {
    case rowNumber, rank, denseRank
    case aggregate(AggregateCall)
}

public struct WindowFunction: Sendable {
    public let kind: WindowFunctionKind
    public let frame: WindowFrameSpec
    public let text: String

    public init(kind: WindowFunctionKind, frame: WindowFrameSpec, text: String) {
        self.kind = kind
        self.frame = frame
        self.text = text
    }

    /// Whether computing it needs each row's peer group (rows with equal ORDER BY keys).
    var needsPeers: Bool {
        switch (kind, frame) {
        case (.rank, _), (.denseRank, _), (.aggregate, .runningWithPeers): true
        default: false
        }
    }

    public var resultType: DataType {
        switch kind {
        case .rowNumber, .rank, .denseRank: .int64
        case .aggregate(let call): call.resultType
        }
    }
}

/// Adds one column per window function, computed over partitions of rows ordered within
/// them. Blocking (holds its whole input, or under a memory limit spills it to files by the
/// hash of the partition keys: `WindowSpill`); emits each bucket's rows ordered by partition
/// keys, then order keys (ties in input order).
///
/// Phases: collect → deal whole partitions into buckets → per bucket, in parallel: sort by
/// (partition keys, order keys), find partition and peer boundaries, compute each function
/// along the sorted rows → emit bucket by bucket.
public final class Window: ExecutionNode {
    public let input: any ExecutionNode
    public let partitionKeys: [Int]
    public let orderKeys: [SortKey]
    public let functions: [WindowFunction]
    public let schema: Schema
    public let metrics = OperatorMetrics()
    public var children: [any ExecutionNode] { [input] }
    public var label: String {
        let partition = partitionKeys.map { input.schema.fields[$0].name }.joined(separator: ", ")
        let order = orderKeys.map { input.schema.fields[$0.column].name + ($0.descending ? " DESC" : "") }.joined(separator: ", ")
        let limit = rowsPerPartition.map { " first \($0) per partition" } ?? ""
        return "Window [\(functions.map(\.text).joined(separator: ", "))] partition by [\(partition)] order by [\(order)]\(limit)"
    }

    /// Set when a filter above keeps only `row_number() <= k`: each partition then needs only
    /// its first k rows in window order, found in one pass without sorting the rest (the
    /// db-benchmark "top 2 per group" question). Only for a lone `row_number()`.
    public let rowsPerPartition: Int?

    public init(_ input: any ExecutionNode, partitionKeys: [Int], orderKeys: [SortKey], functions: [WindowFunction],
                names: [String], rowsPerPartition: Int? = nil) throws(BatonError) {
        self.input = input
        self.partitionKeys = partitionKeys
        self.orderKeys = orderKeys
        self.functions = functions
        if let k = rowsPerPartition {
            precondition(k >= 1 && functions.count == 1, "a row limit per partition needs a lone row_number()")
            if case .rowNumber = functions[0].kind {} else { preconditionFailure("a row limit per partition needs row_number()") }
        }
        self.rowsPerPartition = rowsPerPartition
        schema = try Schema(input.schema.fields + zip(names, functions).map { Field($0, $1.resultType) }, allowingDuplicates: true)
    }

    public func run(_ context: ExecutionContext, _ consume: @escaping Consumer) throws(BatonError) {
        if TopRowsSink.applies(to: self) {
            let sink = TopRowsSink(self, context)
            try input.run(context) { [metrics] batch, id throws(BatonError) in
                try metrics.timed { () throws(BatonError) in try sink.add(batch, id) }
            }
            if let kept = try sink.finish() {
                try emit(kept.columns, count: kept.count, inputRows: sink.inputRows, context, consume)
            } else {
                try finish(sink.spill!, context, consume)
            }
            return
        }
        let spill = WindowSpill(self, context)
        try input.run(context) { [metrics] batch, id throws(BatonError) in
            try metrics.timed { () throws(BatonError) in try spill.add(batch, id) }
        }
        try finish(spill, context, consume)
    }

    /// The rest of a run whose input is in `spill` (buffered, or spilled).
    private func finish(_ spill: WindowSpill, _ context: ExecutionContext, _ consume: @escaping Consumer) throws(BatonError) {
        if spill.active {
            try spill.finish(context, consume)
            return
        }
        // The batches are concatenated and then let go, not held beside their copy.
        var table: Table? = Table(schema: input.schema, batches: spill.takeBuffered().sorted { $0.id < $1.id }.map(\.batch))
        metrics.held(table!.byteCount)
        let columns = table!.columns
        let n = table!.rowCount
        table = nil
        try emit(columns, count: n, inputRows: n, context, consume)
    }

    /// Computes the functions over `columns` (the input, in input order; or the rows of it that
    /// matter) and emits the rows. The buckets, and so the order rows come out in, depend on
    /// the whole input's size `inputRows`, not on how many rows were kept.
    private func emit(_ columns: [Column], count n: Int, inputRows: Int, _ context: ExecutionContext,
                      _ consume: @escaping Consumer) throws(BatonError) {
        // Whole partitions go to one of a fixed number of buckets (by partition number, so the
        // same rows share a bucket whatever the thread count); buckets run in parallel.
        let bucketCount = partitionKeys.isEmpty || inputRows < 1 << 16 ? 1 : 16
        var members = [[UInt32]](repeating: [], count: bucketCount)
        if bucketCount == 1 {
            members[0] = (0..<UInt32(n)).map { $0 }
        } else {
            // By the key's content hash, computed in slices on every thread.
            let keyColumns = partitionKeys.map { columns[$0] }
            let slice = 1 << 18
            let hashes = Locked<[Int: [UInt64]]>([:])
            try context.parallel((n + slice - 1) / slice) { k in
                let range = (k * slice)..<min(n, (k + 1) * slice)
                let part = GroupTable.contentHashes(keyColumns.map { $0.slice(range) }, count: range.count)
                hashes.withLock { $0[k] = part }
            }
            let all = hashes.withLock { $0 }
            for k in 0..<all.count {
                for (offset, hash) in all[k]!.enumerated() {
                    members[Int(hash >> 60) & (bucketCount - 1)].append(UInt32(k * slice + offset))
                }
            }
        }
        // Buckets run a thread's worth at a time and are emitted after each wave, in bucket
        // order, so that only a wave's results are held at once (not every bucket's).
        let wave = max(1, context.threads)
        var index = 0
        for first in stride(from: 0, to: bucketCount, by: wave) {
            let buckets = first..<min(bucketCount, first + wave)
            let outputs = Locked<[Int: [Column]]>([:])
            try context.parallel(buckets.count) { i throws(BatonError) in
                let b = buckets.lowerBound + i
                var part = bucketCount == 1 ? columns : columns.map { $0.take(members[b]) }
                var rows = members[b].count
                if let k = rowsPerPartition {
                    let kept = firstRows(k, of: part, count: rows)
                    part = part.map { $0.take(kept) }
                    rows = kept.count
                }
                let result = try metrics.timed { () throws(BatonError) -> [Column] in try process(part, count: rows) }
                outputs.withLock { $0[b] = result }
            }
            var byBucket = outputs.withLock { $0 }
            for b in buckets {
                for batch in try Batch.split(schema: schema, columns: byBucket.removeValue(forKey: b)!) where batch.count > 0 {
                    metrics.produced(batch)
                    try consume(batch, MorselID([b, index]))
                    index += 1
                }
            }
        }
    }

    /// One bucket: sort by (partition keys, order keys), find partition and peer boundaries,
    /// compute every function; returns the sorted rows with a column per function.
    func process(_ columns: [Column], count n: Int) throws(BatonError) -> [Column] {
        let partitionSort = partitionKeys.map { SortKey(column: $0) }
        let normalized = NormalizedKeys(columns: columns, keys: partitionSort + orderKeys, count: n)
        let order = normalized.sortedIndices()
        let sorted = columns.map { $0.take(order) }
        let partitionPart = 0..<partitionSort.count
        let orderPart = partitionSort.count..<(partitionSort.count + orderKeys.count)
        // Partition number of each sorted row, and where each row's peer group ends.
        var partition = [Int32](repeating: 0, count: n)
        var partitionStart = [Int](repeating: 0, count: n)
        // Keys in sorted order, so boundaries are found by comparing neighbours in a scan.
        func same(_ words: [UInt64], _ w: Int, _ a: Int, _ b: Int) -> Bool {
            for k in 0..<w where words[a &* w &+ k] != words[b &* w &+ k] { return false }
            return true
        }
        do {
            let (partitionWords, pw) = normalized.words(of: partitionPart, in: order)
            var p: Int32 = 0
            var start = 0
            for i in 0..<n {
                if i > 0 && !same(partitionWords, pw, i - 1, i) { p += 1; start = i }
                partition[i] = p
                partitionStart[i] = start
            }
        }
        // Peer groups (rows with equal order keys) matter to rank, dense_rank and running
        // frames only: row_number and whole-partition aggregates skip this pass and its memory.
        var peerEnd: [Int] = []
        if functions.contains(where: \.needsPeers) {
            let (orderWords, ow) = normalized.words(of: orderPart, in: order)
            peerEnd = [Int](repeating: 0, count: n)
            var i = n - 1
            while i >= 0 {
                let isLast = i == n - 1 || partition[i + 1] != partition[i] || !same(orderWords, ow, i, i + 1)
                peerEnd[i] = isLast ? i + 1 : peerEnd[i + 1]
                i -= 1
            }
        }
        var results: [Column] = []
        for function in functions {
            results.append(try compute(function, sorted, partition, partitionStart, peerEnd))
        }
        return sorted + results
    }

    private func compute(_ function: WindowFunction, _ sorted: [Column], _ partition: [Int32], _ partitionStart: [Int],
                         _ peerEnd: [Int]) throws(BatonError) -> Column {
        let n = partition.count
        switch function.kind {
        case .rowNumber:
            return Column(.int64, .int64((0..<n).map { Int64($0 - partitionStart[$0] + 1) }))
        case .rank:
            var values = [Int64](repeating: 0, count: n)
            for i in 0..<n {
                let continuesPeers = i > partitionStart[i] && peerEnd[i - 1] == peerEnd[i]
                values[i] = continuesPeers ? values[i - 1] : Int64(i - partitionStart[i] + 1)
            }
            return Column(.int64, .int64(values))
        case .denseRank:
            var values = [Int64](repeating: 0, count: n)
            for i in 0..<n {
                if i == partitionStart[i] { values[i] = 1 } else { values[i] = values[i - 1] + (peerEnd[i - 1] == peerEnd[i] ? 0 : 1) }
            }
            return Column(.int64, .int64(values))
        case .aggregate(let call):
            let arguments = call.arguments.map { sorted[$0] }
            switch function.frame {
            case .partition:
                let state = call.makeState()
                let partitions = Int(partition.last.map { $0 + 1 } ?? 0)
                state.grow(to: partitions)
                try state.update(groups: partition, arguments: arguments)
                return state.finish(count: partitions).take(partition.map { UInt32($0) })
            case .runningWithPeers:
                return try frames(call, arguments, n) { i in (partitionStart[i], peerEnd[i]) }
            case .rows(let startOffset, let endOffset):
                var partitionEnd = [Int](repeating: n, count: n)
                var i = n - 1
                while i >= 0 {
                    partitionEnd[i] = i == n - 1 || partition[i + 1] != partition[i] ? i + 1 : partitionEnd[i + 1]
                    i -= 1
                }
                return try frames(call, arguments, n) { i in
                    let lo = startOffset.map { max(partitionStart[i], i + $0) } ?? partitionStart[i]
                    let hi = endOffset.map { min(partitionEnd[i], i + $0 + 1) } ?? partitionEnd[i]
                    return (lo, max(lo, hi))
                }
            }
        }
    }

    /// Each row's aggregate over its frame `lo..<hi`. Frames that only grow (a running frame)
    /// extend one state; others are recomputed per row — O(rows × frame), fine for the small
    /// sliding frames SQL users write.
    private func frames(_ call: AggregateCall, _ arguments: [Column], _ n: Int,
                        _ frame: (Int) -> (Int, Int)) throws(BatonError) -> Column {
        var values: [Column] = []
        values.reserveCapacity(n)
        var running: (state: any AggregateState, lo: Int, hi: Int)?
        for i in 0..<n {
            let (lo, hi) = frame(i)
            if let r = running, r.lo == lo, r.hi <= hi {
                if hi > r.hi {
                    try r.state.update(groups: [Int32](repeating: 0, count: hi - r.hi),
                                       arguments: arguments.map { $0.slice(r.hi..<hi) })
                    running = (r.state, lo, hi)
                }
            } else {
                let state = call.makeState()
                state.grow(to: 1)
                try state.update(groups: [Int32](repeating: 0, count: hi - lo), arguments: arguments.map { $0.slice(lo..<hi) })
                running = (state, lo, hi)
            }
            values.append(running!.state.finish(count: 1))
        }
        if values.isEmpty { return Column.empty(call.resultType) }
        return Column.concatenate(values)
    }
}
