import Columns

/// Encodes String chunks as plain (lengths, then bytes) or as a chunk dictionary.
///
/// A column that is already dictionary-encoded in memory keeps only the dictionary entries its
/// valid rows use, renumbered in order of first use; a plain column is interned when a sample
/// suggests few distinct values.
struct StringEncoder {
    let column: Column

    init(_ column: Column) { self.column = column }

    func encode(_ requested: Encoding?, into out: inout ByteWriter) -> Encoding {
        let n = column.count
        let plainSize = plainByteCount()
        if requested != .plain, let (values, codes) = dictionary(force: requested == .dictionary) {
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
            var total = codes.count * 4
            for (i, code) in codes.enumerated() where !column.isNull(i) {
                total += Int(values.offsets[Int(code) + 1] - values.offsets[Int(code)])
            }
            return total
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
            for i in 0..<n where !column.isNull(i) {
                let code = Int(source[i])
                if remap[code] < 0 {
                    remap[code] = Int32(used.count)
                    used.append(from: values, at: code)
                }
                codes[i] = UInt64(remap[code])
            }
            if used.count == 0 { used.append("") }
            return (used, codes)
        case .string(let strings):
            guard force || looksLowCardinality(strings) else { return nil }
            let table = ByteHashTable(limit: force ? Int.max : n / 2 + 1)
            for i in 0..<n where !column.isNull(i) {
                guard let code = strings.withBytes(at: i, { table.intern($0) }) else { return nil }
                codes[i] = UInt64(code)
            }
            var values = table.values
            if values.count == 0 { values.append("") }
            return (values, codes)
        default:
            preconditionFailure("not a string column")
        }
    }

    private func looksLowCardinality(_ strings: StringArray) -> Bool {
        guard strings.count >= 16 else { return false }
        let step = max(1, strings.count / 1024)
        var seen = Set<String>()
        var sampled = 0
        var i = 0
        while i < strings.count {
            seen.insert(strings[i])
            sampled += 1
            i += step
        }
        return seen.count * 2 <= sampled
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
