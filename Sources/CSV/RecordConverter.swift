import Columns

/// A record that cannot be read: what `--on-error` acts on and the rejects file lists.
public struct RejectedRecord: Sendable, Equatable {
    /// 1-based line on which the record starts.
    public var line: Int
    /// Byte offset of the record in the (decompressed) input.
    public var byteOffset: Int
    /// The column at fault, if one is.
    public var column: String?
    public var reason: String
    /// The offending field's text, if one is at fault.
    public var text: String?
    /// The whole record as it appears in the input.
    public var raw: String
}

/// Where a block's records sit in the whole input, for error coordinates.
struct BlockPosition {
    var file: String
    /// Lines before the part's first byte.
    var lineBase: Int
    /// Byte offset of the block's first byte in the input.
    var byteBase: Int
}

/// Converts tokenized records into typed columns.
///
/// A value that does not fit its column's type either asks for the column to be widened
/// (inferred schemas) or rejects its record (declared schemas).
struct RecordConverter {
    let fieldCount: Int
    let types: [DataType]
    /// The columns to produce, as field indices.
    let projection: [Int]
    let names: [String]
    let nullStrings: [[UInt8]]
    let escape: UInt8
    let quote: UInt8
    /// Declared types are never widened.
    let locked: Bool
    /// The default null string alone: a length test replaces the loop over null strings.
    let onlyEmptyIsNull: Bool

    init(fieldCount: Int, types: [DataType], projection: [Int], names: [String], nullStrings: [[UInt8]],
         escape: UInt8, quote: UInt8, locked: Bool) {
        self.fieldCount = fieldCount
        self.types = types
        self.projection = projection
        self.names = names
        self.nullStrings = nullStrings
        self.escape = escape
        self.quote = quote
        self.locked = locked
        onlyEmptyIsNull = nullStrings == [[]]
    }

    enum Outcome {
        case columns([Column], rejected: [RejectedRecord])
        /// `column` (a field index) needs `type`; `line` is where the first misfit is.
        case widen(column: Int, to: DataType, line: Int, text: String)

        /// The outcome with its line numbers `lines` further down (a range converted before
        /// the line count of the ranges before it was known).
        func shifted(by lines: Int) -> Outcome {
            guard lines != 0 else { return self }
            switch self {
            case .columns(let columns, let rejected):
                return .columns(columns, rejected: rejected.map { var r = $0; r.line += lines; return r })
            case .widen(let column, let type, let line, let text):
                return .widen(column: column, to: type, line: line + lines, text: text)
            }
        }
    }

    func convert(_ buffer: UnsafeRawBufferPointer, _ t: Tokens, _ at: BlockPosition) -> Outcome {
        let n = t.recordCount
        // Records rejected before any value is looked at: bad quoting, wrong field count.
        var bad = [Bool](repeating: false, count: n)
        var rejected: [RejectedRecord] = []
        for problem in t.problems {
            bad[problem.record] = true
            rejected.append(reject(buffer, t, problem.record, at, column: nil, reason: problem.reason, text: nil))
        }
        for r in 0..<n where !bad[r] {
            let fields = Int(t.recordFields[r + 1] - t.recordFields[r])
            if fields != fieldCount {
                bad[r] = true
                rejected.append(reject(buffer, t, r, at, column: nil,
                                       reason: "expected \(fieldCount) field\(fieldCount == 1 ? "" : "s"), found \(fields)", text: nil))
            }
        }
        // A declared column's misfit rejects its record and converts again without it; an
        // inferred column's asks for the column to be widened.
        while true {
            var columns: [Column] = []
            var misfitFound = false
            for c in projection {
                switch convertColumn(c, buffer, t, &bad, at) {
                case .success(let column):
                    columns.append(column)
                case .failure(let misfit):
                    guard locked else {
                        return .widen(column: c, to: Self.widened(types[c], misfit.text), line: line(t, misfit.record, at),
                                      text: misfit.text)
                    }
                    bad[misfit.record] = true
                    rejected.append(reject(buffer, t, misfit.record, at, column: names[c],
                                           reason: "expected \(types[c])", text: misfit.text))
                    misfitFound = true
                }
                if misfitFound { break }
            }
            if misfitFound { continue }
            // Drop rejected records from every column (their values were skipped).
            if bad.contains(true) {
                let keep = SelectionVector(mask: Bitmap(bad.map { !$0 }))
                columns = columns.map { $0.gather(keep) }
            }
            rejected.sort { $0.line < $1.line }
            return .columns(columns, rejected: rejected)
        }
    }

    struct Misfit: Error {
        var record: Int
        var text: String
    }

    /// The column of field `c` over every record not marked bad (bad records get a null slot).
    /// Strings come out dictionary-encoded while a part has few distinct values (the usual
    /// shape of keys), plain otherwise.
    func convertColumn(_ c: Int, _ buffer: UnsafeRawBufferPointer, _ t: Tokens, _ bad: inout [Bool],
                       _ at: BlockPosition) -> Result<Column, Misfit> {
        let n = t.recordCount
        let type = types[c]
        var valid: [Bool] = []  // allocated at the first null
        var scratch: [UInt8] = []
        var failure: Misfit?
        let base = buffer.baseAddress!
        let anyBad = bad.contains(true)

        func markNull(_ r: Int) {
            if valid.isEmpty { valid = [Bool](repeating: true, count: n) }
            valid[r] = false
        }

        /// Calls `body(r, bytes)` for each record's field `c`, or marks it null.
        @inline(__always) func forEachField(_ body: (Int, UnsafeRawBufferPointer) -> Bool) {
            t.starts.withUnsafeBufferPointer { starts in
                t.ends.withUnsafeBufferPointer { ends in
                    t.recordFields.withUnsafeBufferPointer { recordFields in
                        for r in 0..<n {
                            if anyBad && bad[r] { markNull(r); continue }
                            let f = Int(recordFields[r]) &+ c
                            let start = Int(starts[f])
                            let endWord = ends[f]
                            let end = Int(endWord & Tokens.offsetMask)
                            let bytes = UnsafeRawBufferPointer(start: base + start, count: end &- start)
                            if endWord & Tokens.quotedFlag == 0 {
                                if isNull(bytes) { markNull(r); continue }
                            } else if endWord & Tokens.escapedFlag != 0 {
                                unescape(bytes, into: &scratch)
                                let ok = scratch.withUnsafeBytes { body(r, $0) }
                                if !ok { failure = Misfit(record: r, text: String(decoding: scratch, as: UTF8.self)); return }
                                continue
                            }
                            if !body(r, bytes) {
                                failure = Misfit(record: r, text: String(decoding: bytes, as: UTF8.self))
                                return
                            }
                        }
                    }
                }
            }
        }

        @inline(__always) func fixed<T>(_ zero: T, _ parse: (UnsafeRawBufferPointer) -> T?) -> [T] {
            var values = [T](repeating: zero, count: n)
            values.withUnsafeMutableBufferPointer { out in
                forEachField { r, b in
                    guard let v = parse(b) else { return false }
                    out[r] = v
                    return true
                }
            }
            return values
        }

        let storage: ColumnStorage
        switch type {
        case .int64 where !anyBad && onlyEmptyIsNull:
            let (values, nulls, misfit) = directInt64s(c, buffer, t)
            (storage, valid, failure) = (.int64(values), nulls, misfit)
        case .int64: storage = .int64(fixed(0, FieldParsers.int64))
        case .timestamp:
            storage = .int64(fixed(0) { b in
                FieldParsers.timestamp(b) ?? FieldParsers.date(b).map { Int64($0) * 86_400_000_000 }
            })
        case .float64 where !anyBad && onlyEmptyIsNull:
            let (values, nulls, misfit) = directFloat64s(c, buffer, t)
            (storage, valid, failure) = (.float64(values), nulls, misfit)
        case .float64: storage = .float64(fixed(0, FieldParsers.float64))
        case .date: storage = .int32(fixed(0, FieldParsers.date))
        case .bool: storage = .bool(Bitmap(fixed(false, FieldParsers.bool)))
        case .string:
            if !anyBad && onlyEmptyIsNull {
                (storage, valid) = directStrings(c, buffer, t)
            } else {
                storage = strings(n, buffer, forEachField)
            }
        }
        if let failure { return .failure(failure) }
        return .success(Column(type, storage, validity: valid.isEmpty ? nil : Bitmap(valid)))
    }

    /// String values, interned while distinct values stay under half the records (then plain).
    private func strings(_ n: Int, _ buffer: UnsafeRawBufferPointer,
                         _ forEachField: ((Int, UnsafeRawBufferPointer) -> Bool) -> Void) -> ColumnStorage {
        let table = ByteHashTable(limit: max(64, n / 2), capacity: 1024)
        var codes = [Int32](repeating: 0, count: n)
        var interned = true
        var seen = 0
        codes.withUnsafeMutableBufferPointer { out in
            forEachField { r, b in
                guard interned, let code = table.intern(b) else { interned = false; return true }
                out[r] = code
                // Mostly distinct early on (ids, free text): stop interning, go plain.
                seen &+= 1
                if seen == 1024 && table.count > 768 { interned = false }
                return true
            }
        }
        if interned {
            var values = table.values
            if values.count == 0 { values.append("") }  // every code (nulls' included) must index it
            return .dictionary(codes: codes, values: values)
        }
        // Plain: lengths and where each value is first, then one exact allocation and a copy.
        var offsets = [Int32](repeating: 0, count: n + 1)
        var sources = [UnsafeRawPointer?](repeating: nil, count: n)
        // Unescaped quoted values live in a scratch buffer that the next one overwrites.
        var copies: [Int: [UInt8]] = [:]
        let blockStart = buffer.baseAddress!, blockEnd = buffer.baseAddress! + buffer.count
        offsets.withUnsafeMutableBufferPointer { lengths in
            sources.withUnsafeMutableBufferPointer { starts in
                forEachField { r, b in
                    lengths[r &+ 1] = Int32(truncatingIfNeeded: b.count)
                    if let p = b.baseAddress, p >= blockStart && p < blockEnd { starts[r] = p } else if b.count > 0 { copies[r] = Array(b) }
                    return true
                }
            }
        }
        var total = 0
        for r in 0..<n {
            total += Int(offsets[r + 1])
            precondition(total <= Int(Int32.max), "a string column holds more than 2 GiB")
            offsets[r + 1] = Int32(truncatingIfNeeded: total)
        }
        let bytes = [UInt8](unsafeUninitializedCapacity: total) { out, count in
            guard let target = out.baseAddress else { count = 0; return }
            for r in 0..<n {
                let start = Int(offsets[r]), length = Int(offsets[r + 1]) &- start
                guard length > 0 else { continue }
                if let source = sources[r] {
                    (target + start).initialize(from: source.assumingMemoryBound(to: UInt8.self), count: length)
                } else {
                    copies[r]!.withUnsafeBufferPointer { (target + start).initialize(from: $0.baseAddress!, count: length) }
                }
            }
            count = total
        }
        return .string(StringArray(offsets: offsets, bytes: bytes))
    }

    @inline(__always)
    func isNull(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if onlyEmptyIsNull { return bytes.count == 0 }
        for null in nullStrings where null.count == bytes.count {
            if null.isEmpty || null.withUnsafeBytes({ $0.elementsEqual(bytes) }) { return true }
        }
        return false
    }

    /// The content of a quoted field with its escapes removed.
    func unescape(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        Self.unescape(bytes, quote: quote, escape: escape, into: &out)
    }

    static func unescape(_ bytes: UnsafeRawBufferPointer, quote: UInt8, escape: UInt8, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if (c == escape || c == quote) && i + 1 < bytes.count && (bytes[i + 1] == quote || (escape != quote && bytes[i + 1] == escape)) {
                out.append(bytes[i + 1])
                i += 2
            } else {
                out.append(c)
                i += 1
            }
        }
    }

    /// The narrowest type after `type` in its widening chain that holds `text`:
    /// Int64 → Float64 → String, Date → Timestamp → String, Bool → String.
    static func widened(_ type: DataType, _ text: String) -> DataType {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { raw in
            let b = UnsafeRawBufferPointer(raw)
            switch type {
            case .int64: return FieldParsers.float64(b) != nil ? .float64 : .string
            case .date: return FieldParsers.timestamp(b) != nil ? .timestamp : .string
            default: return .string
            }
        }
    }

    func line(_ t: Tokens, _ record: Int, _ at: BlockPosition) -> Int { at.lineBase + Int(t.recordLines[record]) + 1 }

    func reject(_ buffer: UnsafeRawBufferPointer, _ t: Tokens, _ r: Int, _ at: BlockPosition, column: String?,
                reason: String, text: String?) -> RejectedRecord {
        let start = Int(t.recordOffsets[r])
        var end = Int(t.recordEnds[r])
        while end > start && (buffer[end - 1] == 10 || buffer[end - 1] == 13) { end -= 1 }
        let raw = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)
        return RejectedRecord(line: line(t, r, at), byteOffset: at.byteBase + start, column: column, reason: reason,
                              text: text, raw: raw)
    }
}
