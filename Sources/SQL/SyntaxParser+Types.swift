import Columns

/// Type names (after `::` and `CAST … AS`) and interval literals.
extension SyntaxParser {
    /// A type name, with a `(precision, scale)` or `(length)` that is read and ignored, since
    /// Baton has one integer, one float and one string type.
    mutating func parseType() throws(BatonError) -> DataType {
        guard current.kind == .word || current.kind == .quotedIdentifier else { throw unexpected("a type name") }
        let start = current.range.start
        var name = advance().text.lowercased()
        if name == "double", accept("PRECISION") != nil { name = "double precision" }
        let nameRange = range(from: start)
        if let open = accept(symbol: "(") {
            repeat {
                guard current.kind == .integer else { throw unexpected("a number in the type's parentheses") }
                advance()
            } while accept(symbol: ",") != nil
            try expectClosing(open)
        }
        guard let type = Self.dataType(named: name) else {
            throw error("unknown type \"\(source.slice(nameRange))\"", at: nameRange, hint: Self.typeHint)
        }
        return type
    }

    /// `DataType(name:)` plus the SQL spellings that map onto Baton's types: DECIMAL and REAL
    /// become Float64 (no exact decimal type yet), the narrow integers Int64.
    static func dataType(named name: String) -> DataType? {
        if let type = DataType(name: name) { return type }
        switch name {
        case "decimal", "numeric", "real", "double precision", "float4", "float8": return .float64
        case "smallint", "tinyint", "int2", "int4", "int8": return .int64
        case "char", "bpchar": return .string
        default: return nil
        }
    }

    static let typeHint = "the types are BIGINT (also INT, INTEGER, SMALLINT, TINYINT), DOUBLE (also FLOAT, REAL, "
        + "DECIMAL, NUMERIC), VARCHAR (also TEXT, STRING), BOOLEAN, DATE and TIMESTAMP"

    /// `INTERVAL '3' DAY`, `INTERVAL 3 DAYS`, `INTERVAL '3 days'`, `INTERVAL -3 DAY`.
    mutating func parseInterval() throws(BatonError) -> Expression {
        let start = advance().range.start
        var amount: Int64
        var unit: IntervalUnit?
        if current.kind == .string {
            let token = advance()
            let parts = token.text.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard (1...2).contains(parts.count), let value = Int64(parts[0]) else {
                throw error("invalid interval '\(token.text)'", at: token.range,
                            hint: "write a whole number and a unit, as in INTERVAL '3' DAY or INTERVAL '3 days'")
            }
            amount = value
            if parts.count == 2 {
                guard let named = Self.intervalUnit(named: String(parts[1])) else {
                    throw error("unknown interval unit \"\(parts[1])\"", at: token.range, hint: Self.unitHint)
                }
                unit = named
            }
        } else {
            let negative = accept(symbol: "-")
            guard current.kind == .integer else { throw unexpected("a whole number after INTERVAL") }
            guard case .literal(.integer(let value)) = try parseNumber(negative: negative != nil,
                                                                       start: negative?.range.start ?? current.range.start).kind
            else { preconditionFailure("an integer token parses to an integer literal") }
            amount = value
        }
        if unit == nil {
            guard current.kind == .word, let named = Self.intervalUnit(named: current.text) else {
                throw source.error("expected an interval unit, found \(describe(current))", at: current.range,
                                   hint: Self.unitHint)
            }
            advance()
            unit = named
        }
        return Expression(.literal(.interval(amount, unit!)), range(from: start))
    }

    /// `day` or `days`, any case.
    static func intervalUnit(named name: String) -> IntervalUnit? {
        let lower = name.lowercased()
        if let unit = IntervalUnit(rawValue: lower) { return unit }
        guard lower.hasSuffix("s") else { return nil }
        return IntervalUnit(rawValue: String(lower.dropLast()))
    }

    static let unitHint = "the units are MICROSECOND, MILLISECOND, SECOND, MINUTE, HOUR, DAY, WEEK, MONTH and YEAR "
        + "(or their plurals)"
}
