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

    enum Outcome {
        case columns([Column], rejected: [RejectedRecord])
        /// `column` (a field index) needs `type`; `line` is where the first misfit is.
        case widen(column: Int, to: DataType, line: Int, text: String)
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
        var columns: [Column] = []
        for c in projection {
            switch convertColumn(c, buffer, t, &bad, at) {
            case .success(let column): columns.append(column)
            case .failure(let misfit):
                if locked {
                    bad[misfit.record] = true
                    rejected.append(reject(buffer, t, misfit.record, at, column: names[c],
                                           reason: "expected \(types[c])", text: misfit.text))
                    return convert(buffer, t, at, knownBad: bad, rejected: rejected)
                }
                return .widen(column: c, to: Self.widened(types[c], misfit.text), line: line(t, misfit.record, at), text: misfit.text)
            }
        }
        // Drop rejected records from every column (values of bad records were skipped).
        if bad.contains(true) {
            let keep = SelectionVector(mask: Bitmap(bad.map { !$0 }))
            columns = columns.map { $0.gather(keep) }
        }
        rejected.sort { $0.line < $1.line }
        return .columns(columns, rejected: rejected)
    }

    /// Re-runs conversion once more records are known bad (declared schemas only).
    private func convert(_ buffer: UnsafeRawBufferPointer, _ t: Tokens, _ at: BlockPosition, knownBad: [Bool],
                         rejected: [RejectedRecord]) -> Outcome {
        var bad = knownBad
        var rejected = rejected
        while true {
            var columns: [Column] = []
            var retry = false
            for c in projection {
                switch convertColumn(c, buffer, t, &bad, at) {
                case .success(let column): columns.append(column)
                case .failure(let misfit):
                    bad[misfit.record] = true
                    rejected.append(reject(buffer, t, misfit.record, at, column: names[c],
                                           reason: "expected \(types[c])", text: misfit.text))
                    retry = true
                }
                if retry { break }
            }
            if retry { continue }
            let keep = SelectionVector(mask: Bitmap(bad.map { !$0 }))
            rejected.sort { $0.line < $1.line }
            return .columns(columns.map { $0.gather(keep) }, rejected: rejected)
        }
    }

    struct Misfit: Error {
        var record: Int
        var text: String
    }

    /// The column of field `c` over every record not marked bad (bad records get a null slot).
    func convertColumn(_ c: Int, _ buffer: UnsafeRawBufferPointer, _ t: Tokens, _ bad: inout [Bool],
                       _ at: BlockPosition) -> Result<Column, Misfit> {
        let n = t.recordCount
        let type = types[c]
        var valid = [Bool](repeating: true, count: n)
        var scratch: [UInt8] = []
        var failure: Misfit?
        let base = buffer.baseAddress!

        /// Calls `body(r, bytes)` for each record's field `c`, or marks it null.
        func forEachField(_ body: (Int, UnsafeRawBufferPointer) -> Bool) {
            for r in 0..<n {
                if bad[r] { valid[r] = false; continue }
                let f = Int(t.recordFields[r]) + c
                let start = Int(t.starts[f])
                let endWord = t.ends[f]
                let end = Int(endWord & Tokens.offsetMask)
                let bytes = UnsafeRawBufferPointer(start: base + start, count: end - start)
                if endWord & Tokens.quotedFlag == 0 {
                    if isNull(bytes) { valid[r] = false; continue }
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

        let storage: ColumnStorage
        switch type {
        case .int64, .timestamp:
            var values = [Int64](repeating: 0, count: n)
            if type == .int64 {
                forEachField { r, b in
                    guard let v = FieldParsers.int64(b) else { return false }
                    values[r] = v
                    return true
                }
            } else {
                forEachField { r, b in
                    if let v = FieldParsers.timestamp(b) { values[r] = v; return true }
                    if let d = FieldParsers.date(b) { values[r] = Int64(d) * 86_400_000_000; return true }
                    return false
                }
            }
            storage = .int64(values)
        case .float64:
            var values = [Double](repeating: 0, count: n)
            forEachField { r, b in
                guard let v = FieldParsers.float64(b) else { return false }
                values[r] = v
                return true
            }
            storage = .float64(values)
        case .date:
            var values = [Int32](repeating: 0, count: n)
            forEachField { r, b in
                guard let v = FieldParsers.date(b) else { return false }
                values[r] = v
                return true
            }
            storage = .int32(values)
        case .bool:
            var values = [Bool](repeating: false, count: n)
            forEachField { r, b in
                guard let v = FieldParsers.bool(b) else { return false }
                values[r] = v
                return true
            }
            storage = .bool(Bitmap(values))
        case .string:
            var strings = StringArray()
            strings.reserveCapacity(count: n, bytes: n * 8)
            var next = 0
            forEachField { r, b in
                while next < r { strings.append(UnsafeRawBufferPointer(start: nil, count: 0)); next += 1 }
                strings.append(b)
                next += 1
                return true
            }
            while next < n { strings.append(UnsafeRawBufferPointer(start: nil, count: 0)); next += 1 }
            storage = .string(strings)
        }
        if let failure { return .failure(failure) }
        return .success(Column(type, storage, validity: Bitmap(valid)))
    }

    @inline(__always)
    func isNull(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for null in nullStrings where null.count == bytes.count {
            if null.isEmpty || null.withUnsafeBytes({ $0.elementsEqual(bytes) }) { return true }
        }
        return false
    }

    /// The content of a quoted field with its escapes removed.
    func unescape(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
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
        var end = r + 1 < t.recordCount ? Int(t.recordOffsets[r + 1]) : Int(t.ends[Int(t.recordFields[r + 1]) - 1] & Tokens.offsetMask)
        if r + 1 == t.recordCount, t.ends[Int(t.recordFields[r + 1]) - 1] & Tokens.quotedFlag != 0, end < buffer.count,
           buffer[end] == quote { end += 1 }
        while end > start && (buffer[end - 1] == 10 || buffer[end - 1] == 13) { end -= 1 }
        let raw = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)
        return RejectedRecord(line: line(t, r, at), byteOffset: at.byteBase + start, column: column, reason: reason,
                              text: text, raw: raw)
    }
}
