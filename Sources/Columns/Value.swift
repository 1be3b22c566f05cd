/// One value of any column type, or null.
///
/// For statistics, literals, tests and display. Kernels never traffic in `Value`: they switch
/// on a column's storage once per batch and work on its buffers.
/// Equality is exact: two floats are equal when their bits are (so NaN equals NaN and -0.0
/// differs from 0.0), which is what a round trip through storage must preserve.
public enum Value: Sendable, Hashable, CustomStringConvertible {
    case null
    case int64(Int64)
    case float64(Double)
    case bool(Bool)
    case string(String)
    /// Days since 1970-01-01.
    case date(Int32)
    /// Microseconds since 1970-01-01T00:00:00Z.
    case timestamp(Int64)

    public static func == (a: Value, b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.int64(x), .int64(y)): x == y
        case let (.float64(x), .float64(y)): x.bitPattern == y.bitPattern
        case let (.bool(x), .bool(y)): x == y
        case let (.string(x), .string(y)): x == y
        case let (.date(x), .date(y)): x == y
        case let (.timestamp(x), .timestamp(y)): x == y
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .int64(let v): hasher.combine(1); hasher.combine(v)
        case .float64(let v): hasher.combine(2); hasher.combine(v.bitPattern)
        case .bool(let v): hasher.combine(3); hasher.combine(v)
        case .string(let v): hasher.combine(4); hasher.combine(v)
        case .date(let v): hasher.combine(5); hasher.combine(v)
        case .timestamp(let v): hasher.combine(6); hasher.combine(v)
        }
    }

    public var isNull: Bool { if case .null = self { true } else { false } }

    public var description: String {
        switch self {
        case .null: "NULL"
        case .int64(let v): String(v)
        case .float64(let v): String(v)
        case .bool(let v): v ? "true" : "false"
        case .string(let v): v
        case .date(let v): Temporal.formatDate(v)
        case .timestamp(let v): Temporal.formatTimestamp(v)
        }
    }

    /// Orders two non-null values of the same type. Strings compare by UTF-8 bytes (code point
    /// order), as the statistics in a `.baton` file do. Returns nil when the types differ or
    /// either side is null.
    public static func compare(_ a: Value, _ b: Value) -> Int? {
        func sign<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }
        switch (a, b) {
        case let (.int64(x), .int64(y)): return sign(x, y)
        case let (.float64(x), .float64(y)): return sign(x, y)
        case let (.int64(x), .float64(y)): return sign(Double(x), y)
        case let (.float64(x), .int64(y)): return sign(x, Double(y))
        case let (.bool(x), .bool(y)): return sign(x ? 1 : 0, y ? 1 : 0)
        case let (.string(x), .string(y)): return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : (x == y ? 0 : 1)
        case let (.date(x), .date(y)): return sign(x, y)
        case let (.timestamp(x), .timestamp(y)): return sign(x, y)
        default: return nil
        }
    }
}
