import Columns
@testable import Operators
import Spill
import Testing

/// A window told to keep the first k rows of each partition (what `row_number() <= k` above it
/// asks for) gives exactly the rows, numbers and order of the full window filtered to k, with
/// ties, NaN and nulls in the order key and nulls in the partition keys, in parallel buckets:
/// streamed (`TopRowsSink`, numeric order keys or none), buffered (a string order key), and
/// falling back to the spill when the budget refuses the streamed partials.
@Suite struct WindowFirstRowsTests {
    @Test(arguments: [(1, 1), (2, 2), (3, 7), (1000, 2)])
    func firstRowsMatchTheFullWindowFiltered(k: Int, threads: Int) throws {
        // 70,000 rows: partitions are dealt into parallel buckets.
        let table = OperatorTwinTests.table(rows: 70_000, seed: 21, batchRows: 4096)
        for orderKeys in [[SortKey(column: 2, descending: true)], [SortKey(column: 4)], [], [SortKey(column: 3), SortKey(column: 4)]] {
            let rowNumber = [WindowFunction(kind: .rowNumber, frame: .runningWithPeers, text: "row_number()")]
            let full = try Window(TableScan(table, name: "t"), partitionKeys: [0, 1], orderKeys: orderKeys,
                                  functions: rowNumber, names: ["rn"])
            let limited = try Window(TableScan(table, name: "t"), partitionKeys: [0, 1], orderKeys: orderKeys,
                                     functions: rowNumber, names: ["rn"], rowsPerPartition: k)
            let context = ExecutionContext(threads: threads)
            let expected = OperatorTwinTests.rows(try full.collect(context)).filter { row in
                guard case .int64(let n) = row.last! else { return false }
                return n <= k
            }
            let got = OperatorTwinTests.rows(try limited.collect(context))
            #expect(got == expected, "k \(k), order \(orderKeys.map(\.column))")
            #expect(!got.isEmpty)
        }
    }

    @Test(arguments: [1, 2, 7])
    func streamedFirstRowsFallBackToTheSpillUnderATinyBudget(threads: Int) throws {
        let table = OperatorTwinTests.table(rows: 30_000, seed: 5, batchRows: 2048)
        let rowNumber = [WindowFunction(kind: .rowNumber, frame: .runningWithPeers, text: "row_number()")]
        let orderKeys = [SortKey(column: 2, descending: true), SortKey(column: 5)]
        let full = try Window(TableScan(table, name: "t"), partitionKeys: [0, 1, 4], orderKeys: orderKeys, functions: rowNumber, names: ["rn"])
        let expected = OperatorTwinTests.rows(try full.collect(ExecutionContext(threads: threads))).filter { row in
            guard case .int64(let n) = row.last! else { return false }
            return n <= 2
        }
        let scratch = ScratchDirectory()
        let context = ExecutionContext(threads: threads, memory: MemoryBudget(limit: 1 << 20), spill: SpillSpace(directory: scratch.path))
        let limited = try Window(TableScan(table, name: "t"), partitionKeys: [0, 1, 4], orderKeys: orderKeys, functions: rowNumber, names: ["rn"],
                                 rowsPerPartition: 2)
        // The spilled window numbers the rows it holds (every partition's first rows among
        // them) and leaves the cut to the filter above it, as a query plan does.
        let got = OperatorTwinTests.rows(try limited.collect(context)).filter { row in
            guard case .int64(let n) = row.last! else { return false }
            return n <= 2
        }
        // Spilled partitions come out in another order; each partition's rows keep theirs.
        #expect(got.sorted { "\($0)" < "\($1)" } == expected.sorted { "\($0)" < "\($1)" })
        #expect(got.count == expected.count && !got.isEmpty)
        #expect(limited.metrics.spilledRows > 0)
    }
}
