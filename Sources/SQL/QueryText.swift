import Columns

/// The query text, for rendering errors that point into it.
///
/// Ranges are UTF-8 byte offsets (what the lexer walks); people read lines and columns of
/// characters, so the conversion happens here, once, when an error is built.
public struct QueryText: Sendable {
    public let text: String

    public init(_ text: String) {
        self.text = text
    }

    /// 1-based line and column (in characters) of a byte offset.
    ///
    /// An offset past the end is clamped to the end, where "found end of query" points.
    public func position(of offset: Int) -> (line: Int, column: Int) {
        let bytes = Array(text.utf8)
        let offset = max(0, min(offset, bytes.count))
        let lineStart = self.lineStart(before: offset, in: bytes)
        let line = 1 + bytes[..<lineStart].reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        let column = 1 + String(decoding: bytes[lineStart..<offset], as: UTF8.self).count
        return (line, column)
    }

    /// BatonError(.invalidInput) whose message reads
    /// "<message> at line L, column C" followed by "\n  <the query line>\n  <spaces>^^^^"
    /// (carets under the range, at least one, clipped to that line), with the hint given.
    public func error(_ message: String, at range: SourceRange, hint: String? = nil) -> BatonError {
        error(message, at: range, then: "", hint: hint)
    }

    /// As `error(_:at:hint:)`, with `then` placed right after the position, for messages whose
    /// position belongs to a word in the middle of the sentence:
    /// `expected ")" to close "(" at line 1, column 8, found end of query`.
    func error(_ message: String, at range: SourceRange, then: String, hint: String? = nil) -> BatonError {
        let (line, column) = position(of: range.start)
        let text = "\(message) at line \(line), column \(column)\(then)\n" + excerpt(range)
        return BatonError(.invalidInput, text, hint: hint)
    }

    /// The line holding `range.start`, indented by two spaces, and a line of carets under the
    /// part of the range that lies on it.
    func excerpt(_ range: SourceRange) -> String {
        let bytes = Array(text.utf8)
        let start = max(0, min(range.start, bytes.count))
        let lineStart = self.lineStart(before: start, in: bytes)
        var lineEnd = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        if lineEnd > lineStart, bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
        let end = max(start, min(range.end, lineEnd))

        let line = String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self)
        // Tabs stay tabs so that the carets line up under a tab-indented query.
        let prefix = String(decoding: bytes[lineStart..<start], as: UTF8.self)
        let padding = String(prefix.map { (character: Character) -> Character in character == "\t" ? "\t" : " " })
        let width = max(1, String(decoding: bytes[start..<end], as: UTF8.self).count)
        let carets = String(repeating: "^", count: width)
        return "  \(line)\n  \(padding)\(carets)"
    }

    /// The text of a range, as written.
    func slice(_ range: SourceRange) -> String {
        let bytes = text.utf8
        let start = bytes.index(bytes.startIndex, offsetBy: max(0, min(range.start, bytes.count)))
        let end = bytes.index(bytes.startIndex, offsetBy: max(0, min(range.end, bytes.count)))
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    private func lineStart(before offset: Int, in bytes: [UInt8]) -> Int {
        guard let newline = bytes[..<offset].lastIndex(of: UInt8(ascii: "\n")) else { return 0 }
        return newline + 1
    }
}
