import Columns

/// String functions. Positions and lengths count characters (Unicode code points), not bytes;
/// a row of pure ASCII takes a byte-wise fast path.
enum StringFunctions {
    typealias K = ScalarFunction.Kernel

    static var definitions: [([String], FunctionDefinition)] {
        let s = DataType.string, i = DataType.int64, b = DataType.bool
        return [
            (["lower", "lcase"], Signatures.fixed("(String)", [([s], s, lift { a, n throws(BatonError) in try caseMap(a, n, upper: false) })])),
            (["upper", "ucase"], Signatures.fixed("(String)", [([s], s, lift { a, n throws(BatonError) in try caseMap(a, n, upper: true) })])),
            (["length", "char_length", "character_length", "len"], Signatures.fixed("(String)", [([s], i, lift { a, n throws(BatonError) in
                try fixedResult(a, count: n, .int64, wrap: { .int64($0) }) { c, r in Int64(characterCount(c[0].row(r))) }
            })])),
            (["substr", "substring"], Signatures.fixed("(String, Int64[, Int64])", [
                ([s, i], s, lift { a, n throws(BatonError) in try substring(a, n) }),
                ([s, i, i], s, lift { a, n throws(BatonError) in try substring(a, n) }),
            ])),
            (["trim"], Signatures.fixed("(String[, String])", [([s], s, lift { a, n throws(BatonError) in try trim(a, n, left: true, right: true) }),
                                                                ([s, s], s, lift { a, n throws(BatonError) in try trim(a, n, left: true, right: true) })])),
            (["ltrim"], Signatures.fixed("(String[, String])", [([s], s, lift { a, n throws(BatonError) in try trim(a, n, left: true, right: false) }),
                                                                 ([s, s], s, lift { a, n throws(BatonError) in try trim(a, n, left: true, right: false) })])),
            (["rtrim"], Signatures.fixed("(String[, String])", [([s], s, lift { a, n throws(BatonError) in try trim(a, n, left: false, right: true) }),
                                                                 ([s, s], s, lift { a, n throws(BatonError) in try trim(a, n, left: false, right: true) })])),
            (["concat"], FunctionDefinition(signature: "(any, ...)") { types in
                guard !types.isEmpty, types.allSatisfy({ TypeRules.castable($0, .string) }) else { return nil }
                return (Array(repeating: .string, count: types.count), .string, lift(dictionary: false) { a, n throws(BatonError) in concat(a, n) })
            }),
            (["replace"], Signatures.fixed("(String, String, String)", [([s, s, s], s, lift { a, n throws(BatonError) in try replace(a, n) })])),
            (["starts_with", "prefix"], Signatures.fixed("(String, String)", [([s, s], b, lift { a, n in
                boolResult(a, count: n) { c, r in let x = c[0].row(r), p = c[1].row(r); return x.count >= p.count && equalBytes(UnsafeRawBufferPointer(rebasing: x[0..<p.count]), p) }
            })])),
            (["ends_with", "suffix"], Signatures.fixed("(String, String)", [([s, s], b, lift { a, n in
                boolResult(a, count: n) { c, r in let x = c[0].row(r), p = c[1].row(r); return x.count >= p.count && equalBytes(UnsafeRawBufferPointer(rebasing: x[(x.count - p.count)...]), p) }
            })])),
            (["contains"], Signatures.fixed("(String, String)", [([s, s], b, lift { a, n in
                boolResult(a, count: n) { c, r in find(c[0].row(r), c[1].row(r)) != nil }
            })])),
            (["strpos", "instr", "position"], Signatures.fixed("(String, String)", [([s, s], i, lift { a, n throws(BatonError) in
                try fixedResult(a, count: n, .int64, wrap: { .int64($0) }) { c, r in
                    let x = c[0].row(r)
                    guard let at = find(x, c[1].row(r)) else { return 0 }
                    return Int64(characterCount(UnsafeRawBufferPointer(rebasing: x[0..<at]))) + 1
                }
            })])),
            (["left"], Signatures.fixed("(String, Int64)", [([s, i], s, lift { a, n throws(BatonError) in try leftRight(a, n, left: true) })])),
            (["right"], Signatures.fixed("(String, Int64)", [([s, i], s, lift { a, n throws(BatonError) in try leftRight(a, n, left: false) })])),
            (["reverse"], Signatures.fixed("(String)", [([s], s, lift { a, n throws(BatonError) in try reverse(a, n) })])),
            (["lpad"], Signatures.fixed("(String, Int64, String)", [([s, i, s], s, lift { a, n throws(BatonError) in try pad(a, n, left: true) })])),
            (["rpad"], Signatures.fixed("(String, Int64, String)", [([s, i, s], s, lift { a, n throws(BatonError) in try pad(a, n, left: false) })])),
        ]
    }

    @inline(__always)
    static func isASCII(_ b: UnsafeRawBufferPointer) -> Bool {
        var any: UInt8 = 0
        for x in b { any |= x }
        return any < 0x80
    }

    /// ASCII letters byte by byte; other text through the standard library's Unicode mapping.
    static func caseMap(_ args: [Vector], _ count: Int, upper: Bool) throws(BatonError) -> Column {
        try stringResult(args, count: count) { c, r, out in
            let x = c[0].row(r)
            if isASCII(x) {
                for byte in x {
                    let isLetter = upper ? (byte >= 97 && byte <= 122) : (byte >= 65 && byte <= 90)
                    out.append(isLetter ? byte ^ 0x20 : byte)
                }
            } else {
                out.append(contentsOf: (upper ? x.string.uppercased() : x.string.lowercased()).utf8)
            }
        }
    }

    /// DuckDB's rules: start > 0 counts from 1; start < 0 counts from the end; start = 0 is one
    /// before the first character (so the length loses one); a negative length takes the
    /// characters before the start.
    static func substringRange(size: Int64, start offset: Int64, length: Int64?) -> (Int64, Int64)? {
        var length = length ?? Int64.max
        if length == 0 { return nil }
        var start: Int64
        if offset > 0 {
            start = min(size, offset - 1)
        } else if offset < 0 {
            start = max(size &+ max(offset, -size - 1), 0)
        } else {
            start = 0
            length -= 1
            if length <= 0 { return nil }
        }
        var end: Int64
        if length > 0 {
            end = length > size - start ? size : start + length
        } else {
            end = start
            start = length < -start ? 0 : start + length
        }
        return start < end ? (start, end) : nil
    }

    static func substring(_ args: [Vector], _ count: Int) throws(BatonError) -> Column {
        let start = args[1].int64Operand
        let length = args.count > 2 ? args[2].int64Operand : nil
        return try stringResult(args, count: count) { c, r, out in
            let x = c[0].row(r)
            let ascii = isASCII(x)
            let size = ascii ? Int64(x.count) : Int64(characterCount(x))
            guard let (from, to) = substringRange(size: size, start: start.at(r), length: length?.at(r)) else { return }
            let a = ascii ? Int(from) : byteOffset(ofCharacter: Int(from), in: x)
            let b = ascii ? Int(to) : byteOffset(ofCharacter: Int(to), in: x)
            out.append(contentsOf: x[a..<b])
        }
    }

    /// Spaces by default; with a second argument, any of its characters.
    static func trim(_ args: [Vector], _ count: Int, left: Bool, right: Bool) throws(BatonError) -> Column {
        try stringResult(args, count: count) { c, r, out in
            let x = c[0].row(r)
            let set = args.count > 1 ? c[1].row(r) : nil
            if let set, !isASCII(set) {
                let chars = Set(set.string.unicodeScalars)
                var scalars = Substring(x.string).unicodeScalars[...]
                if left { while let f = scalars.first, chars.contains(f) { scalars.removeFirst() } }
                if right { while let l = scalars.last, chars.contains(l) { scalars.removeLast() } }
                out.append(contentsOf: String(String.UnicodeScalarView(scalars)).utf8)
                return
            }
            func trimmed(_ byte: UInt8) -> Bool { set.map { $0.contains(byte) } ?? (byte == 32) }
            var a = 0, b = x.count
            if left { while a < b, trimmed(x[a]) { a += 1 } }
            if right { while b > a, trimmed(x[b - 1]) { b -= 1 } }
            out.append(contentsOf: x[a..<b])
        }
    }

    /// DuckDB's concat: nulls are skipped, so the result is never null.
    static func concat(_ args: [Vector], _ count: Int) -> Column {
        let validities = args.map { Nulls.of($0) }
        var out = StringBuilder(capacity: count)
        try! withCursors(stringRows(args)[...]) { cursors in
            for r in 0..<count {
                for (k, cursor) in cursors.enumerated() {
                    let present: Bool = switch validities[k] {
                    case .none: true
                    case .all: false
                    case .some(let bits): bits[r]
                    }
                    if present { out.bytes.append(contentsOf: cursor.row(r)) }
                }
                out.close()
            }
        }
        return Column(.string, .string(out.array))
    }

    /// Byte offset of the first occurrence of `p` in `x`.
    static func find(_ x: UnsafeRawBufferPointer, _ p: UnsafeRawBufferPointer) -> Int? {
        if p.isEmpty { return 0 }
        if x.count < p.count { return nil }
        for start in 0...(x.count - p.count) where x[start] == p[0] {
            if equalBytes(UnsafeRawBufferPointer(rebasing: x[start..<(start + p.count)]), p) { return start }
        }
        return nil
    }

    static func replace(_ args: [Vector], _ count: Int) throws(BatonError) -> Column {
        try stringResult(args, count: count) { c, r, out in
            var x = c[0].row(r)
            let from = c[1].row(r), to = c[2].row(r)
            guard !from.isEmpty else { out.append(contentsOf: x); return }
            while let at = find(x, from) {
                out.append(contentsOf: x[0..<at])
                out.append(contentsOf: to)
                x = UnsafeRawBufferPointer(rebasing: x[(at + from.count)...])
            }
            out.append(contentsOf: x)
        }
    }

    /// left(s, n): the first n characters (n < 0: all but the last -n); right mirrors it.
    static func leftRight(_ args: [Vector], _ count: Int, left: Bool) throws(BatonError) -> Column {
        let amount = args[1].int64Operand
        return try stringResult(args, count: count) { c, r, out in
            let x = c[0].row(r)
            let size = Int64(characterCount(x))
            let n = amount.at(r)
            let keep = n >= 0 ? min(n, size) : max(size + max(n, -size), 0)
            let a = left ? 0 : byteOffset(ofCharacter: Int(size - keep), in: x)
            let b = left ? byteOffset(ofCharacter: Int(keep), in: x) : x.count
            out.append(contentsOf: x[a..<b])
        }
    }

    /// By characters, so multi-byte characters stay intact.
    static func reverse(_ args: [Vector], _ count: Int) throws(BatonError) -> Column {
        try stringResult(args, count: count) { c, r, out in
            let x = c[0].row(r)
            var end = x.count
            while end > 0 {
                var start = end - 1
                while start > 0, x[start] & 0xC0 == 0x80 { start -= 1 }
                out.append(contentsOf: x[start..<end])
                end = start
            }
        }
    }

    /// Pads to `n` characters with repetitions of `fill`, or cuts to `n` when longer (DuckDB).
    /// An empty fill leaves a short string as it is; n < 0 gives ''.
    static func pad(_ args: [Vector], _ count: Int, left: Bool) throws(BatonError) -> Column {
        let width = args[1].int64Operand
        return try stringResult(args, count: count) { (c, r, out) throws(BatonError) in
            let x = c[0].row(r), fill = c[2].row(r)
            let n = width.at(r)
            guard n > 0 else { return }
            guard n <= 1 << 28 else { throw invalid("\(left ? "lpad" : "rpad") length \(n) is too large", row: r) }
            let size = Int64(characterCount(x))
            if size >= n {
                out.append(contentsOf: x[0..<byteOffset(ofCharacter: Int(n), in: x)])
                return
            }
            var padding: [UInt8] = []
            let fillSize = characterCount(fill)
            if fillSize > 0 {
                var missing = Int(n - size)
                while missing >= fillSize { padding.append(contentsOf: fill); missing -= fillSize }
                padding.append(contentsOf: fill[0..<byteOffset(ofCharacter: missing, in: fill)])
            }
            if left { out.append(contentsOf: padding) }
            out.append(contentsOf: x)
            if !left { out.append(contentsOf: padding) }
        }
    }
}

extension ScalarFunction {
    /// The `||` operator: string concatenation where a null operand gives null (unlike
    /// `concat`, which skips nulls). Both operands are strings (the binder casts).
    public static func concatOperator(_ l: Vector, _ r: Vector, count: Int) -> Vector {
        let kernel = lift { a, n throws(BatonError) in
            try stringResult(a, count: n) { c, row, out in
                out.append(contentsOf: c[0].row(row))
                out.append(contentsOf: c[1].row(row))
            }
        }
        return try! kernel([l, r], count)
    }
}
