import Columns

/// Rows a partial keeps raw (see `HashAggregate.Partial`), for one hash partition: their keys
/// already encoded as key rows by the partial's table, their hashes, and the aggregates'
/// argument columns.
///
/// Rows are scattered to their partitions once, while their batch is still in the cache.
/// Routing them by row numbers and reading them in the partition merge instead made every
/// partition's merge read the whole batch again, one scattered row at a time: 32 partitions,
/// 32 passes over memory.
struct RawPiece {
    /// `count × width` words: the key rows.
    var words: [UInt64]
    var hashes: [UInt64]
    /// Each aggregate's argument columns, in call order.
    var arguments: [Column]

    var count: Int { hashes.count }
    var byteCount: Int { (words.count + hashes.count) * 8 + arguments.reduce(0) { $0 + $1.byteCount } }

    /// The rows of encoded keys `words`/`hashes` (rows of `width` words) and `arguments` per
    /// partition, by the `bits` hash bits below the top `shift`-complement (level 0: the top
    /// bits). Empty partitions get empty pieces.
    static func scatter(words: UnsafeBufferPointer<UInt64>, hashes: UnsafeBufferPointer<UInt64>, arguments: [Column],
                        width: Int, bits: Int, level: Int) -> [RawPiece] {
        let ways = 1 << bits
        let shift = UInt64(64 - bits * (level + 1))
        let mask = UInt64(ways - 1)
        let n = hashes.count
        var rows = [[UInt32]](repeating: [], count: ways)
        for i in 0..<n { rows[Int((hashes[i] >> shift) & mask)].append(UInt32(i)) }
        return rows.map { mine in
            guard !mine.isEmpty else { return RawPiece(words: [], hashes: [], arguments: []) }
            if mine.count == n {
                return RawPiece(words: Array(words), hashes: Array(hashes), arguments: arguments)
            }
            let pieceWords = [UInt64](unsafeUninitializedCapacity: mine.count * width) { out, initialized in
                for (j, i) in mine.enumerated() {
                    (out.baseAddress! + j * width).update(from: words.baseAddress! + Int(i) * width, count: width)
                }
                initialized = mine.count * width
            }
            return RawPiece(words: pieceWords, hashes: mine.map { hashes[Int($0)] }, arguments: arguments.map { $0.take(mine) })
        }
    }

    /// This piece's rows per sub-partition at `level`.
    func split(width: Int, bits: Int, level: Int) -> [RawPiece] {
        words.withUnsafeBufferPointer { words in
            hashes.withUnsafeBufferPointer { hashes in
                Self.scatter(words: words, hashes: hashes, arguments: arguments, width: width, bits: bits, level: level)
            }
        }
    }
}
