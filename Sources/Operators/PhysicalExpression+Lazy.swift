import Columns
import Kernels

/// Row-wise laziness where SQL promises it, at no cost when nothing fails.
///
/// Kernels run over whole buffers, so `CASE WHEN x = 'n/a' THEN NULL ELSE CAST(x AS BIGINT) END`
/// would cast 'n/a' and fail, although no row ever takes that branch with that value. When an
/// eager CASE, AND or OR throws, it is evaluated again branch by branch, each branch only on the
/// rows it decides (gathered into a smaller batch, results scattered back): an error that
/// remains comes from a row that really needs the failing value.
extension PhysicalExpression {
    /// `self` on the rows of `batch` set in `rows`, as a vector of the batch's physical length
    /// whose other rows are null.
    func evaluate(_ batch: Batch, rows: Bitmap) throws(BatonError) -> Vector {
        let n = batch.physicalCount
        var indices: [UInt32] = []
        indices.reserveCapacity(n)
        for (w, word) in rows.words.enumerated() {
            var bits = word
            while bits != 0 {
                indices.append(UInt32(w << 6 | bits.trailingZeroBitCount))
                bits &= bits &- 1
            }
        }
        if indices.count == n { return try evaluateAll(batch) }
        if indices.isEmpty { return .constant(.null, type) }
        let selection = SelectionVector(indices)
        let narrowed = try Batch(schema: batch.schema, columns: batch.columns.map { $0.gather(selection) })
        let values = try column(narrowed)
        // Scatter: row indices[k] takes value k; the rows not evaluated are null.
        var positions = [UInt32](repeating: 0, count: n)
        for (k, i) in indices.enumerated() { positions[Int(i)] = UInt32(k) }
        let spread = values.gather(SelectionVector(positions))
        let validity = spread.validity.map { Words.and($0, rows) } ?? rows
        return .column(Column(spread.type, spread.storage, validity: validity))
    }

    /// CASE evaluated one branch at a time: each condition on the rows no earlier condition
    /// took, each result on the rows its condition took.
    func lazyCase(_ batch: Batch, conditions: [PhysicalExpression], results: [PhysicalExpression],
                  otherwise: PhysicalExpression, type: DataType) throws(BatonError) -> Vector {
        let n = batch.physicalCount
        var remaining = Bitmap(repeating: true, count: n)
        var masks: [Bitmap] = []
        var sources: [Vector] = []
        for (condition, result) in zip(conditions, results) {
            let decided = try condition.evaluate(batch, rows: remaining)
            let mask = Words.and(Logic.trueMask(decided, count: n), remaining)
            remaining = Words.andNot(remaining, mask)
            masks.append(mask)
            sources.append(try result.evaluate(batch, rows: mask))
        }
        masks.append(remaining)
        sources.append(try otherwise.evaluate(batch, rows: remaining))
        return Conditional.select(sources, masks: masks, type: type, count: n)
    }

    /// AND / OR with the right side evaluated only where the left side does not decide the
    /// row (false for AND, true for OR).
    func lazyLogic(_ batch: Batch, _ l: PhysicalExpression, _ r: PhysicalExpression, and: Bool) throws(BatonError) -> Vector {
        let n = batch.physicalCount
        let left = try l.evaluateAll(batch)
        let decided = and ? Logic.trueMask(Logic.not(left, count: n), count: n) : Logic.trueMask(left, count: n)
        let right = try r.evaluate(batch, rows: Words.not(decided))
        return and ? Logic.and(left, right, count: n) : Logic.or(left, right, count: n)
    }
}
