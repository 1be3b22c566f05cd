import Columns

/// Queries: WITH, set operations, SELECT and its clauses, ORDER BY, LIMIT and OFFSET.
extension SyntaxParser {
    /// `[WITH cte, …] body [ORDER BY item, …] [LIMIT expr] [OFFSET expr]`.
    mutating func parseQuery() throws(BatonError) -> Query {
        try enter()
        defer { leave() }
        let start = current.range.start
        var with: [CommonTableExpression] = []
        if accept("WITH") != nil {
            if let recursive = accept("RECURSIVE") {
                throw error("WITH RECURSIVE is not supported", at: recursive.range)
            }
            repeat {
                with.append(try parseCommonTableExpression())
            } while accept(symbol: ",") != nil
        }
        let body = try parseSetExpression()
        var query = Query(with: with, body: body, range: range(from: start))
        if accept("ORDER") != nil {
            try expect("BY", " after ORDER")
            query.orderBy = try parseOrderItems()
        }
        try parseLimitAndOffset(into: &query)
        query.range = range(from: start)
        return query
    }

    /// `name [(column, …)] AS (query)`.
    private mutating func parseCommonTableExpression() throws(BatonError) -> CommonTableExpression {
        let start = current.range.start
        let name = try name("a name for the WITH query").name
        var columnNames: [String]?
        if at(symbol: "(") { columnNames = try parenthesisedNames("a column name") }
        try expect("AS", " after the name of the WITH query")
        let open = try expect(symbol: "(", " before the WITH query")
        let query = try parseQuery()
        try expectClosing(open)
        return CommonTableExpression(name: name, columnNames: columnNames, query: query, range: range(from: start))
    }

    /// Operands joined by `UNION [ALL | DISTINCT]`, left-associative.
    private mutating func parseSetExpression() throws(BatonError) -> SetExpression {
        let start = current.range.start
        var left = try parseSetOperand()
        while accept("UNION") != nil {
            let all = accept("ALL") != nil
            if !all { _ = accept("DISTINCT") }
            let right = try parseSetOperand()
            left = .union(left, right, all: all, range: range(from: start))
        }
        if at("EXCEPT") || at("INTERSECT") {
            throw error("\(current.keyword!) is not supported", at: current.range,
                        hint: "use an ANTI JOIN (for EXCEPT) or a SEMI JOIN (for INTERSECT)")
        }
        return left
    }

    /// A SELECT, or a whole query in parentheses.
    private mutating func parseSetOperand() throws(BatonError) -> SetExpression {
        if let open = accept(symbol: "(") {
            let query = try parseQuery()
            try expectClosing(open)
            return .query(query)
        }
        guard at("SELECT") else {
            if at("VALUES") { throw error("VALUES is not supported", at: current.range) }
            throw unexpected("SELECT")
        }
        return .select(try parseSelect())
    }

    /// `SELECT [DISTINCT | ALL] item, … [FROM …] [WHERE …] [GROUP BY …] [HAVING …]`.
    private mutating func parseSelect() throws(BatonError) -> Select {
        let start = try expect("SELECT").range.start
        var distinct = false
        if accept("DISTINCT") != nil {
            distinct = true
            if at("ON") { throw error("DISTINCT ON is not supported", at: current.range) }
        } else {
            _ = accept("ALL")
        }
        var items: [SelectItem] = []
        repeat {
            items.append(try parseSelectItem())
        } while accept(symbol: ",") != nil
        var select = Select(distinct: distinct, items: items, range: range(from: start))

        if accept("FROM") != nil { select.from = try parseTableReference() }
        if accept("WHERE") != nil { select.filter = try parseExpression() }
        if accept("GROUP") != nil {
            try expect("BY", " after GROUP")
            if accept("ALL") != nil {
                select.groupByAll = true
            } else {
                select.groupBy = try parseExpressionList()
            }
        }
        if accept("HAVING") != nil { select.having = try parseExpression() }
        for unsupported in ["WINDOW", "QUALIFY"] where at(unsupported) {
            throw error("\(unsupported) is not supported", at: current.range)
        }
        select.range = range(from: start)
        return select
    }

    /// `*`, `* EXCLUDE (a, b)`, `t.*`, or `expr [[AS] alias]`.
    private mutating func parseSelectItem() throws(BatonError) -> SelectItem {
        let start = current.range.start
        var qualifier: String?
        if atName, peek().kind == .symbol, peek().text == ".", peek(2).kind == .symbol, peek(2).text == "*" {
            qualifier = advance().text
            advance()
        }
        if qualifier != nil || at(symbol: "*") {
            try expect(symbol: "*")
            var exclude: [String] = []
            if accept("EXCLUDE") != nil {
                exclude = at(symbol: "(") ? try parenthesisedNames("a column name") : [try name("a column name").name]
            }
            return .wildcard(qualifier: qualifier, exclude: exclude, range: range(from: start))
        }
        let expression = try parseExpression()
        return .expression(expression, alias: try alias())
    }

    /// `expr [ASC | DESC] [NULLS FIRST | NULLS LAST], …`.
    mutating func parseOrderItems() throws(BatonError) -> [OrderItem] {
        var items: [OrderItem] = []
        repeat {
            var item = OrderItem(expression: try parseExpression())
            if accept("DESC") != nil {
                item.descending = true
            } else {
                _ = accept("ASC")
            }
            if accept("NULLS") != nil {
                if accept("FIRST") != nil {
                    item.nullsFirst = true
                } else if accept("LAST") != nil {
                    item.nullsFirst = false
                } else {
                    throw unexpected("FIRST or LAST after NULLS")
                }
            }
            items.append(item)
        } while accept(symbol: ",") != nil
        return items
    }

    /// `LIMIT n` and `OFFSET m [ROW | ROWS]`, in either order, each at most once.
    private mutating func parseLimitAndOffset(into query: inout Query) throws(BatonError) {
        while true {
            if let limit = accept("LIMIT") {
                if query.limit != nil { throw error("LIMIT is given twice", at: limit.range) }
                query.limit = try parseExpression()
            } else if let offset = accept("OFFSET") {
                if query.offset != nil { throw error("OFFSET is given twice", at: offset.range) }
                query.offset = try parseExpression()
                if accept("ROWS") == nil { _ = accept("ROW") }
            } else {
                return
            }
        }
    }

    /// `expr, …`.
    mutating func parseExpressionList() throws(BatonError) -> [Expression] {
        var expressions: [Expression] = []
        repeat {
            expressions.append(try parseExpression())
        } while accept(symbol: ",") != nil
        return expressions
    }
}
