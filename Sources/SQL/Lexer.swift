import Columns

/// Splits query text into tokens, skipping whitespace and `--` / `/* */` comments.
///
/// Works on UTF-8 bytes: every character that matters to SQL syntax is ASCII, and byte
/// offsets are what `SourceRange` holds. Bytes of non-ASCII characters count as letters, so
/// identifiers may use any script.
struct Lexer {
    private let source: QueryText
    private let bytes: [UInt8]
    private var position = 0

    /// Every token of the text, ending with one `.end` token.
    static func tokenize(_ source: QueryText) throws(BatonError) -> [Token] {
        var lexer = Lexer(source: source)
        var tokens: [Token] = []
        while let token = try lexer.next() { tokens.append(token) }
        let end = tokens.last?.range.end ?? 0
        tokens.append(Token(.end, "", SourceRange(end, end)))
        return tokens
    }

    private init(source: QueryText) {
        self.source = source
        self.bytes = Array(source.text.utf8)
    }

    private mutating func next() throws(BatonError) -> Token? {
        try skipTrivia()
        guard position < bytes.count else { return nil }
        let start = position
        let byte = bytes[position]
        switch byte {
        case UInt8(ascii: "'"):
            return Token(.string, try quoted(by: byte, what: "string literal"), SourceRange(start, position))
        case UInt8(ascii: "\""):
            let name = try quoted(by: byte, what: "quoted identifier")
            if name.isEmpty {
                throw source.error("empty quoted identifier", at: SourceRange(start, position),
                                   hint: "a name needs at least one character between the double quotes")
            }
            return Token(.quotedIdentifier, name, SourceRange(start, position))
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try number()
        case UInt8(ascii: "."):
            if position + 1 < bytes.count, Self.isDigit(bytes[position + 1]) { return try number() }
            position += 1
            return Token(.symbol, ".", SourceRange(start, position))
        default:
            if Self.isIdentifierStart(byte) {
                while position < bytes.count, Self.isIdentifierPart(bytes[position]) { position += 1 }
                return Token(.word, text(start, position), SourceRange(start, position))
            }
            return try symbol()
        }
    }

    private mutating func skipTrivia() throws(BatonError) {
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
                || byte == UInt8(ascii: "\r") || byte == 0x0C {
                position += 1
            } else if byte == UInt8(ascii: "-"), peek(1) == UInt8(ascii: "-") {
                while position < bytes.count, bytes[position] != UInt8(ascii: "\n") { position += 1 }
            } else if byte == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*") {
                try skipBlockComment()
            } else {
                return
            }
        }
    }

    /// Block comments nest, as in PostgreSQL, so that commenting out a part that holds a
    /// comment works.
    private mutating func skipBlockComment() throws(BatonError) {
        let start = position
        var depth = 0
        while position < bytes.count {
            if bytes[position] == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*") {
                depth += 1
                position += 2
            } else if bytes[position] == UInt8(ascii: "*"), peek(1) == UInt8(ascii: "/") {
                depth -= 1
                position += 2
                if depth == 0 { return }
            } else {
                position += 1
            }
        }
        throw source.error("unterminated comment", at: SourceRange(start, start + 2), hint: "close it with */")
    }

    /// The text between `quote`s, a doubled quote standing for one.
    private mutating func quoted(by quote: UInt8, what: String) throws(BatonError) -> String {
        let start = position
        position += 1
        var content: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if byte == quote {
                guard position < bytes.count, bytes[position] == quote else {
                    return String(decoding: content, as: UTF8.self)
                }
                position += 1
            }
            content.append(byte)
        }
        let mark = String(decoding: [quote], as: UTF8.self)
        throw source.error("unterminated \(what)", at: SourceRange(start, bytes.count),
                           hint: "close it with \(mark); write \(mark)\(mark) for a \(mark) inside it")
    }

    /// `12`, `1.5`, `.5`, `1.`, `1e6`, `2.5E-3`. Letters right after a number are an error
    /// rather than an alias (`SELECT 1x`), since that is nearly always a typo.
    private mutating func number() throws(BatonError) -> Token {
        let start = position
        var isFloat = false
        while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isFloat = true
            position += 1
            while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            var exponent = position + 1
            if exponent < bytes.count, bytes[exponent] == UInt8(ascii: "+") || bytes[exponent] == UInt8(ascii: "-") {
                exponent += 1
            }
            if exponent < bytes.count, Self.isDigit(bytes[exponent]) {
                isFloat = true
                position = exponent
                while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
            }
        }
        if position < bytes.count, Self.isIdentifierPart(bytes[position]) {
            var end = position
            while end < bytes.count, Self.isIdentifierPart(bytes[end]) { end += 1 }
            throw source.error("invalid number \"\(text(start, end))\"", at: SourceRange(start, end),
                               hint: "put a space or an operator between a number and a name")
        }
        return Token(isFloat ? .float : .integer, text(start, position), SourceRange(start, position))
    }

    private static let twoCharacterSymbols: Set<String> = ["<=", ">=", "<>", "!=", "==", "||", "::", "=>"]
    private static let oneCharacterSymbols: Set<UInt8> = Set("(),;*+-/%=<>".utf8)

    private mutating func symbol() throws(BatonError) -> Token {
        let start = position
        if position + 1 < bytes.count, Self.twoCharacterSymbols.contains(text(start, start + 2)) {
            position += 2
            return Token(.symbol, text(start, position), SourceRange(start, position))
        }
        if Self.oneCharacterSymbols.contains(bytes[position]) {
            position += 1
            return Token(.symbol, text(start, position), SourceRange(start, position))
        }
        // Always ASCII: bytes of other characters are identifier letters.
        throw source.error("unexpected character \"\(text(start, start + 1))\"", at: SourceRange(start, start + 1))
    }

    private func peek(_ offset: Int) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    private func text(_ start: Int, _ end: Int) -> String {
        String(decoding: bytes[start..<end], as: UTF8.self)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        let lower = byte | 0x20
        return (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_") || byte >= 0x80
    }

    private static func isIdentifierPart(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || isDigit(byte) || byte == UInt8(ascii: "$")
    }
}
