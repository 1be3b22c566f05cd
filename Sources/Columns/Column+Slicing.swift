extension Column {
    /// Rows `range` as a new column. Dictionary columns keep their dictionary (shared, not
    /// copied).
    public func slice(_ range: Range<Int>) -> Column {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "slice out of range")
        if range == 0..<count { return self }
        let storage: ColumnStorage
        switch self.storage {
        case .int64(let v): storage = .int64(Array(v[range]))
        case .int32(let v): storage = .int32(Array(v[range]))
        case .float64(let v): storage = .float64(Array(v[range]))
        case .bool(let v): storage = .bool(v.slice(range))
        case .string(let v): storage = .string(v.slice(range))
        case .dictionary(let codes, let values): storage = .dictionary(codes: Array(codes[range]), values: values)
        }
        return Column(type, storage, validity: validity?.slice(range))
    }

    /// The rows named by `selection`, in its order: the compaction a pipeline breaker does.
    public func gather(_ selection: SelectionVector) -> Column {
        selection.indices.withUnsafeBufferPointer { indices in
            let storage: ColumnStorage
            switch self.storage {
            case .int64(let v): storage = .int64(Self.gather(v, indices))
            case .int32(let v): storage = .int32(Self.gather(v, indices))
            case .float64(let v): storage = .float64(Self.gather(v, indices))
            case .bool(let v): storage = .bool(v.gather(indices))
            case .string(let v):
                storage = .string(Self.gather(v, indices))
            case .dictionary(let codes, let values):
                storage = .dictionary(codes: Self.gather(codes, indices), values: values)
            }
            return Column(type, storage, validity: validity?.gather(indices))
        }
    }

    /// Strings by index: lengths first (one exact allocation), then the bytes, short strings
    /// copied in a loop rather than through a `memcpy` call each.
    static func gather(_ v: StringArray, _ indices: UnsafeBufferPointer<UInt32>) -> StringArray {
        var offsets = [Int32](repeating: 0, count: indices.count + 1)
        var total = 0
        v.offsets.withUnsafeBufferPointer { o in
            for (k, i) in indices.enumerated() {
                total += Int(o[Int(i) + 1] - o[Int(i)])
                offsets[k + 1] = Int32(truncatingIfNeeded: total)
            }
        }
        let bytes = [UInt8](unsafeUninitializedCapacity: total) { out, initialized in
            v.offsets.withUnsafeBufferPointer { o in
                v.bytes.withUnsafeBufferPointer { src in
                    var at = 0
                    for i in indices {
                        let start = Int(o[Int(i)]), end = Int(o[Int(i) + 1])
                        if end - start > 16 {
                            (out.baseAddress! + at).update(from: src.baseAddress! + start, count: end - start)
                            at += end - start
                        } else {
                            for b in start..<end {
                                out[at] = src[b]
                                at += 1
                            }
                        }
                    }
                }
            }
            initialized = total
        }
        return StringArray(offsets: offsets, bytes: bytes)
    }

    @inlinable
    static func gather<T>(_ values: [T], _ indices: UnsafeBufferPointer<UInt32>) -> [T] {
        values.withUnsafeBufferPointer { src in
            [T](unsafeUninitializedCapacity: indices.count) { dst, initialized in
                for i in 0..<indices.count {
                    (dst.baseAddress! + i).initialize(to: src[Int(indices[i])])
                }
                initialized = indices.count
            }
        }
    }

    /// The same values with dictionary encoding removed. Other columns are returned unchanged.
    public func decoded() -> Column {
        guard case .dictionary(let codes, let values) = storage else { return self }
        var out = StringArray()
        out.reserveCapacity(count: codes.count, bytes: codes.count * 8)
        for i in 0..<codes.count {
            if isNull(i) { out.append(UnsafeRawBufferPointer(start: nil, count: 0)) } else { out.append(from: values, at: Int(codes[i])) }
        }
        return Column(type, .string(out), validity: validity)
    }

    /// The columns' rows one after another.
    ///
    /// Dictionary columns that all share one dictionary stay dictionary-encoded; otherwise
    /// strings are decoded first.
    /// - Precondition: all parts have the same type.
    public static func concatenate(_ parts: [Column]) -> Column {
        precondition(!parts.isEmpty, "nothing to concatenate")
        if parts.count == 1 { return parts[0] }
        let type = parts[0].type
        precondition(parts.allSatisfy { $0.type == type }, "concatenating columns of different types")
        let total = parts.reduce(0) { $0 + $1.count }
        var validity: Bitmap?
        if parts.contains(where: { $0.validity != nil }) {
            var bits = Bitmap(repeating: true, count: 0)
            for part in parts { bits.append(contentsOf: part.validity ?? Bitmap(repeating: true, count: part.count)) }
            validity = bits
        }
        let storage: ColumnStorage
        switch parts[0].storage {
        case .int64: storage = .int64(concat(parts, total) { if case .int64(let v) = $0 { v } else { nil } })
        case .int32: storage = .int32(concat(parts, total) { if case .int32(let v) = $0 { v } else { nil } })
        case .float64: storage = .float64(concat(parts, total) { if case .float64(let v) = $0 { v } else { nil } })
        case .bool:
            var bits = Bitmap(repeating: false, count: 0)
            for part in parts { if case .bool(let v) = part.storage { bits.append(contentsOf: v) } }
            storage = .bool(bits)
        case .dictionary(_, let first) where parts.allSatisfy({
            if case .dictionary(_, let values) = $0.storage { values == first } else { false }
        }):
            let codes: [Int32] = concat(parts, total) { if case .dictionary(let c, _) = $0 { c } else { nil } }
            storage = .dictionary(codes: codes, values: first)
        case .dictionary where parts.allSatisfy({ if case .dictionary = $0.storage { true } else { false } }):
            // Different dictionaries: merge them, renumbering each part's codes.
            let merged = ByteHashTable(limit: Int.max)
            var codes: [Int32] = []
            codes.reserveCapacity(total)
            for part in parts {
                guard case .dictionary(let partCodes, let values) = part.storage else { continue }
                var remap = [Int32](repeating: 0, count: values.count)
                for i in 0..<values.count { remap[i] = values.withBytes(at: i) { merged.intern($0)! } }
                for code in partCodes { codes.append(remap[Int(code)]) }
            }
            storage = .dictionary(codes: codes, values: merged.values)
        case .string, .dictionary:
            // Whole byte buffers appended, offsets shifted: no per-value copy.
            let pieces: [StringArray] = parts.compactMap { if case .string(let v) = $0.decoded().storage { v } else { nil } }
            let byteTotal = pieces.reduce(0) { $0 + $1.bytes.count }
            precondition(byteTotal <= Int(Int32.max), "a string column holds more than 2 GiB")
            var offsets: [Int32] = [0]
            offsets.reserveCapacity(total + 1)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(byteTotal)
            for piece in pieces {
                let shift = Int32(truncatingIfNeeded: bytes.count)
                piece.offsets.withUnsafeBufferPointer { o in
                    for i in 1..<o.count { offsets.append(o[i] &+ shift) }
                }
                bytes.append(contentsOf: piece.bytes)
            }
            storage = .string(StringArray(offsets: offsets, bytes: bytes))
        }
        return Column(type, storage, validity: validity)
    }

    private static func concat<T>(_ parts: [Column], _ total: Int, _ buffer: (ColumnStorage) -> [T]?) -> [T] {
        var out: [T] = []
        out.reserveCapacity(total)
        for part in parts {
            guard let values = buffer(part.storage) else { preconditionFailure("mixed storage in one column") }
            out.append(contentsOf: values)
        }
        return out
    }
}
