import Columns

/// A comparison of one column with a constant: what the reader can check against chunk
/// statistics to skip row groups, and evaluate on rows to filter them.
public struct ColumnPredicate: Sendable, Equatable, CustomStringConvertible {
    public enum Op: String, Sendable, CaseIterable {
        case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case isNull = "IS NULL", isNotNull = "IS NOT NULL"
    }

    public var column: String
    public var op: Op
    /// `.null` for IS [NOT] NULL.
    public var value: Value

    public init(_ column: String, _ op: Op, _ value: Value = .null) {
        self.column = column
        self.op = op
        self.value = value
    }

    public var description: String {
        switch op {
        case .isNull, .isNotNull: "\(column) \(op.rawValue)"
        case _ where { if case .string = value { true } else { false } }(): "\(column) \(op.rawValue) '\(value)'"
        default: "\(column) \(op.rawValue) \(value)"
        }
    }

    /// False only when no row of a chunk with these statistics can satisfy the predicate.
    /// SQL semantics: a comparison with null is not true, so an all-null chunk satisfies no
    /// comparison.
    public func mayMatch(_ stats: Statistics, rowCount: Int) -> Bool {
        switch op {
        case .isNull: return stats.nullCount > 0
        case .isNotNull: return stats.nullCount < rowCount
        default: break
        }
        if stats.nullCount == rowCount { return false }
        let low = stats.min.flatMap { Value.compare($0, value) }
        let high = stats.max.flatMap { Value.compare($0, value) }
        switch op {
        case .equal: return !(low.map { $0 > 0 } ?? false) && !(high.map { $0 < 0 } ?? false)
        case .less: return !(low.map { $0 >= 0 } ?? false)
        case .lessOrEqual: return !(low.map { $0 > 0 } ?? false)
        case .greater: return !(high.map { $0 <= 0 } ?? false)
        case .greaterOrEqual: return !(high.map { $0 < 0 } ?? false)
        case .notEqual:
            let constant = stats.minExact && stats.maxExact && low == 0 && high == 0
            return !constant
        case .isNull, .isNotNull: return true
        }
    }

    /// Bit `i` is set when row `i` satisfies the predicate (never for null rows, except IS NULL).
    public func evaluate(_ column: Column) -> Bitmap {
        let n = column.count
        switch op {
        case .isNull: return Bitmap((0..<n).map { column.isNull($0) })
        case .isNotNull: return Bitmap((0..<n).map { !column.isNull($0) })
        default: break
        }
        let test: (Int) -> Bool
        switch op {
        case .equal: test = { $0 == 0 }
        case .notEqual: test = { $0 != 0 }
        case .less: test = { $0 < 0 }
        case .lessOrEqual: test = { $0 <= 0 }
        case .greater: test = { $0 > 0 }
        case .greaterOrEqual: test = { $0 >= 0 }
        case .isNull, .isNotNull: test = { _ in false }
        }
        var bits = [Bool](repeating: false, count: n)
        switch (column.storage, value) {
        case let (.int64(v), .int64(c)), let (.int64(v), .timestamp(c)):
            for i in 0..<n { bits[i] = test(v[i] < c ? -1 : (v[i] == c ? 0 : 1)) }
        case let (.float64(v), .float64(c)):
            // SQL order (NaN above every number, equal to itself), as the statistics use.
            for i in 0..<n { bits[i] = test(Value.compareFloats(v[i], c)) }
        case let (.dictionary(codes, values), .string):
            // Compare each dictionary entry once, then look rows up by code.
            let perCode = (0..<values.count).map { Value.compare(.string(values[$0]), value).map(test) ?? false }
            for i in 0..<n { bits[i] = perCode[Int(codes[i])] }
        default:
            for i in 0..<n { bits[i] = Value.compare(column.value(at: i), value).map(test) ?? false }
        }
        if let validity = column.validity {
            for i in 0..<n where !validity[i] { bits[i] = false }
        }
        return Bitmap(bits)
    }

    /// Parses `column OP literal` or `column IS [NOT] NULL`, typing the literal by the column:
    /// `id4 = 7`, `v3 >= 2.5`, `id1 = 'id042'`, `day < 2024-03-01`.
    public static func parse(_ text: String, schema: Schema) throws(BatonError) -> ColumnPredicate {
        let trimmed = text.trimmingWhitespace()
        let upper = trimmed.uppercased()
        for (suffix, op) in [(" IS NOT NULL", Op.isNotNull), (" IS NULL", Op.isNull)] where upper.hasSuffix(suffix) {
            let name = String(trimmed.dropLast(suffix.count)).trimmingWhitespace()
            _ = try field(name, schema, text)
            return ColumnPredicate(name, op)
        }
        // The operator is the first run of comparison characters, so a literal may contain them.
        if let start = trimmed.firstIndex(where: { "=!<>".contains($0) }) {
            let end = trimmed[start...].firstIndex(where: { !"=!<>".contains($0) }) ?? trimmed.endIndex
            let symbol = trimmed[start..<end] == "==" ? "=" : (trimmed[start..<end] == "<>" ? "!=" : String(trimmed[start..<end]))
            if let op = Op(rawValue: symbol) {
                let name = String(trimmed[..<start]).trimmingWhitespace()
                let literal = String(trimmed[end...]).trimmingWhitespace()
                let field = try field(name, schema, text)
                return ColumnPredicate(name, op, try parseLiteral(literal, as: field.type, in: text))
            }
        }
        throw BatonError(.invalidInput, "cannot read the condition", at: .init(text: text),
                         hint: "write COLUMN OP VALUE with OP one of = != < <= > >=, or COLUMN IS [NOT] NULL")
    }

    private static func field(_ name: String, _ schema: Schema, _ text: String) throws(BatonError) -> Field {
        guard let index = schema.index(of: name) else {
            throw BatonError(.invalidInput, "no column named \"\(name)\" in the condition", at: .init(text: text),
                             hint: "the columns are: \(schema.names.joined(separator: ", "))")
        }
        return schema.fields[index]
    }

    private static func parseLiteral(_ literal: String, as type: DataType, in text: String) throws(BatonError) -> Value {
        var raw = Substring(literal)
        if raw.count >= 2, raw.first == "'", raw.last == "'" { raw = raw.dropFirst().dropLast() }
        let value: Value?
        switch type {
        case .int64: value = Int64(raw).map(Value.int64) ?? Double(raw).map(Value.float64)
        case .float64: value = Double(raw).map(Value.float64)
        case .bool: value = ["true": true, "false": false][raw.lowercased()].map(Value.bool)
        case .string: value = .string(String(raw))
        case .date: value = Temporal.parseDate(raw).map(Value.date)
        case .timestamp: value = Temporal.parseTimestamp(raw).map(Value.timestamp)
        }
        guard let value else {
            throw BatonError(.invalidInput, "expected a \(type) value", at: .init(text: literal),
                             hint: "the condition was: \(text)")
        }
        return value
    }
}

extension String {
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
