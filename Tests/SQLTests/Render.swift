import Columns
import SQL

/// Renders a syntax tree back to SQL with every operator parenthesised, so a test can state
/// the tree it expects as one exact string: `1 + 2 * 3` renders `(1 + (2 * 3))`.
enum Render {
    static func query(_ query: Query) -> String {
        var parts: [String] = []
        if !query.with.isEmpty {
            parts.append("WITH " + query.with.map(commonTableExpression).joined(separator: ", "))
        }
        parts.append(setExpression(query.body))
        if !query.orderBy.isEmpty { parts.append("ORDER BY " + query.orderBy.map(orderItem).joined(separator: ", ")) }
        if let limit = query.limit { parts.append("LIMIT " + expression(limit)) }
        if let offset = query.offset { parts.append("OFFSET " + expression(offset)) }
        return parts.joined(separator: " ")
    }

    static func commonTableExpression(_ cte: CommonTableExpression) -> String {
        let columns = cte.columnNames.map { "(" + $0.joined(separator: ", ") + ")" } ?? ""
        return "\(cte.name)\(columns) AS (\(query(cte.query)))"
    }

    static func setExpression(_ body: SetExpression) -> String {
        switch body {
        case .select(let select): return self.select(select)
        case .query(let query): return "(" + self.query(query) + ")"
        case .union(let left, let right, let all, _):
            return "(\(setExpression(left)) UNION\(all ? " ALL" : "") \(setExpression(right)))"
        }
    }

    static func select(_ select: Select) -> String {
        var text = "SELECT " + (select.distinct ? "DISTINCT " : "") + select.items.map(selectItem).joined(separator: ", ")
        if let from = select.from { text += " FROM " + table(from) }
        if let filter = select.filter { text += " WHERE " + expression(filter) }
        if select.groupByAll { text += " GROUP BY ALL" }
        if !select.groupBy.isEmpty { text += " GROUP BY " + list(select.groupBy) }
        if let having = select.having { text += " HAVING " + expression(having) }
        return text
    }

    static func selectItem(_ item: SelectItem) -> String {
        switch item {
        case .wildcard(let qualifier, let exclude, _):
            let star = qualifier.map { $0 + ".*" } ?? "*"
            return exclude.isEmpty ? star : star + " EXCLUDE (" + exclude.joined(separator: ", ") + ")"
        case .expression(let expression, let alias):
            return self.expression(expression) + (alias.map { " AS " + $0 } ?? "")
        }
    }

    static func table(_ table: TableReference) -> String {
        func aliased(_ text: String, _ alias: String?) -> String { text + (alias.map { " AS " + $0 } ?? "") }
        switch table {
        case .file(let path, let alias, _): return aliased(string(path), alias)
        case .function(let name, let arguments, let named, let alias, _):
            let all = arguments.map(expression) + named.map { "\($0.name) => \(expression($0.value))" }
            return aliased(name + "(" + all.joined(separator: ", ") + ")", alias)
        case .named(let name, let alias, _): return aliased(name, alias)
        case .subquery(let query, let alias, _): return aliased("(" + self.query(query) + ")", alias)
        case .join(let join):
            var text = "(\(self.table(join.left)) \(join.kind.rawValue.uppercased()) JOIN \(self.table(join.right))"
            switch join.condition {
            case .on(let condition): text += " ON " + expression(condition)
            case .using(let columns): text += " USING (" + columns.joined(separator: ", ") + ")"
            case .none: break
            }
            return text + ")"
        }
    }

    static func orderItem(_ item: OrderItem) -> String {
        var text = expression(item.expression) + (item.descending ? " DESC" : "")
        if let first = item.nullsFirst { text += first ? " NULLS FIRST" : " NULLS LAST" }
        return text
    }

    static func expression(_ expression: Expression) -> String {
        switch expression.kind {
        case .literal(let literal): return self.literal(literal)
        case .column(let qualifier, let name, let quoted):
            let shown = quoted ? "\"\(name)\"" : name
            return qualifier.map { "\($0).\(shown)" } ?? shown
        case .unary(let op, let operand):
            return op == .not ? "(NOT \(self.expression(operand)))" : "(\(op.rawValue)\(self.expression(operand)))"
        case .binary(let op, let left, let right):
            return "(\(self.expression(left)) \(op.rawValue) \(self.expression(right)))"
        case .isNull(let operand, let negated):
            return "(\(self.expression(operand)) IS \(negated ? "NOT " : "")NULL)"
        case .inList(let operand, let values, let negated):
            return "(\(self.expression(operand)) \(negated ? "NOT " : "")IN (\(list(values))))"
        case .between(let operand, let low, let high, let negated):
            return "(\(self.expression(operand)) \(negated ? "NOT " : "")BETWEEN \(self.expression(low)) AND \(self.expression(high)))"
        case .like(let operand, let pattern, let negated, let caseInsensitive, let escape):
            let op = (negated ? "NOT " : "") + (caseInsensitive ? "ILIKE" : "LIKE")
            let escaped = escape.map { " ESCAPE " + self.expression($0) } ?? ""
            return "(\(self.expression(operand)) \(op) \(self.expression(pattern))\(escaped))"
        case .caseWhen(let operand, let branches, let otherwise):
            var text = "CASE" + (operand.map { " " + self.expression($0) } ?? "")
            for branch in branches {
                text += " WHEN \(self.expression(branch.condition)) THEN \(self.expression(branch.result))"
            }
            return text + (otherwise.map { " ELSE " + self.expression($0) } ?? "") + " END"
        case .cast(let operand, let type, let isTry):
            return "\(isTry ? "TRY_CAST" : "CAST")(\(self.expression(operand)) AS \(type))"
        case .function(let call):
            return function(call)
        }
    }

    static func function(_ call: FunctionCall) -> String {
        let arguments = call.star ? "*" : (call.distinct ? "DISTINCT " : "") + list(call.arguments)
        var text = "\(call.name)(\(arguments))"
        if let window = call.over {
            var parts: [String] = []
            if !window.partitionBy.isEmpty { parts.append("PARTITION BY " + list(window.partitionBy)) }
            if !window.orderBy.isEmpty { parts.append("ORDER BY " + window.orderBy.map(orderItem).joined(separator: ", ")) }
            if let frame = window.frame {
                parts.append("\(frame.units.rawValue.uppercased()) BETWEEN \(bound(frame.start)) AND \(bound(frame.end))")
            }
            text += " OVER (" + parts.joined(separator: " ") + ")"
        }
        return text
    }

    static func bound(_ bound: WindowFrame.Bound) -> String {
        switch bound {
        case .unboundedPreceding: "UNBOUNDED PRECEDING"
        case .preceding(let rows): "\(rows) PRECEDING"
        case .currentRow: "CURRENT ROW"
        case .following(let rows): "\(rows) FOLLOWING"
        case .unboundedFollowing: "UNBOUNDED FOLLOWING"
        }
    }

    static func literal(_ literal: Literal) -> String {
        switch literal {
        case .null: "NULL"
        case .integer(let value): "\(value)"
        case .float(let value): "\(value)"
        case .string(let value): string(value)
        case .bool(let value): value ? "TRUE" : "FALSE"
        case .date(let text): "DATE " + string(text)
        case .timestamp(let text): "TIMESTAMP " + string(text)
        case .interval(let amount, let unit): "INTERVAL \(amount) \(unit.rawValue)"
        }
    }

    static func string(_ value: String) -> String {
        "'" + value.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'"
    }

    static func list(_ expressions: [Expression]) -> String {
        expressions.map(expression).joined(separator: ", ")
    }
}

/// A parsed expression, rendered.
func expr(_ text: String) throws -> String {
    Render.expression(try Parser.parseExpression(text))
}

/// A parsed query, rendered.
func sql(_ text: String) throws -> String {
    Render.query(try Parser.parse(text))
}

/// The error a query fails with, or nil if it parses.
func queryError(_ text: String) -> BatonError? {
    do {
        _ = try Parser.parse(text)
        return nil
    } catch {
        return error
    }
}

/// The error an expression fails with, or nil if it parses.
func expressionError(_ text: String) -> BatonError? {
    do {
        _ = try Parser.parseExpression(text)
        return nil
    } catch {
        return error
    }
}
