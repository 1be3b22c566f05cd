import Columns
import Testing
@testable import Kernels
import TestSupport

/// The scalar twin: a plain recursive LIKE over characters.
func likeTwin(_ s: String, _ pattern: String, escape: Character? = nil, caseInsensitive: Bool = false) -> Bool {
    func fold(_ c: Character) -> Character { caseInsensitive && c.isASCII ? Character(c.lowercased()) : c }
    enum T { case lit(Character), one, many }
    var tokens: [T] = []
    var chars = Array(pattern)[...]
    while let c = chars.popFirst() {
        if let escape, c == escape, let next = chars.popFirst() { tokens.append(.lit(fold(next))); continue }
        tokens.append(c == "%" ? .many : c == "_" ? .one : .lit(fold(c)))
    }
    let text = Array(s.unicodeScalars).map { fold(Character($0)) }
    func match(_ i: Int, _ p: Int) -> Bool {
        if p == tokens.count { return i == text.count }
        switch tokens[p] {
        case .many: return (i...text.count).contains { match($0, p + 1) }
        case .one: return i < text.count && match(i + 1, p + 1)
        case .lit(let c): return i < text.count && text[i] == c && match(i + 1, p + 1)
        }
    }
    return match(0, 0)
}

@Suite struct PatternTests {
    static let patterns = ["", "%", "%%", "a", "a%", "%a", "%a%", "a%b", "_", "__", "_b%", "%b_", "%_%", "a_%", "%é%", "é_", "%_a",
                           "A%", "%B", "ab%c%", "%o w%", "hello world", "a%%%b", "%b%a%"]

    @Test func matchesTwinOnRandomInput() {
        var g = SeededGenerator(seed: 5)
        for n in counts {
            for c in [g.strings(n), g.dictionary(n)] {
                for pattern in Self.patterns {
                    for ci in [false, true] {
                        for negated in [false, true] {
                            let result = Pattern.like(.column(c), pattern: pattern, escape: nil, caseInsensitive: ci, negated: negated, count: n)
                            let expected: [Value] = c.values.map {
                                guard case .string(let s) = $0 else { return .null }
                                return .bool(likeTwin(s, pattern, caseInsensitive: ci) != negated)
                            }
                            #expect(rows(result, n) == expected, "\(pattern) ci=\(ci)")
                        }
                    }
                }
            }
        }
    }

    @Test func edgeCases() {
        func like(_ s: String?, _ p: String, escape: UInt8? = nil, ci: Bool = false) -> Value {
            Pattern.like(.constant(s.map(Value.string) ?? .null, .string), pattern: p, escape: escape, caseInsensitive: ci, negated: false, count: 1).constantValue!
        }
        #expect(like("", "") == .bool(true))
        #expect(like("a", "") == .bool(false))
        #expect(like("", "%") == .bool(true))
        #expect(like("", "_") == .bool(false))
        #expect(like("é", "_") == .bool(true))  // one character, two bytes
        #expect(like("é", "__") == .bool(false))
        #expect(like("a%c", "a\\%c", escape: 92) == .bool(true))
        #expect(like("abc", "a\\%c", escape: 92) == .bool(false))
        #expect(like("a_c", "a!_c", escape: 33) == .bool(true))
        #expect(like("abc", "a!_c", escape: 33) == .bool(false))
        #expect(like("a!", "a!", escape: 33) == .bool(true))  // a trailing escape stands for itself
        #expect(like("ABC", "a%", ci: true) == .bool(true))
        #expect(like("ABC", "a%") == .bool(false))
        #expect(like("aXbXc", "%x%x%", ci: true) == .bool(true))
        #expect(like("mississippi", "%iss%ipp%") == .bool(true))
        #expect(like("mississippi", "m%%%i") == .bool(true))
        #expect(like(nil, "%") == .null)
        let neg = Pattern.like(.column(.string(["ab", nil, "b"])), pattern: "a%", escape: nil, caseInsensitive: false, negated: true, count: 3)
        #expect(rows(neg, 3) == [.bool(false), .null, .bool(true)])
        #expect(rows(Pattern.like(.column(.string([])), pattern: "a", escape: nil, caseInsensitive: false, negated: false, count: 0), 0).isEmpty)
    }
}
