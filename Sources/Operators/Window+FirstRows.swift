import Columns

extension Window {
    /// The rows (ascending) that are among the first `k` of their partition in window order,
    /// ties in input order: what a sort would put there. One pass keeps, per partition, its
    /// best `k` so far by (order key words, row).
    func firstRows(_ k: Int, of columns: [Column], count n: Int) -> [UInt32] {
        let groups: [Int32]
        var groupCount = 1
        if partitionKeys.isEmpty {
            groups = [Int32](repeating: 0, count: n)
        } else {
            let table = GroupTable(types: partitionKeys.map { columns[$0].type })
            groups = table.insert(partitionKeys.map { columns[$0] }, count: n)
            groupCount = table.count
        }
        // Partitions so small that k rows cover most of them: nothing to gain, and the slots
        // (k per partition) would outgrow the input.
        if groupCount * k >= n { return (0..<UInt32(n)).map { $0 } }
        let normalized = NormalizedKeys(columns: columns, keys: orderKeys, count: n)
        let (words, w) = normalized.words(of: 0..<orderKeys.count, in: (0..<UInt32(n)).map { $0 })
        // Per group, its kept rows in order, best first; -1 where fewer than k were seen.
        var best = [Int32](repeating: -1, count: groupCount * k)
        /// Whether row a comes before row b in window order (rows ascend: ties go to a < b).
        func before(_ a: Int, _ b: Int) -> Bool {
            for j in 0..<w {
                let x = words[a &* w &+ j], y = words[b &* w &+ j]
                if x != y { return x < y }
            }
            return a < b
        }
        best.withUnsafeMutableBufferPointer { best in
            for r in 0..<n {
                let slots = Int(groups[r]) * k
                // Where r goes among the group's kept rows, if anywhere.
                var at = k
                while at > 0 {
                    let held = Int(best[slots + at - 1])
                    if held >= 0 && !before(r, held) { break }
                    at -= 1
                }
                guard at < k else { continue }
                var j = k - 1
                while j > at {
                    best[slots + j] = best[slots + j - 1]
                    j -= 1
                }
                best[slots + at] = Int32(r)
            }
        }
        return best.filter { $0 >= 0 }.map { UInt32($0) }.sorted()
    }
}
