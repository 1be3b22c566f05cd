import Columns

/// SQL text to a syntax tree (DuckDB / PostgreSQL flavour). Checks syntax only: names,
/// functions and types of values are the binder's business.
public enum Parser {
    /// Parses one query (a trailing `;` allowed). Throws BatonError(.invalidInput, …) on bad syntax.
    public static func parse(_ text: String) throws(BatonError) -> Query {
        var parser = try SyntaxParser(QueryText(text))
        let query = try parser.parseQuery()
        _ = parser.accept(symbol: ";")
        try parser.expectEnd()
        return query
    }

    /// Parses a lone expression (for filters given on the command line elsewhere).
    public static func parseExpression(_ text: String) throws(BatonError) -> Expression {
        var parser = try SyntaxParser(QueryText(text))
        let expression = try parser.parseExpression()
        try parser.expectEnd()
        return expression
    }
}
