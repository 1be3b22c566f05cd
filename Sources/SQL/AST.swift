import Columns

/// A span of the query text, as UTF-8 byte offsets (`start..<end`), so that every error can
/// point at the words it is about.
public struct SourceRange: Sendable, Equatable, CustomStringConvertible {
    public var start: Int
    public var end: Int

    public init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = end
    }

    /// The smallest range covering both.
    public func union(_ other: SourceRange) -> SourceRange { SourceRange(min(start, other.start), max(end, other.end)) }

    public var description: String { "\(start)..<\(end)" }
}

/// A whole query: `[WITH …] body [ORDER BY …] [LIMIT n [OFFSET m]]`.
public struct Query: Sendable {
    public var with: [CommonTableExpression]
    public var body: SetExpression
    public var orderBy: [OrderItem]
    public var limit: Expression?
    public var offset: Expression?
    public var range: SourceRange

    public init(with: [CommonTableExpression] = [], body: SetExpression, orderBy: [OrderItem] = [],
                limit: Expression? = nil, offset: Expression? = nil, range: SourceRange) {
        self.with = with
        self.body = body
        self.orderBy = orderBy
        self.limit = limit
        self.offset = offset
        self.range = range
    }
}

/// `name [(column, …)] AS (query)`.
public struct CommonTableExpression: Sendable {
    public var name: String
    /// Renames the query's output columns, when given.
    public var columnNames: [String]?
    public var query: Query
    public var range: SourceRange

    public init(name: String, columnNames: [String]? = nil, query: Query, range: SourceRange) {
        self.name = name
        self.columnNames = columnNames
        self.query = query
        self.range = range
    }
}

/// The body of a query: one SELECT, a parenthesised query, or a set operation of two bodies.
public indirect enum SetExpression: Sendable {
    case select(Select)
    case query(Query)
    /// `left UNION ALL right` (`all: true`) or `left UNION right` (duplicates removed).
    case union(SetExpression, SetExpression, all: Bool, range: SourceRange)
}

/// `SELECT [DISTINCT] items [FROM …] [WHERE …] [GROUP BY …] [HAVING …]`.
public struct Select: Sendable {
    public var distinct: Bool
    public var items: [SelectItem]
    public var from: TableReference?
    public var filter: Expression?
    public var groupBy: [Expression]
    /// `GROUP BY ALL` (`groupBy` then empty): group by every select item that holds no aggregate.
    public var groupByAll: Bool
    public var having: Expression?
    public var range: SourceRange

    public init(distinct: Bool = false, items: [SelectItem], from: TableReference? = nil, filter: Expression? = nil,
                groupBy: [Expression] = [], groupByAll: Bool = false, having: Expression? = nil,
                range: SourceRange) {
        self.distinct = distinct
        self.items = items
        self.from = from
        self.filter = filter
        self.groupBy = groupBy
        self.groupByAll = groupByAll
        self.having = having
        self.range = range
    }
}

public enum SelectItem: Sendable {
    /// `*` or `t.*`; `exclude` lists the columns of `* EXCLUDE (a, b)`.
    case wildcard(qualifier: String?, exclude: [String], range: SourceRange)
    case expression(Expression, alias: String?)
}

/// What FROM names.
public indirect enum TableReference: Sendable {
    /// A quoted path or glob: `'trips.csv'`, `'data/*.csv'`, `'out.baton'`, `'-'` (stdin).
    case file(path: String, alias: String?, range: SourceRange)
    /// A table function: `read_csv('x.txt', delim => '|', header => true)`.
    case function(name: String, arguments: [Expression], named: [NamedArgument], alias: String?, range: SourceRange)
    /// A bare name: a CTE.
    case named(name: String, alias: String?, range: SourceRange)
    /// `(SELECT …) [AS] alias`.
    case subquery(Query, alias: String?, range: SourceRange)
    case join(Join)
}

/// `name => value` in a table function's arguments.
public struct NamedArgument: Sendable {
    public var name: String
    public var value: Expression
    public var range: SourceRange

    public init(name: String, value: Expression, range: SourceRange) {
        self.name = name
        self.value = value
        self.range = range
    }
}

public enum JoinKind: String, Sendable, Equatable {
    case inner, left, right, full, semi, anti, cross
}

public enum JoinCondition: Sendable {
    case on(Expression)
    case using([String])
    /// CROSS JOIN, or a comma between FROM items.
    case none
}

/// `left [INNER | LEFT | RIGHT | FULL | SEMI | ANTI | CROSS] JOIN right [ON … | USING (…)]`.
public struct Join: Sendable {
    public var kind: JoinKind
    public var left: TableReference
    public var right: TableReference
    public var condition: JoinCondition
    public var range: SourceRange

    public init(kind: JoinKind, left: TableReference, right: TableReference, condition: JoinCondition, range: SourceRange) {
        self.kind = kind
        self.left = left
        self.right = right
        self.condition = condition
        self.range = range
    }
}

/// `expr [ASC | DESC] [NULLS FIRST | NULLS LAST]`.
public struct OrderItem: Sendable {
    public var expression: Expression
    public var descending: Bool
    /// nil when the query does not say (then nulls sort last in both directions, as in DuckDB).
    public var nullsFirst: Bool?

    public init(expression: Expression, descending: Bool = false, nullsFirst: Bool? = nil) {
        self.expression = expression
        self.descending = descending
        self.nullsFirst = nullsFirst
    }
}

/// A literal as written.
public enum Literal: Sendable, Equatable {
    case null
    case integer(Int64)
    /// Any number with a `.` or an exponent.
    case float(Double)
    case string(String)
    case bool(Bool)
    /// `DATE '2024-01-31'`, the text still unparsed (the binder checks it and points at it).
    case date(String)
    /// `TIMESTAMP '2024-01-31 12:00:00'`.
    case timestamp(String)
    /// `INTERVAL '3' DAY` or `INTERVAL 3 DAYS`.
    case interval(Int64, IntervalUnit)
}

public enum IntervalUnit: String, Sendable, Equatable {
    case microsecond, millisecond, second, minute, hour, day, week, month, year
}

public enum UnaryOperator: String, Sendable, Equatable {
    case negate = "-"
    case plus = "+"
    case not = "NOT"
}

public enum BinaryOperator: String, Sendable, Equatable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%"
    case concat = "||"
    case equal = "=", notEqual = "<>", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case and = "AND", or = "OR"
    /// `IS DISTINCT FROM`: equality that treats two nulls as equal.
    case isDistinctFrom = "IS DISTINCT FROM"
    case isNotDistinctFrom = "IS NOT DISTINCT FROM"
}

/// `WHEN condition THEN result`.
public struct WhenClause: Sendable {
    public var condition: Expression
    public var result: Expression

    public init(condition: Expression, result: Expression) {
        self.condition = condition
        self.result = result
    }
}

/// `name(args)`, `count(*)`, `count(DISTINCT x)`, optionally `OVER (…)`.
public struct FunctionCall: Sendable {
    /// Lowercased.
    public var name: String
    public var arguments: [Expression]
    public var distinct: Bool
    /// `count(*)`.
    public var star: Bool
    public var over: WindowSpecification?

    public init(name: String, arguments: [Expression], distinct: Bool = false, star: Bool = false,
                over: WindowSpecification? = nil) {
        self.name = name
        self.arguments = arguments
        self.distinct = distinct
        self.star = star
        self.over = over
    }
}

/// `OVER (PARTITION BY … ORDER BY … [frame])`.
public struct WindowSpecification: Sendable {
    public var partitionBy: [Expression]
    public var orderBy: [OrderItem]
    public var frame: WindowFrame?

    public init(partitionBy: [Expression] = [], orderBy: [OrderItem] = [], frame: WindowFrame? = nil) {
        self.partitionBy = partitionBy
        self.orderBy = orderBy
        self.frame = frame
    }
}

/// `ROWS | RANGE BETWEEN start AND end` (or `ROWS start`, meaning `BETWEEN start AND CURRENT ROW`).
public struct WindowFrame: Sendable, Equatable {
    public enum Units: String, Sendable, Equatable { case rows, range }
    public enum Bound: Sendable, Equatable {
        case unboundedPreceding
        case preceding(Int64)
        case currentRow
        case following(Int64)
        case unboundedFollowing
    }
    public var units: Units
    public var start: Bound
    public var end: Bound

    public init(units: Units, start: Bound, end: Bound) {
        self.units = units
        self.start = start
        self.end = end
    }
}

/// An expression with the range of text it was parsed from.
public struct Expression: Sendable {
    public indirect enum Kind: Sendable {
        case literal(Literal)
        /// `name` or `qualifier.name`; names keep their case (quoted or not), and the binder
        /// matches unquoted names case-insensitively.
        case column(qualifier: String?, name: String, quoted: Bool)
        case unary(UnaryOperator, Expression)
        case binary(BinaryOperator, Expression, Expression)
        case isNull(Expression, negated: Bool)
        case inList(Expression, [Expression], negated: Bool)
        case between(Expression, low: Expression, high: Expression, negated: Bool)
        /// `LIKE` (or `ILIKE`: `caseInsensitive`), with an optional `ESCAPE 'c'`.
        case like(Expression, pattern: Expression, negated: Bool, caseInsensitive: Bool, escape: Expression?)
        /// `CASE [operand] WHEN … THEN … [ELSE …] END`.
        case caseWhen(operand: Expression?, branches: [WhenClause], otherwise: Expression?)
        /// `CAST(x AS type)`, `TRY_CAST(x AS type)` (`try: true`: null instead of an error) or `x::type`.
        case cast(Expression, DataType, try: Bool)
        case function(FunctionCall)
    }

    public var kind: Kind
    public var range: SourceRange

    public init(_ kind: Kind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
    }
}
