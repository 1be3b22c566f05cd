import Columns

/// The aggregate functions, as SQL names them.
public enum AggregateKind: String, Sendable, CaseIterable {
    case countStar = "count_star"
    case count, sum, avg, min, max
    case stddevSamp = "stddev_samp", stddevPop = "stddev_pop", varSamp = "var_samp", varPop = "var_pop"
    case median
    case quantileCont = "quantile_cont", quantileDisc = "quantile_disc"
    case corr, first, last
    case countDistinct = "count_distinct"
    case boolAnd = "bool_and", boolOr = "bool_or"

    /// SQL names and aliases (lowercase) to kinds; `count(*)` and `count(DISTINCT …)` are
    /// told apart by the binder.
    public static func named(_ name: String) -> AggregateKind? {
        switch name {
        case "count": .count
        case "sum": .sum
        case "avg", "mean": .avg
        case "min": .min
        case "max": .max
        case "stddev", "stddev_samp": .stddevSamp
        case "stddev_pop": .stddevPop
        case "variance", "var_samp": .varSamp
        case "var_pop": .varPop
        case "median": .median
        case "quantile_cont": .quantileCont
        case "quantile", "quantile_disc": .quantileDisc
        case "corr": .corr
        case "first", "arbitrary", "any_value": .first
        case "last": .last
        case "bool_and", "every": .boolAnd
        case "bool_or": .boolOr
        default: nil
        }
    }
}

/// One aggregate of a HashAggregate: which function over which input columns.
public struct AggregateCall: Sendable, CustomStringConvertible {
    public let kind: AggregateKind
    /// Input column indices (none for count(*), two for corr).
    public let arguments: [Int]
    public let argumentTypes: [DataType]
    /// The fraction of quantile functions.
    public let fraction: Double?
    public let resultType: DataType
    /// How `explain` shows it, e.g. `sum(v1)`.
    public let text: String

    /// The call with its result type, or a message saying which argument types the function takes.
    public static func resolve(_ kind: AggregateKind, arguments: [Int], types: [DataType], fraction: Double? = nil,
                               text: String) -> Result<AggregateCall, AggregateResolutionError> {
        func fail(_ expected: String) -> Result<AggregateCall, AggregateResolutionError> {
            .failure(AggregateResolutionError(
                message: "\(kind.sqlName) expects \(expected), got (\(types.map(\.description).joined(separator: ", ")))"))
        }
        let numeric: (DataType) -> Bool = { $0 == .int64 || $0 == .float64 }
        let result: DataType
        switch kind {
        case .countStar:
            guard types.isEmpty else { return fail("no arguments") }
            result = .int64
        case .count, .countDistinct:
            guard types.count == 1 else { return fail("one argument") }
            result = .int64
        case .sum:
            guard types.count == 1, numeric(types[0]) else { return fail("(Int64) or (Float64)") }
            result = types[0]
        case .avg, .stddevSamp, .stddevPop, .varSamp, .varPop:
            guard types.count == 1, numeric(types[0]) else { return fail("(Int64) or (Float64)") }
            result = .float64
        case .min, .max, .first, .last:
            guard types.count == 1 else { return fail("one argument") }
            result = types[0]
        case .median, .quantileCont:
            guard types.count == 1, types[0] != .bool, types[0] != .string else {
                return fail("a number, date or timestamp")
            }
            result = numeric(types[0]) ? .float64 : types[0]
        case .quantileDisc:
            guard types.count == 1, types[0] != .bool else { return fail("a number, string, date or timestamp") }
            result = types[0]
        case .corr:
            guard types.count == 2, types.allSatisfy(numeric) else { return fail("(Float64, Float64)") }
            result = .float64
        case .boolAnd, .boolOr:
            guard types == [.bool] else { return fail("(Bool)") }
            result = .bool
        }
        return .success(AggregateCall(kind: kind, arguments: arguments, argumentTypes: types, fraction: fraction,
                                      resultType: result, text: text))
    }

    public var description: String { text }

    func makeState() -> any AggregateState {
        switch kind {
        case .countStar: CountState(star: true)
        case .count: CountState(star: false)
        case .sum: argumentTypes[0] == .int64 ? SumIntState() : SumFloatState()
        case .avg: AvgState(integer: argumentTypes[0] == .int64)
        case .min: ExtremeState(argumentTypes[0], keepsMaximum: false)
        case .max: ExtremeState(argumentTypes[0], keepsMaximum: true)
        case .first: PositionalState(argumentTypes[0], keepsLast: false)
        case .last: PositionalState(argumentTypes[0], keepsLast: true)
        case .stddevSamp: MomentState(.stddevSamp)
        case .stddevPop: MomentState(.stddevPop)
        case .varSamp: MomentState(.varSamp)
        case .varPop: MomentState(.varPop)
        case .median: QuantileState(argumentTypes[0], fraction: 0.5, continuous: true)
        case .quantileCont: QuantileState(argumentTypes[0], fraction: fraction ?? 0.5, continuous: true)
        case .quantileDisc: QuantileState(argumentTypes[0], fraction: fraction ?? 0.5, continuous: false)
        case .corr: CorrelationState()
        case .countDistinct: DistinctCountState()
        case .boolAnd: BoolState(all: true)
        case .boolOr: BoolState(all: false)
        }
    }
}

extension AggregateKind {
    var sqlName: String {
        switch self {
        case .countStar: "count(*)"
        case .countDistinct: "count(DISTINCT)"
        default: rawValue
        }
    }
}

public struct AggregateResolutionError: Error, Sendable {
    public let message: String
}
