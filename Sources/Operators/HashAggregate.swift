import Columns

/// Groups rows by key columns and computes aggregates per group. Blocking; emits groups in
/// the order of their first appearance within each hash partition; holds one partial per
/// morsel until the merge. Under a memory limit, spills raw rows partitioned by key hash once
/// the partials hold half the budget (`AggregateSpill`).
///
/// Phases:
/// 1. Per morsel, in parallel: a local `GroupTable` and aggregate states (partial aggregation).
/// 2. Each partial's groups are split into partitions by the high bits of their key hash.
/// 3. Per partition, in parallel: the partials' groups are merged in morsel order.
/// 4. Each partition's keys and finished aggregates are emitted.
///
/// Because morsels are fixed by the input (not by the threads) and merged in morsel order,
/// every aggregate — floating-point sums included — adds in the same order whatever the thread
/// count, so results are identical with 1, 2 or 7 threads.
public final class HashAggregate: ExecutionNode {
    public let input: any ExecutionNode
    /// Input columns that form the key.
    public let keys: [Int]
    public let aggregates: [AggregateCall]
    public let schema: Schema
    public let metrics = OperatorMetrics()
    public var children: [any ExecutionNode] { [input] }
    public var label: String {
        let keyText = keys.map { input.schema.fields[$0].name }.joined(separator: ", ")
        let aggregateText = aggregates.map(\.text).joined(separator: ", ")
        return "HashAggregate keys=[\(keyText)] aggregates=[\(aggregateText)]"
    }

    /// - Parameter names: output names, keys' then aggregates'.
    public init(_ input: any ExecutionNode, keys: [Int], aggregates: [AggregateCall], names: [String]) throws(BatonError) {
        self.input = input
        self.keys = keys
        self.aggregates = aggregates
        let types = keys.map { input.schema.fields[$0].type } + aggregates.map(\.resultType)
        schema = try Schema(zip(names, types).map { Field($0, $1) }, allowingDuplicates: true)
    }

    /// Partition bits when keys are many: 32 partitions merged in parallel.
    static let manyPartitionBits = 5

    /// The groups and states of one major morsel. Touched by one task at a time (see
    /// `MorselID`), then only read.
    ///
    /// Pre-aggregating pays when keys repeat. When they hardly do (nine rows in ten a new key
    /// once 32,768 rows are in), the rest of the morsel's rows are kept as they are, routed to
    /// their hash partitions, and aggregated once, in the partition merge — instead of once
    /// here and again there. The switch depends on the data only, so it is the same for any
    /// thread count.
    final class Partial: @unchecked Sendable {
        /// The major morsel whose rows this partial holds.
        let major: [Int]
        let table: GroupTable
        let states: [any AggregateState]
        private(set) var rowsSeen = 0
        private(set) var raw = false
        /// Raw rows per hash partition, batch by batch (see `RawPiece`); each partition's
        /// merge takes its own (`takeRawPieces`), so they are freed as partitions finish.
        private var rawPieces: [RawPieces] = []
        private(set) var rawRows = 0
        private(set) var rawBytes = 0

        init(major: [Int], keyTypes: [DataType], aggregates: [AggregateCall]) {
            self.major = major
            table = GroupTable(types: keyTypes, expected: 256)
            states = aggregates.map { $0.makeState() }
        }

        func add(_ batch: Batch, keys: [Int], aggregates: [AggregateCall]) throws(BatonError) {
            let dense = batch.compacted()
            let keyColumns = keys.map { dense.columns[$0] }
            if raw {
                let (words, hashes) = table.encoded(keyColumns, count: dense.count)
                let arguments = aggregates.flatMap { call in call.arguments.map { dense.columns[$0] } }
                let pieces = words.withUnsafeBufferPointer { words in
                    hashes.withUnsafeBufferPointer { hashes in
                        RawPiece.scatter(words: words, hashes: hashes, arguments: arguments, width: table.width,
                                         bits: HashAggregate.manyPartitionBits, level: 0)
                    }
                }
                if rawPieces.isEmpty { rawPieces = pieces.map { _ in RawPieces() } }
                for (p, piece) in pieces.enumerated() where piece.count > 0 {
                    rawPieces[p].pieces.append(piece)
                    rawBytes += piece.byteCount
                }
                rawRows += dense.count
                return
            }
            let groups = table.insert(keyColumns, count: dense.count)
            for (state, call) in zip(states, aggregates) {
                state.grow(to: table.count)
                try state.update(groups: groups, arguments: call.arguments.map { dense.columns[$0] })
            }
            let before = rowsSeen
            rowsSeen += dense.count
            if !keys.isEmpty, before < 32_768, rowsSeen >= 32_768, table.count * 10 > rowsSeen * 9 { raw = true }
        }

        var byteCount: Int { table.byteCount + states.reduce(0) { $0 + $1.extraBytes } + rawBytes }

        /// The raw pieces of partition `p`, handed over: the partial keeps none of them. Each
        /// partition's merge takes its own, once.
        func takeRawPieces(partition p: Int) -> [RawPiece] {
            guard !rawPieces.isEmpty else { return [] }
            defer { rawPieces[p].pieces = [] }
            return rawPieces[p].pieces
        }

        /// One partition's pieces, in a box of its own: partitions merging at once each touch
        /// only their own box.
        final class RawPieces {
            var pieces: [RawPiece] = []
        }
    }

    public func run(_ context: ExecutionContext, _ consume: @escaping Consumer) throws(BatonError) {
        let keyTypes = keys.map { input.schema.fields[$0].type }
        let partials = Locked<[[Int]: Partial]>([:])
        let spill = AggregateSpill(keys: keys, aggregates: aggregates, input: input.schema, context: context, metrics: metrics)
        try input.run(context) { [keys, aggregates, metrics] batch, id throws(BatonError) in
            let existing = partials.withLock { $0[id.major] }
            guard spill.admit(rows: batch.count, raw: existing?.raw ?? false) else {
                try metrics.timed { () throws(BatonError) in try spill.write(batch, id: id) }
                return
            }
            let partial = existing ?? partials.withLock { all in
                if let existing = all[id.major] { return existing }
                let made = Partial(major: id.major, keyTypes: keyTypes, aggregates: aggregates)
                all[id.major] = made
                return made
            }
            try metrics.timed { () throws(BatonError) in try partial.add(batch, keys: keys, aggregates: aggregates) }
        }
        for partial in partials.withLock({ $0 }).values { for state in partial.states { state.seal() } }
        let held = partials.withLock { $0 }.values.reduce(0) { $0 + $1.byteCount }
        metrics.held(held)
        let ordered = partials.withLock { $0 }.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map(\.value)
        let totalGroups = ordered.reduce(0) { $0 + $1.table.count + $1.rawRows }
        let partitionBits = totalGroups > 1 << 16 || ordered.contains(where: \.raw) || spill.active ? Self.manyPartitionBits : 0
        let partitionCount = 1 << partitionBits
        // Phase 2: which groups of each partial go to which partition.
        let routes: [[[Int32]]] = ordered.map { partial in
            var byPartition = [[Int32]](repeating: [], count: partitionCount)
            for g in 0..<partial.table.count {
                let p = partitionBits == 0 ? 0 : Int(partial.table.hash(of: g) >> UInt64(64 - partitionBits))
                byPartition[p].append(Int32(g))
            }
            return byPartition
        }
        // Under a limit, partitions merge under reservations (and split when refused), spilled
        // or not; the fold order is the same, so an unspilled result is the in-memory one.
        if spill.active || (context.memory.limit != nil && !keys.isEmpty) {
            try context.parallel(partitionCount) { [schema, metrics] p throws(BatonError) in
                try metrics.timed { () throws(BatonError) in
                    try spill.gate.partition { () throws(BatonError) in
                        try spill.aggregate(spill.input(partition: p, routes: routes, partials: ordered), partials: ordered, level: 0,
                                            path: [p], keyTypes: keyTypes, schema: schema, consume)
                    }
                }
            }
            return
        }
        // Phase 3 and 4.
        let outputs = Locked<[Int: [Batch]]>([:])
        try context.parallel(partitionCount) { [aggregates, metrics, schema] p throws(BatonError) in
            let batches = try metrics.timed { () throws(BatonError) -> [Batch] in
                let table = GroupTable(types: keyTypes, expected: 1024)
                let states = aggregates.map { $0.makeState() }
                for (partial, route) in zip(ordered, routes) {
                    try Self.fold(groups: route[p], of: partial, into: table, states)
                    // Rows kept raw come after the pre-aggregated ones, as they did in the input.
                    for piece in partial.takeRawPieces(partition: p) {
                        try Self.fold(piece, of: partial, aggregates, into: table, states)
                    }
                }
                if keys.isEmpty && table.count == 0 && p == 0 {
                    // A global aggregate has one row even over no input: count 0, sum null.
                    _ = table.insert([], count: 1)
                    for state in states { state.grow(to: 1) }
                }
                var batches: [Batch] = []
                try Self.emit(table, states, schema: schema) { batch in batches.append(batch) }
                return batches
            }
            outputs.withLock { $0[p] = batches }
        }
        let byPartition = outputs.withLock { $0 }
        var index = 0
        for p in 0..<partitionCount {
            for batch in byPartition[p] ?? [] where batch.count > 0 {
                metrics.produced(batch)
                try consume(batch, MorselID([p, index]))
                index += 1
            }
        }
    }
}
