/// Up to `Batch.capacity` rows of equal-length columns, the unit every operator consumes and
/// produces.
///
/// `selection`, when set, names the live rows; columns keep their full length until a
/// pipeline breaker compacts them (`compacted()`).
public struct Batch: Sendable {
    /// The most rows one batch holds: large enough to amortise per-batch dispatch, small
    /// enough that a batch of a few columns stays in the L2 cache of one core.
    public static let capacity = 65_536

    public let schema: Schema
    public let columns: [Column]
    /// The length of every column.
    public let physicalCount: Int
    public let selection: SelectionVector?

    /// - Throws: `.invalidInput` if the columns do not match the schema in number, type or
    ///   length, hold more than `capacity` rows, or a non-nullable column has a null.
    public init(schema: Schema, columns: [Column], selection: SelectionVector? = nil) throws(BatonError) {
        guard schema.count == columns.count else {
            throw BatonError(.invalidInput, "batch has \(columns.count) columns but its schema has \(schema.count)")
        }
        let count = columns.first?.count ?? 0
        for (field, column) in zip(schema.fields, columns) {
            guard column.type == field.type else {
                throw BatonError(.invalidInput, "column holds \(column.type), schema says \(field.type)",
                                 at: .init(column: field.name))
            }
            guard column.count == count else {
                throw BatonError(.invalidInput, "column has \(column.count) rows, the batch has \(count)",
                                 at: .init(column: field.name))
            }
            guard field.nullable || column.nullCount == 0 else {
                throw BatonError(.invalidInput, "column is declared NOT NULL but holds \(column.nullCount) nulls",
                                 at: .init(column: field.name))
            }
        }
        guard count <= Batch.capacity else {
            throw BatonError(.invalidInput, "a batch holds at most \(Batch.capacity) rows, got \(count)")
        }
        if let selection, let last = selection.indices.last, Int(last) >= count {
            throw BatonError(.invalidInput, "selection names row \(last) of a \(count)-row batch")
        }
        self.schema = schema
        self.columns = columns
        self.physicalCount = count
        self.selection = selection
    }

    /// The number of live rows.
    public var count: Int { selection?.count ?? physicalCount }

    /// The same batch narrowed to the rows of `selection`, which indexes the live rows.
    public func narrowed(to selection: SelectionVector) -> Batch {
        let physical: [UInt32]
        if let current = self.selection {
            physical = selection.indices.map { current.indices[Int($0)] }
        } else {
            physical = selection.indices
        }
        // Safe: same columns, and the indices stay within them.
        return try! Batch(schema: schema, columns: columns, selection: SelectionVector(physical))
    }

    /// A batch whose columns hold exactly the live rows.
    public func compacted() -> Batch {
        guard let selection else { return self }
        return try! Batch(schema: schema, columns: columns.map { $0.gather(selection) })
    }

    /// Splits columns of any length into batches of at most `capacity` rows.
    public static func split(schema: Schema, columns: [Column], capacity: Int = Batch.capacity) throws(BatonError) -> [Batch] {
        let total = columns.first?.count ?? 0
        if let odd = columns.firstIndex(where: { $0.count != total }) {
            throw BatonError(.invalidInput, "column has \(columns[odd].count) rows, the first has \(total)",
                             at: .init(column: schema.fields[odd].name))
        }
        if total <= capacity { return [try Batch(schema: schema, columns: columns)] }
        var batches: [Batch] = []
        var start = 0
        while start < total {
            let end = min(start + capacity, total)
            batches.append(try Batch(schema: schema, columns: columns.map { $0.slice(start..<end) }))
            start = end
        }
        return batches
    }
}
