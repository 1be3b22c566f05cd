/// One lexical token of the query text.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        /// An unquoted identifier or keyword; which one is decided by the parser, by context.
        case word
        /// `"Name"`, with `""` unescaped.
        case quotedIdentifier
        /// `'text'`, with `''` unescaped.
        case string
        /// Digits only; converted by the parser so that overflow is reported with a hint.
        case integer
        /// A number with a `.` or an exponent.
        case float
        /// An operator or punctuation: `(`, `,`, `<=`, `::`, `=>`, …
        case symbol
        /// After the last token; its range is empty, right after the last token.
        case end
    }

    var kind: Kind
    /// Words as written, identifiers and strings unescaped, numbers' digits, symbols' characters.
    var text: String
    var range: SourceRange
    /// The uppercased text of a word, for keyword comparisons; nil for every other kind.
    var keyword: String?

    init(_ kind: Kind, _ text: String, _ range: SourceRange) {
        self.kind = kind
        self.text = text
        self.range = range
        self.keyword = kind == .word ? text.uppercased() : nil
    }

    /// Whether this is an unquoted word that cannot name a column, table or alias.
    var isReserved: Bool { keyword.map(Token.reservedWords.contains) ?? false }

    /// Words that start or separate clauses, so an unquoted one can never be an alias or a
    /// name: without this `SELECT a FROM t WHERE …` would read `WHERE` as the alias of `t`.
    /// Words that only matter in one spot (`DATE`, `NULLS`, `ROWS`, `DAY`, …) stay usable as
    /// names, as in PostgreSQL and DuckDB; `"quoting"` makes any word a name.
    static let reservedWords: Set<String> = [
        "ALL", "AND", "ANTI", "AS", "ASC", "BETWEEN", "BY", "CASE", "CAST", "CROSS", "DESC", "DISTINCT",
        "ELSE", "END", "EXCEPT", "FALSE", "FETCH", "FROM", "FULL", "GROUP", "HAVING", "ILIKE", "IN",
        "INNER", "INTERSECT", "IS", "JOIN", "LATERAL", "LEFT", "LIKE", "LIMIT", "NATURAL", "NOT", "NULL",
        "OFFSET", "ON", "OR", "ORDER", "OUTER", "OVER", "QUALIFY", "RIGHT", "SELECT", "SEMI", "THEN",
        "TRUE", "TRY_CAST", "UNION", "USING", "WHEN", "WHERE", "WINDOW", "WITH",
    ]
}
