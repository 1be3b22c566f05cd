import Columns

/// Encodes String chunks as plain (lengths, then bytes) or as a chunk dictionary.
///
/// A column that is already dictionary-encoded in memory keeps only the dictionary entries its
/// valid rows use, renumbered in order of first use; a plain column is interned when a sample
/// suggests few distinct values.
struct StringEncoder {
    let column: Column

    init(_ column: Column) { self.column = column }

    /// Writes the chunk; `distinct` receives the distinct valid values when a dictionary
    /// was built (whether or not it was used).
    func encode(_ requested: Encoding?, into out: inout ByteWriter, distinct: inout StringArray?) -> Encoding {
        let n = column.count
        let plainSize = plainByteCount()
        if requested != .plain, let (values, codes) = dictionary(force: requested == .dictionary) {
            // A dictionary of a column with nulls holds the placeholder "" for an all-null
            // chunk only; otherwise every entry is some valid row's value.
            if column.nullCount < n { distinct = values }
            let bits = BitPacking.width(of: UInt64(max(values.count, 1) - 1))
            let dictionarySize = 5 + values.count * 4 + values.bytes.count + BitPacking.byteCount(count: n, width: bits)
            if requested == .dictionary || dictionarySize < plainSize {
                out.u32(UInt32(values.count))
                writePlain(values, validity: nil, into: &out)
                out.u8(UInt8(bits))
                codes.withUnsafeBufferPointer { BitPacking.pack($0, width: bits, into: &out) }
                return .dictionary
            }
        }
        switch column.storage {
        case .string(let strings):
            writePlain(strings, validity: column.validity, into: &out)
        default:
            guard case .string(let strings) = column.decoded().storage else { preconditionFailure() }
            writePlain(strings, validity: column.validity, into: &out)
        }
        return .plain
    }

    private func plainByteCount() -> Int {
        switch column.storage {
        case .string(let strings): return column.count * 4 + strings.bytes.count
        case .dictionary(let codes, let values):
            return codes.count * 4 + values.totalBytes(ofCodes: codes, validity: column.validity)
        default: preconditionFailure("not a string column")
        }
    }

    /// The chunk dictionary and each row's code (0 for nulls), or nil when interning gives up.
    private func dictionary(force: Bool) -> (StringArray, [UInt64])? {
        let n = column.count
        var codes = [UInt64](repeating: 0, count: n)
        switch column.storage {
        case .dictionary(let source, let values):
            var remap = [Int32](repeating: -1, count: values.count)
            var used = StringArray()
            let validity = column.validity
            remap.withUnsafeMutableBufferPointer { remap in
                source.withUnsafeBufferPointer { source in
                    codes.withUnsafeMutableBufferPointer { codes in
                        for i in 0..<n where validity.map({ $0[i] }) ?? true {
                            let code = Int(source[i])
                            if remap[code] < 0 {
                                remap[code] = Int32(used.count)
                                used.append(from: values, at: code)
                            }
                            codes[i] = UInt64(UInt32(bitPattern: remap[code]))
                        }
                    }
                }
            }
            if used.count == 0 { used.append("") }
            return (used, codes)
        case .string(let strings):
            guard force || looksLowCardinality(strings) else { return nil }
            let table = ByteHashTable(limit: force ? Int.max : n / 2 + 1)
            let complete = codes.withUnsafeMutableBufferPointer { table.internAll(strings, validity: column.validity, into: $0) }
            guard complete else { return nil }
            var values = table.values
            if values.count == 0 { values.append("") }
            return (values, codes)
        default:
            preconditionFailure("not a string column")
        }
    }

    /// Whether a dictionary would be well under the plain size, judged from up to 8,192 evenly
    /// spaced values. Their distinct count alone cannot tell 10^5 distinct values in a million
    /// from 10^6, so the repeats among them are used too: with D distinct values equally
    /// likely, s samples hold about s²/(2D) repeats (the birthday bound), so D ≈ s²/(2·repeats).
    private func looksLowCardinality(_ strings: StringArray) -> Bool {
        let n = strings.count
        guard n >= 16 else { return false }
        let step = max(1, n / 8192)
        var seen = DistinctCounter(maxInserts: (n + step - 1) / step)
        var sampled = 0
        var i = 0
        strings.bytes.withUnsafeBytes { raw in
            while i < n {
                let start = Int(strings.offsets[i]), end = Int(strings.offsets[i + 1])
                seen.insert(ByteHashTable.hash(UnsafeRawBufferPointer(rebasing: raw[start..<end])))
                sampled += 1
                i += step
            }
        }
        if seen.count * 2 <= sampled { return true }
        let repeats = sampled - seen.count
        guard repeats > 0 else { return false }
        let distinct = Double(sampled) * Double(sampled) / (2 * Double(repeats))
        guard distinct < Double(n) / 4 else { return false }
        let averageLength = Double(strings.bytes.count) / Double(n)
        let codeBits = Double(BitPacking.width(of: UInt64(max(distinct, 2) - 1)))
        let dictionaryBytes = distinct * (averageLength + 4) + Double(n) * codeBits / 8
        return dictionaryBytes < 0.6 * Double(strings.bytes.count + 4 * n)
    }

    /// Lengths as u32, then the bytes; null rows written as empty strings.
    private func writePlain(_ strings: StringArray, validity: Bitmap?, into out: inout ByteWriter) {
        var lengths = [UInt32](repeating: 0, count: strings.count)
        for i in 0..<strings.count where validity.map({ $0[i] }) ?? true {
            lengths[i] = UInt32(strings.offsets[i + 1] - strings.offsets[i]).littleEndian
        }
        out.append(values: lengths)
        if validity == nil {
            out.append(strings.bytes)
        } else {
            for i in 0..<strings.count where lengths[i] != 0 { strings.withBytes(at: i) { out.append($0) } }
        }
    }
}
