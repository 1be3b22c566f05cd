import Columns

/// Infers a CSV file's dialect, header and column types from samples of its text.
///
/// Samples come from the start of the input and, for files that can be read at any offset,
/// from evenly spaced places across the whole file, so a column whose values change type
/// late (ids that turn alphanumeric, integers that gain decimals) is caught before parsing
/// rather than after millions of rows. What the samples miss, the reader still widens.
struct Sniffer {
    static let candidates: [UInt8] = [UInt8(ascii: ","), 9, UInt8(ascii: ";"), UInt8(ascii: "|")]

    /// `'` instead of `"` when the sample quotes fields with single quotes and never with double
    /// quotes: a field must start with the quote to count, so apostrophes inside text
    /// (O'Brien) do not. The escape follows the quote when it was the quote (doubled quotes).
    static func quote(_ sample: [UInt8], dialect: CSVDialect) -> CSVDialect {
        let single = UInt8(ascii: "'")
        guard dialect.quote != single else { return dialect }
        func quotedFields(_ quote: UInt8) -> Int {
            var d = dialect
            d.quote = quote
            d.escape = quote
            var best = 0
            // Try every candidate delimiter: the delimiter is sniffed after the quote.
            for delimiter in candidates where delimiter != quote {
                d.delimiter = delimiter
                var tokens = Tokens()
                sample.withUnsafeBytes { raw in _ = Tokenizer(d).tokenize(raw, 0..<raw.count, final: true, into: &tokens) }
                guard tokens.problems.isEmpty && !tokens.anomaly else { continue }
                var quoted = 0
                for f in 0..<tokens.ends.count where tokens.ends[f] & Tokens.quotedFlag != 0 { quoted += 1 }
                best = max(best, quoted)
            }
            return best
        }
        guard sample.contains(single), quotedFields(dialect.quote) == 0, quotedFields(single) > 0 else { return dialect }
        var d = dialect
        if d.escape == d.quote { d.escape = single }
        d.quote = single
        return d
    }

    /// The delimiter whose records have the most consistent field count (more than one field),
    /// judged on the first lines of `sample`; ties go to the order `, \t ; |`.
    static func delimiter(_ sample: [UInt8], dialect: CSVDialect) -> UInt8 {
        var best: (delimiter: UInt8, score: Int) = (dialect.delimiter, -1)
        for candidate in candidates {
            var d = dialect
            d.delimiter = candidate
            var tokens = Tokens()
            sample.withUnsafeBytes { raw in
                _ = Tokenizer(d).tokenize(raw, 0..<raw.count, final: true, into: &tokens)
            }
            let records = min(tokens.recordCount, 200)
            guard records > 0 else { continue }
            var counts: [Int: Int] = [:]
            for r in 0..<records { counts[Int(tokens.recordFields[r + 1] - tokens.recordFields[r]), default: 0] += 1 }
            let (fields, agreeing) = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) }!
            guard fields > 1 else { continue }
            // Records agreeing on the field count, then more fields, decide.
            let score = agreeing * 1000 + min(fields, 999)
            if score > best.score { best = (candidate, score) }
        }
        return best.delimiter
    }

    /// Column types from the sampled records (header excluded): per column, the first of
    /// Bool, Int64, Float64, Date, Timestamp that every sampled non-null value fits, else String.
    static func types(_ samples: [(bytes: [UInt8], tokens: Tokens)], fieldCount: Int, skipFirst: Bool,
                      isNull: (UnsafeRawBufferPointer) -> Bool) -> [DataType] {
        let order: [DataType] = [.bool, .int64, .float64, .date, .timestamp]
        var possible = [[Bool]](repeating: [Bool](repeating: true, count: order.count), count: fieldCount)
        var seen = [Bool](repeating: false, count: fieldCount)
        for (index, sample) in samples.enumerated() {
            sample.bytes.withUnsafeBytes { raw in
                let first = index == 0 && skipFirst ? 1 : 0
                guard first < sample.tokens.recordCount else { return }
                for r in first..<sample.tokens.recordCount {
                    let start = Int(sample.tokens.recordFields[r]), end = Int(sample.tokens.recordFields[r + 1])
                    guard end - start == fieldCount else { continue }
                    for c in 0..<fieldCount {
                        let f = start + c
                        let endWord = sample.tokens.ends[f]
                        let bytes = UnsafeRawBufferPointer(rebasing: raw[Int(sample.tokens.starts[f])..<Int(endWord & Tokens.offsetMask)])
                        let quoted = endWord & Tokens.quotedFlag != 0
                        if !quoted && isNull(bytes) { continue }
                        seen[c] = true
                        for (k, type) in order.enumerated() where possible[c][k] {
                            if !fits(bytes, type, quoted: quoted) { possible[c][k] = false }
                        }
                    }
                }
            }
        }
        return (0..<fieldCount).map { c in
            guard seen[c], let k = possible[c].firstIndex(of: true) else { return .string }
            return order[k]
        }
    }

    static func fits(_ bytes: UnsafeRawBufferPointer, _ type: DataType, quoted: Bool) -> Bool {
        switch type {
        case .bool: FieldParsers.bool(bytes) != nil
        case .int64: FieldParsers.int64(bytes) != nil
        case .float64: FieldParsers.float64(bytes) != nil
        case .date: FieldParsers.date(bytes) != nil
        case .timestamp: FieldParsers.timestamp(bytes) != nil || FieldParsers.date(bytes) != nil
        case .string: true
        }
    }

    /// Whether the first record is a header: some column's first value does not fit the type
    /// the other records give that column. When every column is text, a first record of
    /// distinct non-empty values is taken as a header (what nearly every such file has).
    static func hasHeader(first: [(bytes: UnsafeRawBufferPointer, quoted: Bool)], types: [DataType]) -> Bool {
        if zip(first, types).contains(where: { field, type in type != .string && !fits(field.bytes, type, quoted: field.quoted) }) {
            return true
        }
        if types.allSatisfy({ $0 == .string }) {
            let names = first.map { Array($0.bytes) }
            return !names.contains { $0.isEmpty } && Set(names).count == names.count
        }
        return false
    }

    /// Header names made unique and non-empty: blanks become `columnN`, repeats get `_2`, `_3`.
    static func columnNames(_ header: [String]?, count: Int) -> [String] {
        var names: [String] = []
        var used = Set<String>()
        for i in 0..<count {
            var name = header.map { i < $0.count ? $0[i] : "" } ?? ""
            if name.isEmpty { name = "column\(i + 1)" }
            var candidate = name
            var suffix = 2
            while used.contains(candidate) {
                candidate = "\(name)_\(suffix)"
                suffix += 1
            }
            used.insert(candidate)
            names.append(candidate)
        }
        return names
    }
}
