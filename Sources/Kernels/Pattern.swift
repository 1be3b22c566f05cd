import Columns

#if canImport(Glibc)
import Glibc
#endif

/// SQL LIKE and ILIKE.
///
/// The pattern is compiled once per call into an exact, prefix, suffix or contains test when
/// it has no `_` and its `%` sit only at the ends; anything else runs a backtracking matcher
/// (linear in practice, O(text × pattern) at worst). Matching is on UTF-8 bytes, except that
/// `_` matches one whole character (code point). A dictionary input is matched once per
/// distinct value.
public enum Pattern {
    /// SQL LIKE with % and _ (and an optional escape byte), ILIKE when caseInsensitive. ILIKE folds ASCII letters only:
    /// 'É' does not match 'é'. An escape byte makes the next byte literal; an escape byte that ends the pattern stands
    /// for itself. The empty pattern matches only the empty string.
    public static func like(_ v: Vector, pattern: String, escape: UInt8?, caseInsensitive: Bool, negated: Bool, count: Int) -> Vector {
        let matcher = LikeMatcher(pattern, escape: escape, caseInsensitive: caseInsensitive)
        switch v {
        case .constant(let value, _):
            guard case .string(var s) = value else { return .constant(.null, .bool) }
            let hit = s.withUTF8 { matcher.matches(UnsafeRawBufferPointer($0)) }
            return .constant(.bool(hit != negated), .bool)
        case .column(let c):
            let bits: Bitmap
            if case .dictionary(let codes, let values) = c.storage {
                bits = Comparison.lookup(codes, table: matcher.matchAll(StringRows(values), count: values.count))
            } else {
                bits = matcher.matchAll(StringRows(v), count: count)
            }
            return .column(Column(.bool, .bool(negated ? Words.not(bits) : bits), validity: c.validity))
        }
    }
}

/// A compiled LIKE pattern.
struct LikeMatcher {
    enum Token: Equatable {
        case byte(UInt8)
        /// `_`: one character.
        case one
        /// `%`: any run of characters.
        case many
    }

    enum Shape {
        case exact([UInt8])
        case prefix([UInt8])
        case suffix([UInt8])
        case contains([UInt8])
        case anything
        case general([Token])
    }

    let shape: Shape
    /// ASCII case folding for ILIKE; nil for LIKE.
    let fold: [UInt8]?

    init(_ pattern: String, escape: UInt8?, caseInsensitive: Bool) {
        let foldTable: [UInt8]? = caseInsensitive ? (0...255).map { UInt8($0) >= 65 && UInt8($0) <= 90 ? UInt8($0) | 0x20 : UInt8($0) } : nil
        fold = foldTable
        var tokens: [Token] = []
        let bytes = Array(pattern.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if let escape, b == escape, i + 1 < bytes.count {
                tokens.append(.byte(foldTable?[Int(bytes[i + 1])] ?? bytes[i + 1]))
                i += 2
                continue
            }
            switch b {
            case 37: if tokens.last != .many { tokens.append(.many) }  // %% is %
            case 95: tokens.append(.one)
            default: tokens.append(.byte(foldTable?[Int(b)] ?? b))
            }
            i += 1
        }
        func literal(_ ts: ArraySlice<Token>) -> [UInt8]? {
            var out: [UInt8] = []
            for t in ts {
                guard case .byte(let b) = t else { return nil }
                out.append(b)
            }
            return out
        }
        let starts = tokens.first == .many, ends = tokens.count > 1 && tokens.last == .many
        if tokens == [.many] {
            shape = .anything
        } else if let exact = literal(tokens[...]) {
            shape = .exact(exact)
        } else if !starts, ends, let p = literal(tokens.dropLast()) {
            shape = .prefix(p)
        } else if starts, !ends, let s = literal(tokens.dropFirst()) {
            shape = .suffix(s)
        } else if starts, ends, let c = literal(tokens.dropFirst().dropLast()) {
            shape = .contains(c)
        } else {
            shape = .general(tokens)
        }
    }

    func matchAll(_ rows: StringRows, count: Int) -> Bitmap {
        rows.with { cursor in Words.build(count: count) { matches(cursor.row($0)) } }
    }

    @inline(__always)
    func matches(_ s: UnsafeRawBufferPointer) -> Bool {
        switch shape {
        case .anything: return true
        case .exact(let p): return s.count == p.count && equal(s, 0, p)
        case .prefix(let p): return s.count >= p.count && equal(s, 0, p)
        case .suffix(let p): return s.count >= p.count && equal(s, s.count - p.count, p)
        case .contains(let p): return contains(s, p)
        case .general(let tokens): return general(s, tokens)
        }
    }

    @inline(__always)
    func equal(_ s: UnsafeRawBufferPointer, _ at: Int, _ p: [UInt8]) -> Bool {
        if p.isEmpty { return true }
        return p.withUnsafeBytes { p in
            if let fold {
                for i in 0..<p.count where fold[Int(s[at &+ i])] != p[i] { return false }
                return true
            }
            return memcmp(s.baseAddress! + at, p.baseAddress!, p.count) == 0
        }
    }

    func contains(_ s: UnsafeRawBufferPointer, _ p: [UInt8]) -> Bool {
        if p.isEmpty { return true }
        if s.count < p.count { return false }
        if fold == nil {
            // memchr for the first byte, memcmp for the rest.
            return p.withUnsafeBytes { p in
                let first = Int32(p[0]), last = s.count - p.count
                var start = 0
                while start <= last {
                    guard let hit = memchr(s.baseAddress! + start, first, last - start + 1) else { return false }
                    let at = s.baseAddress!.distance(to: UnsafeRawPointer(hit))
                    if memcmp(s.baseAddress! + at, p.baseAddress!, p.count) == 0 { return true }
                    start = at + 1
                }
                return false
            }
        }
        for start in 0...(s.count - p.count) where equal(s, start, p) { return true }
        return false
    }

    func general(_ s: UnsafeRawBufferPointer, _ tokens: [Token]) -> Bool {
        @inline(__always) func nextCharacter(_ i: Int) -> Int {
            var j = i &+ 1
            while j < s.count, s[j] & 0xC0 == 0x80 { j &+= 1 }
            return j
        }
        var p = 0, i = 0
        var starP = -1, starI = 0
        while i < s.count {
            if p < tokens.count {
                switch tokens[p] {
                case .one:
                    i = nextCharacter(i)
                    p += 1
                    continue
                case .byte(let b):
                    if (fold?[Int(s[i])] ?? s[i]) == b {
                        i += 1
                        p += 1
                        continue
                    }
                case .many:
                    starP = p
                    starI = i
                    p += 1
                    continue
                }
            }
            // Mismatch: let the last % swallow one more character, or fail.
            guard starP >= 0 else { return false }
            starI = nextCharacter(starI)
            i = starI
            p = starP + 1
        }
        while p < tokens.count, tokens[p] == .many { p += 1 }
        return p == tokens.count
    }
}
