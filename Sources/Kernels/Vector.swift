import Columns

/// An argument or result of a kernel: a column with one value per row of the batch, or a
/// single value that stands for every row (a literal, or an expression of literals).
///
/// Kernels take fast paths for constants (`x > 5` compares a buffer against one register)
/// instead of materialising a column of copies; `materialize` is for the few that cannot.
public enum Vector: Sendable {
    case column(Column)
    /// `value` is `.null` or a value of `type`.
    case constant(Value, DataType)

    public var type: DataType {
        switch self {
        case .column(let column): column.type
        case .constant(_, let type): type
        }
    }
}
