import Columns

extension RecordConverter {
    /// Numbers of column `c` when no record is rejected and the empty field is the only null
    /// string: one loop over the token positions with the parser inlined (most fields are
    /// short numbers, where a call per field costs as much as the parse). A small function of
    /// its own, so that the optimizer inlines the parse into the loop. Returns the values, the
    /// validity (empty: no nulls) and the first value that fails.
    @inline(never)
    func directInt64s(_ c: Int, _ buffer: UnsafeRawBufferPointer, _ t: Tokens) -> ([Int64], [Bool], Misfit?) {
        let n = t.recordCount
        let cursor = FieldCursor(t, column: c)
        let base = buffer.baseAddress!
        var slow = SlowFields()
        // Uninitialized: every slot is written below (nulls as 0), so no zeroing pass.
        let values = [Int64](unsafeUninitializedCapacity: n) { out, initialized in
            initialized = n
            let recordFields = cursor.recordFields, starts = cursor.starts, ends = cursor.ends
            for r in 0..<n {
                let f = Int(recordFields[r]) &+ c
                let start = Int(starts[f])
                // With its flags: a quoted field's end is past 2^30, so it fails the length test.
                let endWord = Int(ends[f])
                let length = endWord &- start
                if UInt(bitPattern: length &- 1) < 8 && endWord >= 8,
                   let v = FieldParsers.shortInt64(endingAt: base + endWord, count: length) {
                    out[r] = v
                    continue
                }
                // Everything else (longer, signed, empty, quoted, not a number) out of line,
                // which keeps the loop's registers for the common case.
                guard let v = slowNumber(r, cursor, base, &slow, { FieldParsers.int64($0) }) else {
                    initialized = r
                    break
                }
                out[r] = v
            }
        }
        return (values, slow.valid, slow.failure)
    }

    /// What the out-of-line field paths keep: nulls seen, the unescaping buffer, the misfit.
    struct SlowFields {
        var valid: [Bool] = []
        var scratch: [UInt8] = []
        var failure: Misfit?

        mutating func markNull(_ r: Int, of n: Int) {
            if valid.isEmpty { valid = [Bool](repeating: true, count: n) }
            valid[r] = false
        }
    }

    /// Record `r`'s field by the general path of `parse`: 0 for a null (marked in `slow`),
    /// nil with `slow.failure` set when `parse` refuses it. Out of line and rare, so the
    /// parser is a closure here.
    @inline(never)
    func slowNumber<T: Numeric>(_ r: Int, _ cursor: FieldCursor, _ base: UnsafeRawPointer, _ slow: inout SlowFields,
                                _ parse: (UnsafeRawBufferPointer) -> T?) -> T? {
        let (start, end, flags) = cursor.field(r)
        let bytes = UnsafeRawBufferPointer(start: base + start, count: end &- start)
        if flags == 0 {
            if let v = parse(bytes) { return v }
            if end == start {
                slow.markNull(r, of: cursor.count)
                return 0
            }
        } else if flags & Tokens.escapedFlag != 0 {
            unescape(bytes, into: &slow.scratch)
            if let v = slow.scratch.withUnsafeBytes({ parse($0) }) { return v }
            slow.failure = Misfit(record: r, text: String(decoding: slow.scratch, as: UTF8.self))
            return nil
        } else if let v = parse(bytes) {
            return v
        }
        slow.failure = Misfit(record: r, text: String(decoding: bytes, as: UTF8.self))
        return nil
    }

    /// `directInt64s` for Float64 (written out twice on purpose: through a generic parameter or
    /// a closure, the parse stayed a call per field).
    @inline(never)
    func directFloat64s(_ c: Int, _ buffer: UnsafeRawBufferPointer, _ t: Tokens) -> ([Double], [Bool], Misfit?) {
        let n = t.recordCount
        let cursor = FieldCursor(t, column: c)
        let base = buffer.baseAddress!
        var slow = SlowFields()
        let values = [Double](unsafeUninitializedCapacity: n) { out, initialized in
            initialized = n
            let recordFields = cursor.recordFields, starts = cursor.starts, ends = cursor.ends
            for r in 0..<n {
                let f = Int(recordFields[r]) &+ c
                let start = Int(starts[f])
                let endWord = ends[f]
                if endWord & ~Tokens.offsetMask == 0,
                   let v = FieldParsers.float64(UnsafeRawBufferPointer(start: base + start, count: Int(endWord) &- start)) {
                    out[r] = v
                    continue
                }
                guard let v = slowNumber(r, cursor, base, &slow, { FieldParsers.float64($0) }) else {
                    initialized = r
                    break
                }
                out[r] = v
            }
        }
        return (values, slow.valid, slow.failure)
    }

}
