import Columns

/// A recursive-descent parser over the token list: one method per grammar rule, in the
/// `SyntaxParser+*.swift` files by concern. This file holds the cursor and the error helpers
/// every rule shares.
///
/// Ranges: a rule notes the start offset of its first token and ends at `lastEnd`, the end of
/// the last token it consumed, so every node covers exactly its own text.
struct SyntaxParser {
    let source: QueryText
    private let tokens: [Token]
    /// The current token's index; copies of the parser compare it to tell which got further.
    private(set) var index = 0
    /// How deeply expressions, subqueries and parenthesised joins nest right now.
    private var depth = 0

    /// Deep enough for any query a person writes; shallow enough that the recursion stays well
    /// inside a worker thread's stack in a debug build.
    static let maximumDepth = 100

    init(_ source: QueryText) throws(BatonError) {
        self.source = source
        self.tokens = try Lexer.tokenize(source)
    }

    // MARK: Cursor

    var current: Token { tokens[index] }

    /// The token `offset` places ahead (the end token past the end).
    func peek(_ offset: Int = 1) -> Token { tokens[min(index + offset, tokens.count - 1)] }

    /// Where the last consumed token ends.
    var lastEnd: Int { index == 0 ? 0 : tokens[index - 1].range.end }

    /// From `start` to the end of the last consumed token.
    func range(from start: Int) -> SourceRange { SourceRange(start, lastEnd) }

    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func at(_ keyword: String) -> Bool { current.keyword == keyword }

    func at(symbol: String) -> Bool { current.kind == .symbol && current.text == symbol }

    mutating func accept(_ keyword: String) -> Token? {
        at(keyword) ? advance() : nil
    }

    mutating func accept(symbol: String) -> Token? {
        at(symbol: symbol) ? advance() : nil
    }

    /// - Parameter context: ends the message, as in `expected BY after "GROUP"`.
    @discardableResult
    mutating func expect(_ keyword: String, _ context: String = "") throws(BatonError) -> Token {
        guard let token = accept(keyword) else { throw unexpected(keyword + context) }
        return token
    }

    @discardableResult
    mutating func expect(symbol: String, _ context: String = "") throws(BatonError) -> Token {
        guard let token = accept(symbol: symbol) else { throw unexpected("\"\(symbol)\"" + context) }
        return token
    }

    /// The `)` (or `END`) matching `opener`; the error points back at the opener, which is
    /// where the mistake usually is when a query ends early.
    @discardableResult
    mutating func expectClosing(_ opener: Token, with closer: String = ")") throws(BatonError) -> Token {
        let matches = closer == ")" ? at(symbol: closer) : at(closer)
        guard matches else {
            let shown = closer == ")" ? "\")\"" : closer
            throw source.error("expected \(shown) to close \"\(source.slice(opener.range))\"",
                               at: opener.range, then: ", found \(describe(current))")
        }
        return advance()
    }

    mutating func expectEnd() throws(BatonError) {
        guard current.kind == .end else { throw unexpected("end of query") }
    }

    // MARK: Nesting

    /// Counts one level of nesting; pair with `leave()` in a `defer`.
    mutating func enter() throws(BatonError) {
        depth += 1
        if depth > Self.maximumDepth {
            throw source.error("the query nests more than \(Self.maximumDepth) levels deep", at: current.range,
                               hint: "split it with WITH")
        }
    }

    mutating func leave() { depth -= 1 }

    // MARK: Names

    /// Whether the current token can be a name: a quoted identifier or an unreserved word.
    var atName: Bool {
        current.kind == .quotedIdentifier || (current.kind == .word && !current.isReserved)
    }

    /// A column, table or alias name.
    /// - Parameter what: what the name is for, for the error: `"a column name"`.
    mutating func name(_ what: String) throws(BatonError) -> (name: String, quoted: Bool, range: SourceRange) {
        guard atName else {
            guard current.isReserved else { throw unexpected(what) }
            throw unexpected(what, hint: "\(current.keyword!) is a reserved word; "
                                 + "write \"\(current.text)\" in double quotes to use it as a name")
        }
        let token = advance()
        return (token.text, token.kind == .quotedIdentifier, token.range)
    }

    /// `(name, …)`, as in `USING (a, b)` and `EXCLUDE (a, b)`.
    mutating func parenthesisedNames(_ what: String) throws(BatonError) -> [String] {
        let open = try expect(symbol: "(")
        var names: [String] = []
        repeat {
            names.append(try name(what).name)
        } while accept(symbol: ",") != nil
        try expectClosing(open)
        return names
    }

    /// `[AS] alias`; without AS only a name that cannot start the next clause.
    mutating func alias() throws(BatonError) -> String? {
        if accept("AS") != nil { return try name("an alias after AS").name }
        return atName ? advance().text : nil
    }

    // MARK: Errors

    /// `expected <what>, found "<token>"`, pointing at the current token.
    func unexpected(_ what: String, hint: String? = nil) -> BatonError {
        source.error("expected \(what), found \(describe(current))", at: current.range, hint: hint)
    }

    /// `"FROM"` as written, or `end of query`.
    func describe(_ token: Token) -> String {
        if token.kind == .end { return "end of query" }
        let text = source.slice(token.range)
        return "\"" + (text.count > 40 ? String(text.prefix(40)) + "…" : text) + "\""
    }

    func error(_ message: String, at range: SourceRange, hint: String? = nil) -> BatonError {
        source.error(message, at: range, hint: hint)
    }
}
