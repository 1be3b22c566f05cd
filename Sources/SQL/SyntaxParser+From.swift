import Columns

/// FROM: files, table functions, WITH names, subqueries, and the joins between them.
extension SyntaxParser {
    /// FROM items joined by `,` or `… JOIN`, left to right: `a JOIN b ON … JOIN c ON …` is
    /// `(a JOIN b) JOIN c`, and a comma joins as tightly as JOIN does.
    mutating func parseTableReference() throws(BatonError) -> TableReference {
        let start = current.range.start
        var left = try parseTablePrimary()
        while true {
            if accept(symbol: ",") != nil {
                let right = try parseTablePrimary()
                left = .join(Join(kind: .cross, left: left, right: right, condition: .none, range: range(from: start)))
                continue
            }
            guard let kind = try parseJoinKind() else { return left }
            let right = try parseTablePrimary()
            let condition = try parseJoinCondition(kind: kind)
            left = .join(Join(kind: kind, left: left, right: right, condition: condition, range: range(from: start)))
        }
    }

    /// The words before a joined table, up to and including JOIN; nil when no join follows.
    private mutating func parseJoinKind() throws(BatonError) -> JoinKind? {
        let kind: JoinKind
        switch current.keyword {
        case "JOIN":
            advance()
            return .inner
        case "INNER": kind = .inner
        case "CROSS": kind = .cross
        case "SEMI": kind = .semi
        case "ANTI": kind = .anti
        case "FULL": kind = .full
        case "RIGHT": kind = .right
        case "LEFT": kind = .left
        case "NATURAL": throw error("NATURAL JOIN is not supported", at: current.range, hint: "write USING (columns)")
        default: return nil
        }
        let first = advance()
        var resolved = kind
        if kind == .left, let semiOrAnti = accept("SEMI") ?? accept("ANTI") {
            resolved = semiOrAnti.keyword == "SEMI" ? .semi : .anti  // DuckDB spells these LEFT SEMI / LEFT ANTI too.
        } else if [.left, .right, .full].contains(kind) {
            _ = accept("OUTER")
        }
        try expect("JOIN", " after \(first.keyword!)")
        return resolved
    }

    /// `ON expr` or `USING (a, …)`; CROSS JOIN takes neither, every other join needs one.
    private mutating func parseJoinCondition(kind: JoinKind) throws(BatonError) -> JoinCondition {
        if kind == .cross {
            if at("ON") || at("USING") {
                throw error("CROSS JOIN takes no \(current.keyword!) condition", at: current.range,
                            hint: "write INNER JOIN to join on a condition")
            }
            return .none
        }
        if accept("ON") != nil { return .on(try parseExpression()) }
        if accept("USING") != nil { return .using(try parenthesisedNames("a column name")) }
        throw unexpected("ON or USING after the joined table")
    }

    /// One FROM item with its alias, or a parenthesised join.
    private mutating func parseTablePrimary() throws(BatonError) -> TableReference {
        let start = current.range.start
        switch current.kind {
        case .string:
            let path = advance().text
            return .file(path: path, alias: try alias(), range: range(from: start))
        case .symbol where current.text == "(":
            return try parseParenthesisedTable()
        case .word where peek().kind == .symbol && peek().text == "(" && !current.isReserved:
            return try parseTableFunction()
        default:
            if at("LATERAL") { throw error("LATERAL is not supported", at: current.range) }
            guard atName else { throw unexpected("a table: a quoted file path, a name or \"(\"") }
            let name = advance().text
            return .named(name: name, alias: try alias(), range: range(from: start))
        }
    }

    /// `name(argument, …, name => value, …) [[AS] alias]`.
    private mutating func parseTableFunction() throws(BatonError) -> TableReference {
        let start = current.range.start
        let name = advance().text.lowercased()
        let open = advance()
        var arguments: [Expression] = []
        var named: [NamedArgument] = []
        if !at(symbol: ")") {
            repeat {
                if atName, peek().kind == .symbol, peek().text == "=>" {
                    let argumentStart = current.range.start
                    let argumentName = advance().text
                    advance()
                    let value = try parseExpression()
                    named.append(NamedArgument(name: argumentName, value: value, range: range(from: argumentStart)))
                } else {
                    arguments.append(try parseExpression())
                }
            } while accept(symbol: ",") != nil
        }
        try expectClosing(open)
        return .function(name: name, arguments: arguments, named: named, alias: try alias(), range: range(from: start))
    }

    /// `(query) [[AS] alias]` or `(join)`.
    ///
    /// `((SELECT …) x JOIN y …)` and `((SELECT …) UNION …)` look alike until well after the
    /// second parenthesis, so when a SELECT hides behind more than one `(`, both readings are
    /// tried and the error of the one that got further is reported.
    private mutating func parseParenthesisedTable() throws(BatonError) -> TableReference {
        var lookahead = 1
        while peek(lookahead).kind == .symbol && peek(lookahead).text == "(" { lookahead += 1 }
        let startsQuery = peek(lookahead).keyword == "SELECT" || peek(lookahead).keyword == "WITH"
        if startsQuery && lookahead == 1 { return try parseSubquery() }
        guard startsQuery else { return try parseParenthesisedJoin() }

        var asQuery = self
        let queryError: BatonError
        do {
            let table = try asQuery.parseSubquery()
            self = asQuery
            return table
        } catch {
            queryError = error
        }
        var asJoin = self
        do {
            let table = try asJoin.parseParenthesisedJoin()
            self = asJoin
            return table
        } catch {
            throw asJoin.index > asQuery.index ? error : queryError
        }
    }

    private mutating func parseSubquery() throws(BatonError) -> TableReference {
        let start = current.range.start
        let open = advance()
        let query = try parseQuery()
        try expectClosing(open)
        return .subquery(query, alias: try alias(), range: range(from: start))
    }

    private mutating func parseParenthesisedJoin() throws(BatonError) -> TableReference {
        try enter()
        defer { leave() }
        let open = advance()
        let table = try parseTableReference()
        try expectClosing(open)
        return table
    }
}
