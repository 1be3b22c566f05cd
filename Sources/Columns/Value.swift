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
        case let (.string(x), .string(y)): x.utf8.elementsEqual(y.utf8)
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

    /// Orders two non-null values of the same type, or an Int64 and a Float64 (compared
    /// exactly, not through a lossy conversion). Strings compare by UTF-8 bytes (code point
    /// order), as the statistics in a `.baton` file do. Floats follow SQL: NaN equals NaN and
    /// sorts above every number. Returns nil for other type pairs or when either side is null.
    public static func compare(_ a: Value, _ b: Value) -> Int? {
        func sign<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }
        switch (a, b) {
        case let (.int64(x), .int64(y)): return sign(x, y)
        case let (.float64(x), .float64(y)): return compareFloats(x, y)
        case let (.int64(x), .float64(y)): return compareMixed(x, y)
        case let (.float64(x), .int64(y)): return -compareMixed(y, x)
        case let (.bool(x), .bool(y)): return sign(x ? 1 : 0, y ? 1 : 0)
        case let (.string(x), .string(y)):
            if x.utf8.elementsEqual(y.utf8) { return 0 }
            return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
        case let (.date(x), .date(y)): return sign(x, y)
        case let (.timestamp(x), .timestamp(y)): return sign(x, y)
        default: return nil
        }
    }

    @inlinable
    public static func compareFloats(_ x: Double, _ y: Double) -> Int {
        if x.isNaN || y.isNaN { return x.isNaN ? (y.isNaN ? 0 : 1) : -1 }
        return x < y ? -1 : (x == y ? 0 : 1)
    }

    /// An Int64 against a Double without rounding the integer; NaN is above every integer.
    @inlinable
    public static func compareMixed(_ x: Int64, _ y: Double) -> Int {
        if y.isNaN { return -1 }
        if y >= 9_223_372_036_854_775_808.0 { return -1 }  // 2^63: above every Int64
        if y < -9_223_372_036_854_775_808.0 { return 1 }
        let whole = y.rounded(.down)
        let integer = Int64(whole)
        if x != integer { return x < integer ? -1 : 1 }
        return whole == y ? 0 : -1  // y has a fraction above x
    }
}
