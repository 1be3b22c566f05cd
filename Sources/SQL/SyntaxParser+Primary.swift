import Columns

/// The tightest-binding expressions: literals, column references, function calls, CASE,
/// CAST and parentheses.
extension SyntaxParser {
    mutating func parsePrimary() throws(BatonError) -> Expression {
        let token = current
        switch token.kind {
        case .integer, .float:
            return try parseNumber(negative: false, start: token.range.start)
        case .string:
            advance()
            return Expression(.literal(.string(token.text)), token.range)
        case .quotedIdentifier:
            return try parseColumn()
        case .symbol where token.text == "(":
            return try parseParenthesised()
        case .word:
            return try parseWord()
        default:
            throw unexpected("an expression")
        }
    }

    /// A primary that starts with a word: a keyword literal, a special form, a function call
    /// or a column.
    private mutating func parseWord() throws(BatonError) -> Expression {
        let token = current
        let next = peek()
        let callFollows = next.kind == .symbol && next.text == "("
        switch token.keyword {
        case "NULL":
            advance()
            return Expression(.literal(.null), token.range)
        case "TRUE", "FALSE":
            advance()
            return Expression(.literal(.bool(token.keyword == "TRUE")), token.range)
        case "CASE":
            return try parseCase()
        case "CAST", "TRY_CAST":
            return try parseCast()
        case "DATE" where next.kind == .string:
            advance()
            advance()
            return Expression(.literal(.date(next.text)), range(from: token.range.start))
        case "TIMESTAMP" where next.kind == .string:
            advance()
            advance()
            return Expression(.literal(.timestamp(next.text)), range(from: token.range.start))
        case "INTERVAL" where startsInterval:
            return try parseInterval()
        case "EXISTS" where callFollows:
            throw error("EXISTS (subquery) is not supported", at: token.range, hint: "write a SEMI JOIN")
        // LEFT and RIGHT are reserved for joins but also name string functions.
        case "LEFT" where callFollows, "RIGHT" where callFollows:
            return try parseFunctionCall()
        default:
            if token.isReserved { throw unexpected("an expression") }
            if callFollows { return try parseFunctionCall() }
            return try parseColumn()
        }
    }

    /// After INTERVAL: `'3'`, `3`, or `-3 DAYS` (the unit needed to tell it from a column named
    /// interval minus 3).
    private var startsInterval: Bool {
        let next = peek()
        if next.kind == .string || next.kind == .integer { return true }
        guard next.kind == .symbol, next.text == "-", peek(2).kind == .integer else { return false }
        return peek(3).kind == .word && Self.intervalUnit(named: peek(3).text) != nil
    }

    /// An integer or float literal, negated when a `-` came right before it.
    mutating func parseNumber(negative: Bool, start: Int) throws(BatonError) -> Expression {
        let token = advance()
        let written = (negative ? "-" : "") + token.text
        let range = SourceRange(start, token.range.end)
        if token.kind == .float {
            guard let value = Double(token.text), value.isFinite else {
                throw error("float literal \(written) is out of range", at: range)
            }
            return Expression(.literal(.float(negative ? -value : value)), range)
        }
        // The magnitude of Int64.min is one more than Int64.max, so parse it unsigned first.
        let magnitude = UInt64(token.text)
        let limit = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        guard let magnitude, magnitude <= limit else {
            throw error("integer literal \(written) does not fit in 64 bits", at: range,
                        hint: "write it as \(written).0 for a float")
        }
        let value = negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude)
        return Expression(.literal(.integer(value)), range)
    }

    /// `name` or `qualifier.name`, either part possibly quoted.
    private mutating func parseColumn() throws(BatonError) -> Expression {
        let start = current.range.start
        let first = try name("a column name")
        guard accept(symbol: ".") != nil else {
            return Expression(.column(qualifier: nil, name: first.name, quoted: first.quoted), first.range)
        }
        let second = try name("a column name after \"\(source.slice(first.range)).\"")
        return Expression(.column(qualifier: first.name, name: second.name, quoted: second.quoted), range(from: start))
    }

    /// `(expr)`. The range takes in the parentheses, so that an operator's range, the union of
    /// its operands', covers `(a + b) * c` whole.
    private mutating func parseParenthesised() throws(BatonError) -> Expression {
        let open = advance()
        if at("SELECT") || at("WITH") {
            throw error("subqueries in expressions are not supported", at: current.range,
                        hint: "join with the subquery in FROM instead")
        }
        var expression = try parseExpression()
        try expectClosing(open)
        expression.range = range(from: open.range.start)
        return expression
    }

    /// `name([DISTINCT | ALL] argument, …)`, `name(*)`, then `OVER (…)` for a window function.
    /// EXTRACT and SUBSTRING also take their standard keyword forms.
    private mutating func parseFunctionCall() throws(BatonError) -> Expression {
        let start = current.range.start
        let name = advance().text.lowercased()
        let open = advance()
        var call = FunctionCall(name: name, arguments: [])
        if name == "extract" {
            call = try parseExtractArguments()
        } else if at(symbol: "*"), peek().kind == .symbol, peek().text == ")" {
            advance()
            call.star = true
        } else if !at(symbol: ")") {
            if accept("DISTINCT") != nil {
                call.distinct = true
            } else {
                _ = accept("ALL")
            }
            call.arguments = try parseExpressionList()
            if name == "substring" || name == "substr", call.arguments.count == 1 {
                call.arguments += try parseSubstringBounds()
            }
        }
        try expectClosing(open)
        if at("FILTER"), peek().kind == .symbol, peek().text == "(" {
            throw error("FILTER (WHERE …) is not supported", at: current.range,
                        hint: "move the condition into the argument with CASE WHEN … THEN x END")
        }
        if accept("OVER") != nil { call.over = try parseWindowSpecification() }
        return Expression(.function(call), range(from: start))
    }

    /// `EXTRACT(field FROM x)`, read as DuckDB does: `date_part('field', x)`.
    private mutating func parseExtractArguments() throws(BatonError) -> FunctionCall {
        let field = current
        guard field.kind == .word || field.kind == .string else { throw unexpected("a date part such as YEAR") }
        advance()
        try expect("FROM", " in EXTRACT")
        let part = Expression(.literal(.string(field.text.lowercased())), field.range)
        return FunctionCall(name: "date_part", arguments: [part, try parseExpression()])
    }

    /// `[FROM start] [FOR length]` after SUBSTRING's first argument, as further arguments.
    private mutating func parseSubstringBounds() throws(BatonError) -> [Expression] {
        var bounds: [Expression] = []
        if accept("FROM") != nil {
            bounds.append(try parseExpression())
        }
        if let forToken = accept("FOR") {
            if bounds.isEmpty { bounds.append(Expression(.literal(.integer(1)), forToken.range)) }
            bounds.append(try parseExpression())
        }
        return bounds
    }

    /// `CASE [operand] WHEN … THEN … [WHEN …] [ELSE …] END`.
    private mutating func parseCase() throws(BatonError) -> Expression {
        let caseToken = advance()
        var operand: Expression?
        if !at("WHEN") { operand = try parseExpression() }
        var branches: [WhenClause] = []
        while accept("WHEN") != nil {
            let condition = try parseExpression()
            try expect("THEN", " after the WHEN condition")
            branches.append(WhenClause(condition: condition, result: try parseExpression()))
        }
        if branches.isEmpty { throw unexpected("WHEN") }
        var otherwise: Expression?
        if accept("ELSE") != nil { otherwise = try parseExpression() }
        try expectClosing(caseToken, with: "END")
        return Expression(.caseWhen(operand: operand, branches: branches, otherwise: otherwise),
                          range(from: caseToken.range.start))
    }

    /// `CAST(x AS type)` or `TRY_CAST(x AS type)`.
    private mutating func parseCast() throws(BatonError) -> Expression {
        let keyword = advance()
        let open = try expect(symbol: "(", " after \(keyword.keyword!)")
        let value = try parseExpression()
        try expect("AS", " in \(keyword.keyword!)")
        let type = try parseType()
        try expectClosing(open)
        return Expression(.cast(value, type, try: keyword.keyword == "TRY_CAST"), range(from: keyword.range.start))
    }
}
