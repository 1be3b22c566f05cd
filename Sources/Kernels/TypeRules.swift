import Columns

public enum ArithmeticOperator: Sendable {
    case add, subtract, multiply, divide, modulo

    var symbol: String {
        switch self {
        case .add: "+"
        case .subtract: "-"
        case .multiply: "*"
        case .divide: "/"
        case .modulo: "%"
        }
    }

    var noun: String {
        switch self {
        case .add: "addition"
        case .subtract: "subtraction"
        case .multiply: "multiplication"
        case .divide: "division"
        case .modulo: "modulo"
        }
    }
}

public enum ComparisonOperator: Sendable {
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual, isDistinctFrom, isNotDistinctFrom
}

/// The typing rules the binder applies before it calls a kernel. Kernels trust them: an
/// argument of another type is a programming error, reported as `invalidInput`.
public enum TypeRules {
    /// Result type of `l op r`, or nil if not defined. Int64 op Int64 → Int64 except divide → Float64 (DuckDB: `/` is float division);
    /// any Float64 → Float64; date + int64 / int64 + date → date; date - int64 → date; date - date → int64 (days);
    /// timestamp - timestamp → int64 (µs); date/timestamp ± interval is handled by the binder as `dateAdd`.
    public static func arithmetic(_ op: ArithmeticOperator, _ l: DataType, _ r: DataType) -> DataType? {
        switch (l, r) {
        case (.int64, .int64): return op == .divide ? .float64 : .int64
        case (.int64, .float64), (.float64, .int64), (.float64, .float64): return .float64
        case (.date, .int64): return op == .add || op == .subtract ? .date : nil
        case (.int64, .date): return op == .add ? .date : nil
        case (.date, .date), (.timestamp, .timestamp): return op == .subtract ? .int64 : nil
        default: return nil
        }
    }

    /// Whether two types compare: same type, int64/float64 mixed, date/timestamp mixed. Strings
    /// compare only with strings.
    public static func comparable(_ l: DataType, _ r: DataType) -> Bool {
        switch (l, r) {
        case (.int64, .float64), (.float64, .int64), (.date, .timestamp), (.timestamp, .date): true
        default: l == r
        }
    }

    /// The type all of `types` convert to for CASE/COALESCE/IN/UNION: equal types; int64+float64 → float64;
    /// date+timestamp → timestamp; nil otherwise (and for an empty list).
    public static func common(_ types: [DataType]) -> DataType? {
        guard var result = types.first else { return nil }
        for t in types.dropFirst() {
            switch (result, t) {
            case _ where result == t: continue
            case (.int64, .float64), (.float64, .int64): result = .float64
            case (.date, .timestamp), (.timestamp, .date): result = .timestamp
            default: return nil
            }
        }
        return result
    }

    /// Whether CAST from → to is defined: all pairs among the six types except bool↔date/timestamp.
    public static func castable(_ from: DataType, _ to: DataType) -> Bool {
        switch (from, to) {
        case (.bool, .date), (.bool, .timestamp), (.date, .bool), (.timestamp, .bool): false
        default: true
        }
    }
}
