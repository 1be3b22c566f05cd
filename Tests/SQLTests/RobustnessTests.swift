import Testing
import Columns
import SQL

/// Random token soup must parse or fail with a positioned error, never trap.
@Suite struct RobustnessTests {
    static let vocabulary = [
        "SELECT", "FROM", "WHERE", "GROUP", "BY", "ALL", "HAVING", "ORDER", "LIMIT", "OFFSET", "WITH", "AS", "UNION",
        "JOIN", "LEFT", "CROSS", "SEMI", "ON", "USING", "AND", "OR", "NOT", "IS", "NULL", "IN", "BETWEEN", "LIKE",
        "CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "INTERVAL", "DATE", "DAY", "OVER", "PARTITION", "ROWS",
        "UNBOUNDED", "PRECEDING", "CURRENT", "ROW", "DESC", "NULLS", "FIRST", "EXCLUDE", "DISTINCT",
        "a", "t", "count", "read_csv", "x.y", "\"Q\"", "'s'", "'a.csv'", "1", "2.5", "99999999999999999999",
        "(", ")", ",", "*", "+", "-", "/", "%", "=", "<>", "<=", "||", "::", "int", "=>", ".", ";", "--c\n", "/*c*/",
    ]

    @Test func randomTokensNeverTrap() {
        var state: UInt64 = 0x5EED
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        var parsed = 0
        for _ in 0..<3000 {
            var words = ["SELECT"]
            for _ in 0..<next(14) { words.append(Self.vocabulary[next(Self.vocabulary.count)]) }
            let text = words.joined(separator: " ")
            do {
                _ = try Parser.parse(text)
                parsed += 1
            } catch {
                #expect(error.kind == .invalidInput, "\(text)")
                #expect(error.message.contains(", column "), "\(text)")
            }
            _ = try? Parser.parseExpression(String(text.dropFirst(7)))
        }
        #expect(parsed > 0)
    }
}
