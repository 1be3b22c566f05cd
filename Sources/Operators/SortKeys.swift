import Columns

/// Sort keys turned into rows of 64-bit words that order as unsigned integers, word by word,
/// exactly as the keys order in SQL: integers with the sign bit flipped, floats by their
/// IEEE bits folded so that negatives come first (-0.0 as 0.0, every NaN as one NaN above all
/// numbers), strings by the rank of their value among the column's distinct values, a word of
/// null placement before a column that has nulls, every bit inverted for DESC. Sorting is then
/// a least-significant-digit radix sort over those words — stable, so ties keep input order —
/// and equal keys (partitions, peers) are equal words.
///
/// - Complexity: O(rows × words) to build; the sort makes one pass per key byte that varies.
struct NormalizedKeys {
    let count: Int
    /// Words per row.
    let width: Int
    /// Row-major: row r's words are `words[r * width ..< (r + 1) * width]`.
    private(set) var words: [UInt64]
    /// Each key's words within a row.
    private(set) var ranges: [Range<Int>] = []

    /// - Parameter everyNullWord: give every key its null-placement word, nulls or not, so that
    ///   rows of different batches have the same layout and compare word by word (strings
    ///   excepted: their ranks are within one batch).
    init(columns: [Column], keys: [SortKey], count: Int, everyNullWord: Bool = false) {
        self.count = count
        var layout: [Range<Int>] = []
        var w = 0
        for key in keys {
            let n = columns[key.column].validity == nil && !everyNullWord ? 1 : 2
            layout.append(w..<(w + n))
            w += n
        }
        width = w
        ranges = layout
        words = [UInt64](repeating: 0, count: count * max(1, w))
        for (k, key) in keys.enumerated() {
            fill(columns[key.column], key, at: layout[k].lowerBound, nullWord: layout[k].count == 2)
        }
    }

    private mutating func fill(_ column: Column, _ key: SortKey, at start: Int, nullWord hasNullWord: Bool) {
        let n = count
        let w = width
        let flip: UInt64 = key.descending ? ~0 : 0
        var valueWord = start
        if hasNullWord {
            valueWord = start + 1
            // Null placement does not turn with DESC.
            let nullWord: UInt64 = key.nullsFirst ? 0 : 2
            if let validity = column.validity {
                for r in 0..<n { words[r * w + start] = validity[r] ? 1 : nullWord }
            } else {
                for r in 0..<n { words[r * w + start] = 1 }
            }
        }
        words.withUnsafeMutableBufferPointer { out in
            func put(_ r: Int, _ v: UInt64) { out[r &* w &+ valueWord] = v ^ flip }
            switch column.storage {
            case .int64(let v): for r in 0..<n { put(r, UInt64(bitPattern: v[r]) ^ (1 << 63)) }
            case .int32(let v): for r in 0..<n { put(r, UInt64(bitPattern: Int64(v[r])) ^ (1 << 63)) }
            case .float64(let v):
                for r in 0..<n {
                    let d = v[r]
                    let bits = d.isNaN ? Double.nan.bitPattern : (d == 0 ? 0 : d.bitPattern)
                    put(r, bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63))
                }
            case .bool(let v): for r in 0..<n { put(r, v[r] ? 1 : 0) }
            case .dictionary(let codes, let values):
                let ranks = DictionaryRanks.of(values)
                for r in 0..<n { put(r, UInt64(ranks[Int(codes[r])])) }
            case .string(let strings):
                // Rank the distinct values once, then each row by its value's rank.
                let table = ByteHashTable(limit: Int.max)
                var ids = [Int32](repeating: 0, count: n)
                for r in 0..<n { ids[r] = strings.withBytes(at: r) { table.intern($0)! } }
                let ranks = DictionaryRanks.of(table.values)
                for r in 0..<n { put(r, UInt64(ranks[Int(ids[r])])) }
            }
            if let validity = column.validity {
                // Null slots hold unspecified values: make them equal.
                for r in 0..<n where !validity[r] { out[r &* w &+ valueWord] = 0 }
            }
        }
    }

    /// Whether rows a and b have equal words for keys `keys` (a range of key positions).
    @inline(__always)
    func equal(_ a: Int, _ b: Int, keys: Range<Int>) -> Bool {
        guard !keys.isEmpty else { return true }
        let lo = ranges[keys.lowerBound].lowerBound, hi = ranges[keys.upperBound - 1].upperBound
        for k in lo..<hi where words[a * width + k] != words[b * width + k] { return false }
        return true
    }

    /// The words of keys `keys` (a range of key positions) for each row of `order`, row after
    /// row, and how many words a row has: adjacent rows then compare with a sequential scan.
    func words(of keys: Range<Int>, in order: [UInt32]) -> (words: [UInt64], width: Int) {
        guard !keys.isEmpty else { return ([], 0) }
        let lo = ranges[keys.lowerBound].lowerBound, hi = ranges[keys.upperBound - 1].upperBound
        let w = hi - lo
        var out = [UInt64](repeating: 0, count: order.count * w)
        words.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for (i, row) in order.enumerated() {
                    for k in 0..<w { target[i &* w &+ k] = source[Int(row) &* width &+ lo &+ k] }
                }
            }
        }
        return (out, w)
    }

    /// Row indices in key order, ties in input order.
    func sortedIndices() -> [UInt32] {
        var order = (0..<UInt32(count)).map { $0 }
        guard width > 0, count > 1 else { return order }
        var current = [UInt64](repeating: 0, count: count)
        var spareKeys = [UInt64](repeating: 0, count: count)
        var spareOrder = [UInt32](repeating: 0, count: count)
        var histogram = [Int](repeating: 0, count: 256)
        // The counts of all eight bytes of a word in one pass over it (8 × 256 counters fit
        // the L1 cache), instead of a counting pass before each byte's scatter.
        var histograms = [Int](repeating: 0, count: 8 * 256)
        for word in (0..<width).reversed() {
            for i in 0..<count { current[i] = words[Int(order[i]) * width + word] }
            for k in histograms.indices { histograms[k] = 0 }
            current.withUnsafeBufferPointer { keys in
                histograms.withUnsafeMutableBufferPointer { h in
                    for key in keys {
                        for byte in 0..<8 { h[byte &* 256 &+ Int((key >> UInt64(byte &* 8)) & 0xFF)] &+= 1 }
                    }
                }
            }
            for shift in stride(from: 0, to: 64, by: 8) {
                // Bytes were counted in the input order of this word; a scatter by a lower
                // byte permutes rows but leaves the counts of the others as they are.
                for b in 0..<256 { histogram[b] = histograms[(shift / 8) * 256 + b] }
                // A byte that is the same in every row leaves the order as it is.
                if histogram.contains(count) { continue }
                var sum = 0
                for b in 0..<256 {
                    let c = histogram[b]
                    histogram[b] = sum
                    sum += c
                }
                current.withUnsafeBufferPointer { keys in
                    order.withUnsafeBufferPointer { rows in
                        spareKeys.withUnsafeMutableBufferPointer { outKeys in
                            spareOrder.withUnsafeMutableBufferPointer { outRows in
                                histogram.withUnsafeMutableBufferPointer { slots in
                                    for i in 0..<count {
                                        let b = Int((keys[i] >> UInt64(shift)) & 0xFF)
                                        let to = slots[b]
                                        slots[b] = to + 1
                                        outKeys[to] = keys[i]
                                        outRows[to] = rows[i]
                                    }
                                }
                            }
                        }
                    }
                }
                swap(&current, &spareKeys)
                swap(&order, &spareOrder)
            }
        }
        return order
    }
}
