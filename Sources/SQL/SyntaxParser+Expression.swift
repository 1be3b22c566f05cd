import Columns

/// Operators, one method per precedence level, loosest first:
///
///   OR → AND → NOT → comparison (`=`, `<`, IS, IN, BETWEEN, LIKE) → `||` → `+ -` → `* / %`
///   → unary `- +` → postfix `::type` → primary
///
/// Binary operators are left-associative: `a - b - c` is `(a - b) - c`.
extension SyntaxParser {
    mutating func parseExpression() throws(BatonError) -> Expression {
        try enter()
        defer { leave() }
        return try parseOr()
    }

    private mutating func parseOr() throws(BatonError) -> Expression {
        var left = try parseAnd()
        while accept("OR") != nil {
            left = Self.binary(.or, left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws(BatonError) -> Expression {
        var left = try parseNot()
        while accept("AND") != nil {
            left = Self.binary(.and, left, try parseNot())
        }
        return left
    }

    /// `NOT NOT x` loops rather than recursing, so only parentheses count toward the depth limit.
    private mutating func parseNot() throws(BatonError) -> Expression {
        var nots: [Token] = []
        while let not = accept("NOT") { nots.append(not) }
        var expression = try parseComparison()
        for not in nots.reversed() {
            expression = Expression(.unary(.not, expression), SourceRange(not.range.start, expression.range.end))
        }
        return expression
    }

    private static let comparisons: [String: BinaryOperator] = [
        "=": .equal, "==": .equal, "<>": .notEqual, "!=": .notEqual,
        "<": .less, "<=": .lessOrEqual, ">": .greater, ">=": .greaterOrEqual,
    ]

    /// Comparisons and the predicates that share their level. Operands are parsed one level
    /// tighter, so `a BETWEEN 1 AND 2` keeps its AND and `a = b || c` compares with the concat.
    private mutating func parseComparison() throws(BatonError) -> Expression {
        var left = try parseConcat()
        while true {
            let start = left.range.start
            if current.kind == .symbol, let op = Self.comparisons[current.text] {
                advance()
                left = Self.binary(op, left, try parseConcat())
                continue
            }
            if accept("IS") != nil {
                left = try parseIsPredicate(left)
                continue
            }
            var negated = false
            if at("NOT"), let next = peek().keyword, ["IN", "BETWEEN", "LIKE", "ILIKE"].contains(next) {
                advance()
                negated = true
            }
            if accept("IN") != nil {
                let list = try parseInList()
                left = Expression(.inList(left, list, negated: negated), range(from: start))
            } else if accept("BETWEEN") != nil {
                let low = try parseConcat()
                try expect("AND", " in BETWEEN")
                let high = try parseConcat()
                left = Expression(.between(left, low: low, high: high, negated: negated), range(from: start))
            } else if let like = accept("LIKE") ?? accept("ILIKE") {
                let pattern = try parseConcat()
                var escape: Expression?
                if accept("ESCAPE") != nil { escape = try parseConcat() }
                left = Expression(.like(left, pattern: pattern, negated: negated, caseInsensitive: like.keyword == "ILIKE",
                                        escape: escape), range(from: start))
            } else {
                return left
            }
        }
    }

    /// After IS: `[NOT] NULL`, `[NOT] DISTINCT FROM x`, or `[NOT] TRUE | FALSE`, the last
    /// written as the DISTINCT FROM it means (`x IS TRUE` never yields null).
    private mutating func parseIsPredicate(_ left: Expression) throws(BatonError) -> Expression {
        let negated = accept("NOT") != nil
        if accept("NULL") != nil {
            return Expression(.isNull(left, negated: negated), range(from: left.range.start))
        }
        if accept("DISTINCT") != nil {
            try expect("FROM", " after IS \(negated ? "NOT " : "")DISTINCT")
            let right = try parseConcat()
            return Self.binary(negated ? .isNotDistinctFrom : .isDistinctFrom, left, right)
        }
        if let truth = accept("TRUE") ?? accept("FALSE") {
            let literal = Expression(.literal(.bool(truth.keyword == "TRUE")), truth.range)
            return Self.binary(negated ? .isDistinctFrom : .isNotDistinctFrom, left, literal)
        }
        throw unexpected("NULL, DISTINCT FROM, TRUE or FALSE after IS\(negated ? " NOT" : "")")
    }

    /// `(expr, …)` after IN.
    private mutating func parseInList() throws(BatonError) -> [Expression] {
        let open = try expect(symbol: "(", " after IN")
        if at("SELECT") || at("WITH") {
            throw error("IN (subquery) is not supported", at: current.range, hint: "write a SEMI JOIN")
        }
        let list = try parseExpressionList()
        try expectClosing(open)
        return list
    }

    private mutating func parseConcat() throws(BatonError) -> Expression {
        var left = try parseAdditive()
        while accept(symbol: "||") != nil {
            left = Self.binary(.concat, left, try parseAdditive())
        }
        return left
    }

    private mutating func parseAdditive() throws(BatonError) -> Expression {
        var left = try parseMultiplicative()
        while true {
            if accept(symbol: "+") != nil {
                left = Self.binary(.add, left, try parseMultiplicative())
            } else if accept(symbol: "-") != nil {
                left = Self.binary(.subtract, left, try parseMultiplicative())
            } else {
                return left
            }
        }
    }

    private mutating func parseMultiplicative() throws(BatonError) -> Expression {
        var left = try parseUnary()
        while true {
            if accept(symbol: "*") != nil {
                left = Self.binary(.multiply, left, try parseUnary())
            } else if accept(symbol: "/") != nil {
                left = Self.binary(.divide, left, try parseUnary())
            } else if accept(symbol: "%") != nil {
                left = Self.binary(.modulo, left, try parseUnary())
            } else {
                return left
            }
        }
    }

    /// Prefix `-` and `+`. A `-` written right before a number folds into a negative literal
    /// (`-5` is `.integer(-5)`), which is how `-9223372036854775808` can be written at all;
    /// not when a cast follows, since `-5::text` casts before it negates.
    private mutating func parseUnary() throws(BatonError) -> Expression {
        var signs: [Token] = []
        while let sign = accept(symbol: "-") ?? accept(symbol: "+") { signs.append(sign) }
        var expression: Expression
        if let last = signs.last, last.text == "-", current.kind == .integer || current.kind == .float,
           !(peek().kind == .symbol && peek().text == "::") {
            signs.removeLast()
            expression = try parseNumber(negative: true, start: last.range.start)
        } else {
            expression = try parsePostfix()
        }
        for sign in signs.reversed() {
            let op: UnaryOperator = sign.text == "-" ? .negate : .plus
            expression = Expression(.unary(op, expression), SourceRange(sign.range.start, expression.range.end))
        }
        return expression
    }

    /// `expr::type`, any number of times.
    private mutating func parsePostfix() throws(BatonError) -> Expression {
        var expression = try parsePrimary()
        while accept(symbol: "::") != nil {
            let type = try parseType()
            expression = Expression(.cast(expression, type, try: false), range(from: expression.range.start))
        }
        return expression
    }

    static func binary(_ op: BinaryOperator, _ left: Expression, _ right: Expression) -> Expression {
        Expression(.binary(op, left, right), left.range.union(right.range))
    }
}
