import CShims

/// The fields of complete records in a byte range, as spans into the range's buffer.
///
/// A span's `end` carries two flags in its top bits: quoted (never null) and escaped (holds
/// doubled or backslash-escaped quotes to remove).
struct Tokens {
    static let quotedFlag: UInt32 = 1 << 31
    static let escapedFlag: UInt32 = 1 << 30
    static let offsetMask: UInt32 = (1 << 30) - 1

    let starts = UInt32Buffer(capacity: 1 << 14)
    let ends = UInt32Buffer(capacity: 1 << 14)
    /// Index into `starts` of each record's first field, plus one past the last record.
    let recordFields = UInt32Buffer([0])
    /// Byte offset of each record's first byte within the buffer.
    let recordOffsets = UInt32Buffer()
    /// Line number (0-based, within the range) on which each record starts.
    let recordLines = UInt32Buffer()
    /// Byte offset just past each record (its line break included).
    let recordEnds = UInt32Buffer()
    /// Records with a malformed quote: (record index, reason).
    var problems: [(record: Int, reason: String)] = []
    /// A quote appeared where the fast parallel split assumes none can (inside an unquoted
    /// field, or text after a closing quote): the driver re-reads the block serially.
    var anomaly = false
    /// Line breaks seen in the range, for the next range's line numbers.
    var lines = 0

    var recordCount: Int { recordOffsets.count }

    /// Empties the buffers and makes room for a range of `bytes` bytes. A field takes at
    /// least one byte (its delimiter or line break), so a range holds at most `bytes + 1`
    /// fields and as many records. Untouched capacity costs address space, not memory.
    /// Returns the buffers' base pointers, which the tokenizers write through.
    @discardableResult
    mutating func prepare(forRange bytes: Int) -> Writers {
        reset()
        let room = bytes + 2
        for b in [starts, ends, recordOffsets, recordLines, recordEnds] { b.reserve(room) }
        recordFields.reserve(room + 1)
        return Writers(fieldStarts: starts.base, fieldEnds: ends.base, recordFields: recordFields.base,
                       recordOffsets: recordOffsets.base, recordLines: recordLines.base, recordEnds: recordEnds.base)
    }

    /// Where a tokenizer writes positions: no capacity check, no count kept in memory per
    /// append (`setCounts` records the counts at the end).
    struct Writers {
        let fieldStarts, fieldEnds, recordFields, recordOffsets, recordLines, recordEnds: UnsafeMutablePointer<UInt32>
    }

    /// The counts after positions were written through the buffers' base pointers.
    func setCounts(fields: Int, records: Int) {
        starts.setCount(fields)
        ends.setCount(fields)
        recordOffsets.setCount(records)
        recordLines.setCount(records)
        recordEnds.setCount(records)
        recordFields.setCount(records + 1)
    }

    mutating func reset() {
        starts.removeAll()
        ends.removeAll()
        recordFields.removeAll()
        recordFields.append(0)
        recordOffsets.removeAll()
        recordLines.removeAll()
        recordEnds.removeAll()
        problems.removeAll()
        anomaly = false
        lines = 0
    }
}

/// Splits bytes into records and fields: RFC 4180 plus the dialects met in practice (any
/// delimiter, doubled or backslash escapes, LF, CRLF or CR line ends, blank lines skipped).
///
/// Quoted fields may hold delimiters, quotes and line breaks. A quote inside an unquoted field
/// is kept as text (`12" pizza`); text after a closing quote is an error for that record.
struct Tokenizer {
    let delimiter: UInt8
    let quote: UInt8
    let escape: UInt8
    /// In a one-column file an empty line is a record holding one empty field (a null under
    /// the default null string), as the CSV writer writes a null there; elsewhere blank lines
    /// are skipped.
    let blankLinesAreRecords: Bool

    init(_ dialect: CSVDialect, blankLinesAreRecords: Bool = false) {
        delimiter = dialect.delimiter
        quote = dialect.quote
        escape = dialect.escape
        self.blankLinesAreRecords = blankLinesAreRecords
    }

    /// Tokenizes `buffer[range]`. With `final == false`, stops before a record that the range
    /// does not finish and returns the offset where it starts (the carry-over); with `final`,
    /// an unfinished record at the end is taken as complete (the end of the input), and an
    /// unterminated quoted field there is reported.
    /// `knownPlain`: the caller has already seen that the range holds no quote, escape or CR
    /// (the scan that splits a block finds that out), so the check here is skipped.
    func tokenize(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>, final: Bool, into t: inout Tokens,
                  knownPlain: Bool = false) -> Int {
        if knownPlain || !Self.hasQuoteOrCR(buffer, range, quote: quote, escape: escape) {
            return tokenizePlain(buffer, range, final: final, into: &t)
        }
        return tokenizeGeneral(buffer, range, final: final, into: &t)
    }

    /// The 64-byte structural mask of `base[from ..< from + 64]` for bytes `a`, `b`, `c`, `d`,
    /// limited to positions before `end` (and never reading past `readable`).
    @inline(__always)
    static func mask(_ base: UnsafePointer<UInt8>, _ from: Int, end: Int, readable: Int,
                     _ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> UInt64 {
        var m: UInt64
        if from &+ 64 <= readable {
            m = baton_match64(base + from, a, b, c, d)
        } else {
            m = 0
            var k = 0
            while from &+ k < readable && k < 64 {
                let x = base[from &+ k]
                if x == a || x == b || x == c || x == d { m |= 1 << UInt64(k) }
                k &+= 1
            }
        }
        let valid = end &- from
        if valid < 64 { m &= (1 << UInt64(valid)) &- 1 }
        return m
    }

    /// Whether `range` holds a quote, an escape character or a CR: if not, records are plain
    /// fields between delimiters and LFs, and `tokenizePlain` needs no state machine.
    static func hasQuoteOrCR(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>, quote: UInt8, escape: UInt8) -> Bool {
        let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var from = range.lowerBound
        while from < range.upperBound {
            if mask(base, from, end: range.upperBound, readable: buffer.count, quote, 13, escape, quote) != 0 { return true }
            from &+= 64
        }
        return false
    }

    /// The tokenizer for ranges without quotes or CRs (most machine-written CSV): every
    /// delimiter ends a field and every LF a record, so the loop walks the set bits of one
    /// 64-byte mask after another, a few instructions per field. Same results as
    /// `tokenizeGeneral` on such input (blank lines, the unfinished last record, line counts).
    func tokenizePlain(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>, final: Bool, into t: inout Tokens) -> Int {
        let w = t.prepare(forRange: range.count)
        let (fieldStarts, fieldEnds, recordFields) = (w.fieldStarts, w.fieldEnds, w.recordFields)
        let (recordOffsets, recordLines, recordEnds) = (w.recordOffsets, w.recordLines, w.recordEnds)
        let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let end = range.upperBound, readable = buffer.count
        let delimiter = self.delimiter, skipBlank = !blankLinesAreRecords
        var fields = 0, records = 0, line = 0
        var recordStart = range.lowerBound, fieldStart = range.lowerBound, recordMark = 0
        var window = range.lowerBound
        while window < end {
            var m = Self.mask(base, window, end: end, readable: readable, delimiter, 10, delimiter, delimiter)
            while m != 0 {
                let p = window &+ m.trailingZeroBitCount
                m &= m &- 1
                if base[p] == 10 {
                    if p == recordStart && skipBlank {
                        // A blank line: skipped, counted.
                        line &+= 1
                        recordStart = p &+ 1
                        fieldStart = recordStart
                        continue
                    }
                    fieldStarts[fields] = UInt32(truncatingIfNeeded: fieldStart)
                    fieldEnds[fields] = UInt32(truncatingIfNeeded: p)
                    fields &+= 1
                    recordOffsets[records] = UInt32(truncatingIfNeeded: recordStart)
                    recordLines[records] = UInt32(truncatingIfNeeded: line)
                    recordEnds[records] = UInt32(truncatingIfNeeded: p &+ 1)
                    records &+= 1
                    recordFields[records] = UInt32(truncatingIfNeeded: fields)
                    line &+= 1
                    recordStart = p &+ 1
                    fieldStart = recordStart
                    recordMark = fields
                } else {
                    fieldStarts[fields] = UInt32(truncatingIfNeeded: fieldStart)
                    fieldEnds[fields] = UInt32(truncatingIfNeeded: p)
                    fields &+= 1
                    fieldStart = p &+ 1
                }
            }
            window &+= 64
        }
        var consumed = recordStart
        if recordStart < end {
            if final {
                // The last record has no line break: it ends with the input.
                fieldStarts[fields] = UInt32(truncatingIfNeeded: fieldStart)
                fieldEnds[fields] = UInt32(truncatingIfNeeded: end)
                fields &+= 1
                recordOffsets[records] = UInt32(truncatingIfNeeded: recordStart)
                recordLines[records] = UInt32(truncatingIfNeeded: line)
                recordEnds[records] = UInt32(truncatingIfNeeded: end)
                records &+= 1
                recordFields[records] = UInt32(truncatingIfNeeded: fields)
                consumed = end
            } else {
                fields = recordMark  // unfinished: carried over to the next range
            }
        }
        t.setCounts(fields: fields, records: records)
        t.lines = line
        return consumed
    }

    /// The general tokenizer: quotes, escapes, CR and CRLF, malformed quoting.
    func tokenizeGeneral(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>, final: Bool, into t: inout Tokens) -> Int {
        let w = t.prepare(forRange: range.count)
        let (fieldStarts, fieldEnds, recordFields) = (w.fieldStarts, w.fieldEnds, w.recordFields)
        let (recordOffsets, recordLines, recordEnds) = (w.recordOffsets, w.recordLines, w.recordEnds)
        var fields = 0
        var records = 0
        var problems: [(record: Int, reason: String)] = []
        var anomaly = false

        let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let end = range.upperBound
        var i = range.lowerBound
        var line = 0
        let delimiter = self.delimiter, quote = self.quote, escape = self.escape
        // The structural scan: a 64-byte window's mask of delimiters, line breaks and quotes.
        // Windows may read past `end` (never past the buffer); positions there are ignored.
        let readable = buffer.count
        var windowStart = Int.min / 2
        var windowMask: UInt64 = 0
        /// The first delimiter, CR, LF or quote at or after `from`, or `end`.
        @inline(__always) func nextStructural(_ from: Int) -> Int {
            var pos = from
            while true {
                let offset = pos &- windowStart
                if offset >= 0 && offset < 64 {
                    let m = windowMask >> UInt64(offset)
                    if m != 0 {
                        let found = pos &+ m.trailingZeroBitCount
                        return found < end ? found : end
                    }
                    pos = windowStart &+ 64
                }
                if pos >= end { return end }
                if pos &+ 64 <= readable {
                    windowStart = pos
                    windowMask = baton_match64(base + pos, delimiter, 10, 13, quote)
                    continue
                }
                while pos < end {
                    let c = base[pos]
                    if c == delimiter || c == 10 || c == 13 || c == quote { return pos }
                    pos &+= 1
                }
                return end
            }
        }
        @inline(__always) func field(_ start: Int, _ endWord: UInt32) {
            fieldStarts[fields] = UInt32(truncatingIfNeeded: start)
            fieldEnds[fields] = endWord
            fields &+= 1
        }

        recordLoop: while i < end {
            // Skip blank lines.
            let c0 = base[i]
            if (c0 == 10 || c0 == 13) && !blankLinesAreRecords {
                if c0 == 13 && i + 1 < end && base[i + 1] == 10 { i += 1 } else if c0 == 13 && i + 1 == end && !final { break }
                i += 1
                line += 1
                continue
            }
            let recordStart = i
            let recordLine = line
            let fieldMark = fields
            var problem: String?
            /// Drops the fields of an unfinished record: it is carried over to the next range.
            func rollback() {
                fields = fieldMark
                i = recordStart
                line = recordLine
            }
            fieldLoop: while true {
                // i is at the start of a field.
                if i < end && base[i] == quote {
                    let start = i + 1
                    var j = start
                    var escaped = false
                    var closed = false
                    var linesInside = 0
                    while j < end {
                        let c = base[j]
                        if c == escape && escape != quote && j + 1 < end && (base[j + 1] == quote || base[j + 1] == escape) {
                            escaped = true
                            j += 2
                            continue
                        }
                        if c == quote {
                            if escape == quote && j + 1 < end && base[j + 1] == quote {
                                escaped = true
                                j += 2
                                continue
                            }
                            if escape == quote && j + 1 == end && !final { break }  // a doubled quote may straddle
                            closed = true
                            break
                        }
                        if c == 10 || (c == 13 && !(j + 1 < end && base[j + 1] == 10)) { linesInside += 1 }
                        j += 1
                    }
                    if !closed {
                        if !final {
                            rollback()
                            break recordLoop
                        }
                        problem = problem ?? "unterminated quoted field"
                        field(start, UInt32(j) | Tokens.quotedFlag | (escaped ? Tokens.escapedFlag : 0))
                        line += linesInside
                        i = end
                        break fieldLoop
                    }
                    field(start, UInt32(j) | Tokens.quotedFlag | (escaped ? Tokens.escapedFlag : 0))
                    line += linesInside
                    i = j + 1
                    if i < end && base[i] != delimiter && base[i] != 10 && base[i] != 13 {
                        problem = problem ?? "unexpected text after a closing quote"
                        anomaly = true
                        // Resynchronise: the rest of the field up to the delimiter is dropped.
                        while i < end && base[i] != delimiter && base[i] != 10 && base[i] != 13 { i += 1 }
                    }
                } else {
                    let start = i
                    i = nextStructural(i)
                    while i < end && base[i] == quote {
                        anomaly = true
                        i = nextStructural(i &+ 1)
                    }
                    field(start, UInt32(truncatingIfNeeded: i))
                }
                // i is at a delimiter, a line break, or the end of the range.
                if i >= end {
                    if !final {
                        rollback()
                        break recordLoop
                    }
                    break fieldLoop
                }
                let c = base[i]
                if c == delimiter {
                    i += 1
                    continue fieldLoop
                }
                // A line break ends the record; CR LF counts once. A CR at the very end of a
                // non-final range might be the first half of a CR LF: wait for more.
                if c == 13 {
                    if i + 1 < end {
                        if base[i + 1] == 10 { i += 1 }
                    } else if !final {
                        rollback()
                        break recordLoop
                    }
                }
                i += 1
                line += 1
                break fieldLoop
            }
            if let problem { problems.append((records, problem)) }
            recordOffsets[records] = UInt32(truncatingIfNeeded: recordStart)
            recordLines[records] = UInt32(truncatingIfNeeded: recordLine)
            recordEnds[records] = UInt32(truncatingIfNeeded: i)
            records &+= 1
            recordFields[records] = UInt32(truncatingIfNeeded: fields)
        }
        t.setCounts(fields: fields, records: records)
        t.problems = problems
        t.anomaly = anomaly
        t.lines = line
        return i
    }
}
