import Columns

/// The fields of one column of a tokenized range, read straight from the token buffers.
struct FieldCursor {
    let starts: UnsafeMutablePointer<UInt32>
    let ends: UnsafeMutablePointer<UInt32>
    let recordFields: UnsafeMutablePointer<UInt32>
    let column: Int
    /// Records in the range.
    let count: Int

    init(_ t: Tokens, column: Int) {
        starts = t.starts.base
        ends = t.ends.base
        recordFields = t.recordFields.base
        self.column = column
        count = t.recordCount
    }

    /// Record `r`'s field: byte range within the buffer and the quoted / escaped flags.
    @inline(__always)
    func field(_ r: Int) -> (start: Int, end: Int, flags: UInt32) {
        let f = Int(recordFields[r]) &+ column
        let endWord = ends[f]
        return (Int(starts[f]), Int(endWord & Tokens.offsetMask), endWord & ~Tokens.offsetMask)
    }
}

/// Codes of recently seen strings of 1 to 8 bytes, keyed by the bytes as one word: a key
/// column of short values (codes, ids, flags) is then interned with a load, a multiply and a
/// compare per field, without a call. Direct-mapped; a miss asks the `ByteHashTable`.
struct ShortStringCache: ~Copyable {
    private let words: UnsafeMutablePointer<UInt64>
    /// `length << 32 | code`, 0 when empty (no key has length 0).
    private let tags: UnsafeMutablePointer<UInt64>
    private static let size = 256

    init() {
        words = .allocate(capacity: Self.size)
        words.initialize(repeating: 0, count: Self.size)
        tags = .allocate(capacity: Self.size)
        tags.initialize(repeating: 0, count: Self.size)
    }

    deinit {
        words.deallocate()
        tags.deallocate()
    }

    /// The field of `length` (1...8) bytes ending at `end` as one word; needs 8 readable bytes
    /// before `end`, which the caller checks.
    @inline(__always)
    static func word(endingAt end: UnsafeRawPointer, length: Int) -> UInt64 {
        (end - 8).loadUnaligned(as: UInt64.self) &>> UInt64((8 &- length) &* 8)
    }

    @inline(__always)
    private static func slot(_ word: UInt64, _ length: Int) -> Int {
        Int(truncatingIfNeeded: ((word ^ UInt64(length)) &* 0x9E37_79B9_7F4A_7C15) &>> 56)
    }

    @inline(__always)
    func code(_ word: UInt64, length: Int) -> Int32? {
        let i = Self.slot(word, length)
        let tag = tags[i]
        guard words[i] == word, tag &>> 32 == UInt64(length) else { return nil }
        return Int32(truncatingIfNeeded: tag & 0xFFFF_FFFF)
    }

    @inline(__always)
    func remember(_ word: UInt64, length: Int, code: Int32) {
        let i = Self.slot(word, length)
        words[i] = word
        tags[i] = UInt64(length) &<< 32 | UInt64(UInt32(bitPattern: code))
    }
}

extension RecordConverter {
    /// String values of column `c` when no record is rejected and the empty field is the only
    /// null string (the usual case): one loop over the token positions with the interning
    /// inlined, instead of a closure call per field. Interned while distinct values stay under
    /// half the records, plain otherwise. Returns the storage and the validity (empty: no nulls).
    func directStrings(_ c: Int, _ buffer: UnsafeRawBufferPointer, _ t: Tokens) -> (ColumnStorage, [Bool]) {
        let n = t.recordCount
        let cursor = FieldCursor(t, column: c)
        let base = buffer.baseAddress!
        var valid: [Bool] = []
        var scratch: [UInt8] = []

        let table = ByteHashTable(limit: max(64, n / 2), capacity: 1024)
        let cache = ShortStringCache()
        var interned = true
        // Uninitialized: every slot is written below (nulls as 0), so no zeroing pass.
        let codes = [Int32](unsafeUninitializedCapacity: n) { out, initialized in
            initialized = n
            for r in 0..<n {
                let (start, end, flags) = cursor.field(r)
                let length = end &- start
                let code: Int32?
                if flags == 0 && length <= 8 && end >= 8 {
                    if length == 0 {
                        if valid.isEmpty { valid = [Bool](repeating: true, count: n) }
                        valid[r] = false
                        out[r] = 0
                        continue
                    }
                    let word = ShortStringCache.word(endingAt: base + end, length: length)
                    if let known = cache.code(word, length: length) {
                        out[r] = known
                        continue
                    }
                    code = table.intern(UnsafeRawBufferPointer(start: base + start, count: length))
                    if let code { cache.remember(word, length: length, code: code) }
                } else if flags & Tokens.escapedFlag != 0 {
                    unescape(UnsafeRawBufferPointer(start: base + start, count: length), into: &scratch)
                    code = scratch.withUnsafeBytes { table.intern($0) }
                } else if length == 0 && flags == 0 {
                    if valid.isEmpty { valid = [Bool](repeating: true, count: n) }
                    valid[r] = false
                    out[r] = 0
                    continue
                } else {
                    code = table.intern(UnsafeRawBufferPointer(start: base + start, count: length))
                }
                guard let code else {
                    (initialized, interned) = (r, false)
                    return
                }
                out[r] = code
                // Mostly distinct early on (ids, free text): stop interning, go plain.
                if r == 1023 && table.count > 768 {
                    (initialized, interned) = (r + 1, false)
                    return
                }
            }
        }
        if interned {
            var values = table.values
            if values.count == 0 { values.append("") }  // every code (nulls' included) must index it
            return (.dictionary(codes: codes, values: values), valid)
        }

        // Plain: offsets in one pass, then one exact allocation and a copy per field.
        valid = []
        var offsets = [Int32](repeating: 0, count: n + 1)
        // Unescaped quoted values, which exist only in the scratch buffer.
        var copies: [Int: [UInt8]] = [:]
        var total = 0
        offsets.withUnsafeMutableBufferPointer { offsets in
            for r in 0..<n {
                let (start, end, flags) = cursor.field(r)
                var length = end &- start
                if flags & Tokens.escapedFlag != 0 {
                    unescape(UnsafeRawBufferPointer(start: base + start, count: length), into: &scratch)
                    copies[r] = scratch
                    length = scratch.count
                } else if length == 0 && flags == 0 {
                    if valid.isEmpty { valid = [Bool](repeating: true, count: n) }
                    valid[r] = false
                }
                total &+= length
                precondition(total <= Int(Int32.max), "a string column holds more than 2 GiB")
                offsets[r &+ 1] = Int32(truncatingIfNeeded: total)
            }
        }
        // 16 bytes of slack let short values be copied as two 8-byte words.
        let slack = 16
        var bytes = [UInt8](unsafeUninitializedCapacity: total + slack) { out, count in
            let target = UnsafeMutableRawPointer(out.baseAddress!)
            (target + total).initializeMemory(as: UInt8.self, repeating: 0, count: slack)
            offsets.withUnsafeBufferPointer { offsets in
                for r in 0..<n {
                    let at = Int(offsets[r]), length = Int(offsets[r &+ 1]) &- at
                    guard length > 0 else { continue }
                    let (start, _, flags) = cursor.field(r)
                    if flags & Tokens.escapedFlag != 0 {
                        copies[r]!.withUnsafeBytes { (target + at).copyMemory(from: $0.baseAddress!, byteCount: length) }
                    } else if length <= 16 && start &+ 16 <= buffer.count {
                        (target + at).storeBytes(of: (base + start).loadUnaligned(as: UInt64.self), as: UInt64.self)
                        (target + at + 8).storeBytes(of: (base + start + 8).loadUnaligned(as: UInt64.self), as: UInt64.self)
                    } else {
                        (target + at).copyMemory(from: base + start, byteCount: length)
                    }
                }
            }
            count = total + slack
        }
        bytes.removeLast(slack)
        return (.string(StringArray(offsets: offsets, bytes: bytes)), valid)
    }
}
