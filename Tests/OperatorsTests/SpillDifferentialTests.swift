import Columns
@testable import Operators
@testable import Spill
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A scratch directory under /tmp, removed (with anything left in it) when done.
final class ScratchDirectory {
    let path: String
    init() {
        var template = Array("/tmp/spill-test-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }
    var entries: [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
    deinit {
        for name in entries { unlink(path + "/" + name) }
        rmdir(path)
    }
}

/// Each spilling operator at tiny memory budgets against its own unlimited run: the same rows
/// (in the same order where the operator defines one), a spill metric above zero to prove the
/// spill happened, and no file left in the temp directory — also after a failure mid-spill.
@Suite struct SpillDifferentialTests {
    typealias Twin = OperatorTwinTests

    static func context(_ threads: Int, limit: Int?, _ scratch: ScratchDirectory, maxTemp: Int? = nil) -> ExecutionContext {
        ExecutionContext(threads: threads, memory: MemoryBudget(limit: limit), spill: SpillSpace(directory: scratch.path, maxBytes: maxTemp))
    }

    @Test(arguments: [1, 2, 7])
    func sortSpillsRunsAndMergesToTheInMemoryOrder(threads: Int) throws {
        let scratch = ScratchDirectory()
        let table = Twin.table(rows: 20_000, seed: 23, batchRows: 500)
        // Few distinct keys: many ties, so stability across runs is tested too. First keys of
        // each kind: a dictionary string (DESC), a float with NaN and -0.0, a date with nulls first.
        let keySets = [[SortKey(column: 1, descending: true), SortKey(column: 2, nullsFirst: true), SortKey(column: 0)],
                       [SortKey(column: 2, descending: true), SortKey(column: 3)],
                       [SortKey(column: 5, nullsFirst: true), SortKey(column: 0, descending: true)]]
        for keys in keySets {
            let expected = Twin.rows(try Sort(TableScan(table, name: "t"), keys: keys).collect(ExecutionContext(threads: 1)))
            for limit in [60_000, 120_000] {
                let sort = Sort(TableScan(table, name: "t"), keys: keys)
                let context = Self.context(threads, limit: limit, scratch)
                let result = try sort.collect(context)
                #expect(Twin.rows(result) == expected)
                // At the smallest budget: runs, then at least one intermediate merge level.
                #expect(sort.metrics.spilledRows > (limit == 60_000 ? table.rowCount : 0))
                #expect(sort.metrics.spillFiles > 2 && sort.metrics.spilledBytes > 0)
                #expect(context.memory.peak <= limit)
                #expect(scratch.entries.isEmpty)
            }
        }
    }

    @Test func sortFailureMidSpillLeavesNoFiles() throws {
        let scratch = ScratchDirectory()
        let table = Twin.table(rows: 20_000, seed: 3, batchRows: 500)
        let context = Self.context(2, limit: 60_000, scratch)
        context.spill.injectedFailureAfterFrames = 5
        #expect { try Sort(TableScan(table, name: "t"), keys: [SortKey(column: 4)]).collect(context) } throws: { error in
            (error as? BatonError)?.message.contains("injected failure") == true
        }
        #expect(context.spill.used == 0)
        #expect(scratch.entries.isEmpty)
    }

    @Test func sortDiskCapIsItsOwnError() throws {
        let scratch = ScratchDirectory()
        let table = Twin.table(rows: 20_000, seed: 3, batchRows: 500)
        let context = Self.context(1, limit: 60_000, scratch, maxTemp: 20_000)
        #expect { try Sort(TableScan(table, name: "t"), keys: [SortKey(column: 4)]).collect(context) } throws: { error in
            (error as? BatonError)?.kind == .diskLimit
        }
        #expect(context.spill.used == 0)
    }

    /// Rows as sortable text: for operators whose output order SQL leaves open.
    static func sortedRows(_ table: Table) -> [String] { Twin.rows(table).map { "\($0)" }.sorted() }

    static func aggregate(_ table: Table, keys: [Int]) throws -> HashAggregate {
        func call(_ kind: AggregateKind, _ arguments: [Int], _ types: [DataType]) throws -> AggregateCall {
            try AggregateCall.resolve(kind, arguments: arguments, types: types, text: kind.rawValue).get()
        }
        // Float sums over k3 (±1.5, 2.25, ±0, inf, NaN) are exact: the same in any association.
        let calls = [try call(.countStar, [], []), try call(.count, [4], [.int64]), try call(.sum, [4], [.int64]),
                     try call(.sum, [2], [.float64]), try call(.min, [3], [.string]), try call(.max, [5], [.date]),
                     try call(.first, [4], [.int64]), try call(.last, [3], [.string])]
        return try HashAggregate(TableScan(table, name: "t"), keys: keys, aggregates: calls,
                                 names: keys.map { "k\($0)" } + ["n", "c", "s", "fs", "mn", "mx", "f", "l"])
    }

    @Test(arguments: [1, 2, 7])
    func aggregateSpillsPartitionsAndRepartitionsToTheInMemoryGroups(threads: Int) throws {
        let scratch = ScratchDirectory()
        let table = Twin.table(rows: 30_000, seed: 31, batchRows: 400)
        let keys = [0, 4, 3]
        let unlimited = try Self.aggregate(table, keys: keys).collect(ExecutionContext(threads: threads))
        let expected = Self.sortedRows(unlimited)
        #expect(expected.count > 10_000)
        // A limit never reached: partitions merge under reservations, in the same order.
        let roomy = try Self.aggregate(table, keys: keys)
        #expect(Twin.rows(try roomy.collect(Self.context(threads, limit: 1 << 30, scratch))) == Twin.rows(unlimited))
        #expect(roomy.metrics.spillFiles == 0)
        for limit in [40_000, 400_000] {
            let node = try Self.aggregate(table, keys: keys)
            let context = Self.context(threads, limit: limit, scratch)
            #expect(Self.sortedRows(try node.collect(context)) == expected)
            // At the smaller budget, partitions are split again: more rows spilled than read.
            #expect(node.metrics.spilledRows > (limit == 40_000 ? table.rowCount : 0))
            #expect(node.metrics.spillFiles > 0 && node.metrics.spilledBytes > 0)
            #expect(context.memory.peak <= limit)
            #expect(scratch.entries.isEmpty)
        }
    }

    @Test(arguments: [1, 7])
    func distinctSpills(threads: Int) throws {
        let scratch = ScratchDirectory()
        let table = Twin.table(rows: 20_000, seed: 8, batchRows: 300)
        func distinct() throws -> HashAggregate {
            try HashAggregate(TableScan(table, name: "t"), keys: Array(0..<6), aggregates: [], names: table.schema.names)
        }
        let expected = Self.sortedRows(try distinct().collect(ExecutionContext(threads: threads)))
        let node = try distinct()
        let context = Self.context(threads, limit: 50_000, scratch)
        #expect(Self.sortedRows(try node.collect(context)) == expected)
        #expect(node.metrics.spilledRows > 0)
        #expect(scratch.entries.isEmpty)
    }

    @Test func aggregateFailureMidSpillLeavesNoFiles() throws {
        let scratch = ScratchDirectory()
        let table = Twin.table(rows: 30_000, seed: 31, batchRows: 400)
        let context = Self.context(2, limit: 40_000, scratch)
        context.spill.injectedFailureAfterFrames = 200
        #expect { try Self.aggregate(table, keys: [0, 4, 3]).collect(context) } throws: { error in
            (error as? BatonError)?.message.contains("injected failure") == true
        }
        #expect(context.spill.used == 0)
        #expect(scratch.entries.isEmpty)
    }

    @Test func aBudgetNoSpillCanMeetNamesTheOperatorAndTheNumbers() throws {
        let scratch = ScratchDirectory()
        let table = Twin.table(rows: 2_000, seed: 4, batchRows: 100)
        let context = Self.context(1, limit: 1_500, scratch)
        #expect { try Self.aggregate(table, keys: [0]).collect(context) } throws: { error in
            let e = error as! BatonError
            return e.kind == .memoryLimit && e.message.hasPrefix("HashAggregate[partition ") && e.message.contains("of the 1.4 KiB memory limit")
                && e.hint?.contains("--memory-limit") == true
        }
        #expect(scratch.entries.isEmpty)
    }

    @Test(arguments: [JoinType.inner, .left, .right, .full, .semi, .anti])
    func graceJoinMatchesTheInMemoryJoin(type: JoinType) throws {
        let scratch = ScratchDirectory()
        let left = Twin.table(rows: 6_000, seed: 41, batchRows: 300)
        let right = Twin.table(rows: 4_000, seed: 42, batchRows: 200)
        func join() throws -> HashJoin {
            try HashJoin(left: TableScan(left, name: "l"), right: TableScan(right, name: "r"), type: type,
                         leftKeys: [0, 4], rightKeys: [0, 4], residual: nil)
        }
        let expected = Self.sortedRows(try join().collect(ExecutionContext(threads: 2)))
        #expect(!expected.isEmpty)
        for (limit, threads) in [(8_000, 1), (8_000, 7), (60_000, 2)] {
            let node = try join()
            let context = Self.context(threads, limit: limit, scratch)
            #expect(Self.sortedRows(try node.collect(context)) == expected)
            // At the smaller budget partitions are split again: more rows spilled than both sides hold.
            #expect(node.metrics.spilledRows > (limit == 8_000 ? left.rowCount + right.rowCount : 0))
            #expect(context.memory.peak <= limit)
            #expect(scratch.entries.isEmpty)
        }
    }

    @Test func graceJoinOnOneHugeKeyFailsNamingThePartition() throws {
        let scratch = ScratchDirectory()
        let schema = try Schema([Field("k", .int64), Field("v", .int64)])
        let rows = (0..<5_000).map { Int64($0) }
        let side = Table(schema: schema, batches: [try Batch(schema: schema, columns: [Column.int64(rows.map { _ in 7 }), Column.int64(rows)])])
        let node = try HashJoin(left: TableScan(side, name: "l"), right: TableScan(side, name: "r"), type: .inner,
                                leftKeys: [0], rightKeys: [0], residual: nil)
        let context = Self.context(1, limit: 20_000, scratch)
        #expect { try node.collect(context) } throws: { error in
            let e = error as! BatonError
            return e.kind == .memoryLimit && e.message.hasPrefix("HashJoin[partition ") && e.message.contains("the 5000 build rows")
        }
        #expect(scratch.entries.isEmpty)
    }

    @Test(arguments: [1, 2, 7])
    func windowSpillsByPartitionKeysToTheInMemoryResults(threads: Int) throws {
        let scratch = ScratchDirectory()
        let table = Twin.table(rows: 20_000, seed: 19, batchRows: 250)
        let sum = try AggregateCall.resolve(.sum, arguments: [4], types: [.int64], text: "sum(v)").get()
        let fsum = try AggregateCall.resolve(.sum, arguments: [2], types: [.float64], text: "sum(k3)").get()
        let functions = [WindowFunction(kind: .rowNumber, frame: .runningWithPeers, text: "row_number()"),
                         WindowFunction(kind: .rank, frame: .runningWithPeers, text: "rank()"),
                         WindowFunction(kind: .denseRank, frame: .runningWithPeers, text: "dense_rank()"),
                         WindowFunction(kind: .aggregate(sum), frame: .runningWithPeers, text: "sum(v)"),
                         WindowFunction(kind: .aggregate(fsum), frame: .rows(start: -2, end: 0), text: "sum(k3)"),
                         WindowFunction(kind: .aggregate(sum), frame: .partition, text: "sum(v) total")]
        func window() throws -> Window {
            // Partitions by (k1, v): about 5,000 of them; ORDER BY d has ties (row_number follows input order).
            try Window(TableScan(table, name: "t"), partitionKeys: [0, 4], orderKeys: [SortKey(column: 5)],
                       functions: functions, names: ["rn", "rk", "dr", "s", "f", "t"])
        }
        let expected = Self.sortedRows(try window().collect(ExecutionContext(threads: threads)))
        for limit in [100_000, 600_000] {
            let node = try window()
            let context = Self.context(threads, limit: limit, scratch)
            #expect(Self.sortedRows(try node.collect(context)) == expected)
            #expect(node.metrics.spilledRows > (limit == 100_000 ? table.rowCount : 0))
            #expect(context.memory.peak <= limit)
            #expect(scratch.entries.isEmpty)
        }
    }

    @Test(arguments: [1, 7])
    func resultsWaitingForTheirTurnSpillAndComeBackInOrder(threads: Int) throws {
        let scratch = ScratchDirectory()
        let table = Twin.table(rows: 20_000, seed: 5, batchRows: 250)
        let node = try HashAggregate(TableScan(table, name: "t"), keys: [0, 4, 3], aggregates: [], names: ["a", "b", "c"])
        let expected = Twin.rows(try node.collect(ExecutionContext(threads: threads)))
        let again = try HashAggregate(TableScan(table, name: "t"), keys: [0, 4, 3], aggregates: [], names: ["a", "b", "c"])
        let context = Self.context(threads, limit: 1 << 30, scratch)
        // A budget big enough for the aggregate but not for its whole result as well.
        let tight = Self.context(threads, limit: 400_000, scratch)
        var batches: [Batch] = []
        try again.runInOrder(context) { batches.append($0) }
        #expect(Twin.rows(Table(schema: again.schema, batches: batches)) == expected)
        #expect(context.spill.filesCreated == 0)
        let third = try HashAggregate(TableScan(table, name: "t"), keys: [0, 4, 3], aggregates: [], names: ["a", "b", "c"])
        batches = []
        try third.runInOrder(tight) { batches.append($0) }
        #expect(Self.sortedRows(Table(schema: third.schema, batches: batches)) == expected.map { "\($0)" }.sorted())
        #expect(tight.spill.filesCreated > third.metrics.spillFiles, "the result spilled too")
        #expect(tight.spill.used == 0 && scratch.entries.isEmpty)
    }

    @Test(arguments: [3, 40, 400])
    func joinAndWindowFailuresMidSpillLeaveNoFiles(after frames: Int) throws {
        let scratch = ScratchDirectory()
        let left = Twin.table(rows: 6_000, seed: 41, batchRows: 300)
        let right = Twin.table(rows: 4_000, seed: 42, batchRows: 200)
        let join = try HashJoin(left: TableScan(left, name: "l"), right: TableScan(right, name: "r"), type: .full,
                                leftKeys: [0, 4], rightKeys: [0, 4], residual: nil)
        let joinContext = Self.context(2, limit: 8_000, scratch)
        joinContext.spill.injectedFailureAfterFrames = frames
        #expect { try join.collect(joinContext) } throws: { ($0 as? BatonError)?.message.contains("injected failure") == true }
        #expect(joinContext.spill.used == 0)
        let sum = try AggregateCall.resolve(.sum, arguments: [4], types: [.int64], text: "sum(v)").get()
        let window = try Window(TableScan(left, name: "t"), partitionKeys: [0, 4], orderKeys: [SortKey(column: 5)],
                                functions: [WindowFunction(kind: .aggregate(sum), frame: .runningWithPeers, text: "sum(v)")], names: ["s"])
        let windowContext = Self.context(2, limit: 30_000, scratch)
        windowContext.spill.injectedFailureAfterFrames = frames
        #expect { try window.collect(windowContext) } throws: { ($0 as? BatonError)?.message.contains("injected failure") == true }
        #expect(windowContext.spill.used == 0)
        #expect(scratch.entries.isEmpty)
    }
}
