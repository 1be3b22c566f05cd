import Columns
import Utilities

/// What a scan did: the figures `baton cat --stats` prints and tests assert.
public struct ScanSummary: Sendable, Equatable {
    public var rowGroupsRead = 0
    public var rowGroupsSkipped = 0
    public var rowsRead = 0
    public var rowsReturned = 0
    public var bytesRead = 0
}

extension BatonReader {
    /// The row groups whose statistics do not rule out every predicate, and how many were
    /// skipped.
    /// - Throws: `.invalidInput` if a predicate names an unknown column.
    public func prune(_ predicates: [ColumnPredicate]) throws(BatonError) -> (rowGroups: [Int], skipped: Int) {
        let columns = try columnIndices(predicates.map(\.column))
        let kept = footer.rowGroups.indices.filter { g in
            zip(predicates, columns).allSatisfy { predicate, column in
                predicate.mayMatch(footer.rowGroups[g].chunks[column].statistics, rowCount: footer.rowGroups[g].rowCount)
            }
        }
        return (kept, footer.rowGroups.count - kept.count)
    }

    /// Streams the rows matching all `predicates` (AND) as batches of the `columns` asked for
    /// (nil: all), in file order, reading only row groups that survive pruning and only the
    /// chunks of projected and filtered columns.
    ///
    /// Streaming per row group; order-preserving; holds one row group of the read columns.
    @discardableResult
    public func scan(columns names: [String]? = nil, where predicates: [ColumnPredicate] = [], limit: Int? = nil,
                     threads: Int = defaultThreadCount, _ body: (Batch) throws(BatonError) -> Void) throws(BatonError) -> ScanSummary {
        let projected = try columnIndices(names)
        let filterColumns = try columnIndices(predicates.map(\.column))
        let needed = Array(Set(projected + filterColumns)).sorted()
        let outputSchema = schema.projected(projected)
        let (groups, skipped) = try prune(predicates)
        let startBytes = bytesRead
        var summary = ScanSummary(rowGroupsSkipped: skipped)
        var remaining = limit ?? Int.max
        for g in groups where remaining > 0 {
            let read = try readRowGroup(g, columns: needed, threads: threads)
            summary.rowGroupsRead += 1
            summary.rowsRead += footer.rowGroups[g].rowCount
            var byIndex: [Int: Column] = [:]
            for (i, column) in zip(needed, read) { byIndex[i] = column }
            var start = 0
            let rows = footer.rowGroups[g].rowCount
            while start < rows && remaining > 0 {
                let end = min(start + Batch.capacity, rows)
                var batch = try Batch(schema: outputSchema, columns: projected.map { byIndex[$0]!.slice(start..<end) })
                if !predicates.isEmpty {
                    var mask = Bitmap(repeating: true, count: end - start)
                    for (predicate, column) in zip(predicates, filterColumns) {
                        let bits = predicate.evaluate(byIndex[column]!.slice(start..<end))
                        mask = Bitmap(words: zip(mask.words, bits.words).map { $0 & $1 }, count: mask.count)
                    }
                    batch = batch.narrowed(to: SelectionVector(mask: mask))
                }
                if batch.count > remaining {
                    batch = batch.narrowed(to: SelectionVector((0..<UInt32(remaining)).map { $0 }))
                }
                remaining -= batch.count
                summary.rowsReturned += batch.count
                if batch.count > 0 { try body(batch) }
                start = end
            }
        }
        summary.bytesRead = bytesRead - startBytes
        return summary
    }
}
