import Columns

extension Vector {
    /// A column of `count` rows (constants repeated; a typed null constant becomes an all-null column).
    /// A constant string becomes a one-value dictionary column, which costs one code per row.
    public func materialize(count: Int) -> Column {
        switch self {
        case .column(let column):
            precondition(column.count == count, "vector has \(column.count) rows, expected \(count)")
            return column
        case .constant(let value, let type):
            let storage: ColumnStorage
            switch value {
            case .null: return .nulls(type, count: count)
            case .int64(let x):
                storage = type == .float64 ? .float64(.init(repeating: Double(x), count: count)) : .int64(.init(repeating: x, count: count))
            case .timestamp(let x): storage = .int64(.init(repeating: x, count: count))
            case .float64(let x): storage = .float64(.init(repeating: x, count: count))
            case .date(let x):
                storage = type == .timestamp ? .int64(.init(repeating: dateToMicros(x), count: count)) : .int32(.init(repeating: x, count: count))
            case .bool(let x): storage = .bool(Bitmap(repeating: x, count: count))
            case .string(let x):
                storage = .dictionary(codes: .init(repeating: 0, count: count), values: StringArray([x]))
            }
            return Column(type, storage)
        }
    }
}
