/// The logical types a Baton column can hold.
///
/// The raw values are the type codes written in a `.baton` footer (docs/FORMAT.md); never
/// renumber them.
public enum DataType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case int64 = 1
    case float64 = 2
    case bool = 3
    case string = 4
    /// Days since 1970-01-01, stored as a 32-bit integer (Arrow's date32).
    case date = 5
    /// Microseconds since 1970-01-01T00:00:00Z, stored as a 64-bit integer.
    case timestamp = 6

    public var description: String {
        switch self {
        case .int64: "Int64"
        case .float64: "Float64"
        case .bool: "Bool"
        case .string: "String"
        case .date: "Date"
        case .timestamp: "Timestamp"
        }
    }

    /// Parses the names `description` prints, case-insensitively, plus common SQL aliases.
    public init?(name: String) {
        switch name.lowercased() {
        case "int64", "bigint", "int", "integer": self = .int64
        case "float64", "double", "float": self = .float64
        case "bool", "boolean": self = .bool
        case "string", "utf8", "varchar", "text": self = .string
        case "date": self = .date
        case "timestamp": self = .timestamp
        default: return nil
        }
    }
}
