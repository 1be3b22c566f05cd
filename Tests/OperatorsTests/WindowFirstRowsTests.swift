import Columns
@testable import Operators
import Testing

/// A window told to keep the first k rows of each partition (what `row_number() <= k` above it
/// asks for) gives exactly the rows, numbers and order of the full window filtered to k, with
/// ties, NaN and nulls in the order key and nulls in the partition keys, in parallel buckets.
@Suite struct WindowFirstRowsTests {
    @Test(arguments: [(1, 1), (2, 2), (3, 7), (1000, 2)])
    func firstRowsMatchTheFullWindowFiltered(k: Int, threads: Int) throws {
        // 70,000 rows: partitions are dealt into parallel buckets.
        let table = OperatorTwinTests.table(rows: 70_000, seed: 21, batchRows: 4096)
        for orderKeys in [[SortKey(column: 2, descending: true)], [SortKey(column: 4)], []] {
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
}
