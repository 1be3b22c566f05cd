/// The rows of a batch that are still alive, as ascending row indices.
///
/// A filter narrows a batch by writing a selection instead of copying its columns; the copy
/// (`Column.gather`) happens once, where a pipeline breaker needs dense data.
public struct SelectionVector: Sendable, Equatable {
    public let indices: [UInt32]

    /// - Precondition: indices ascend strictly.
    public init(_ indices: [UInt32]) {
        self.indices = indices
    }

    public var count: Int { indices.count }

    /// The positions of the set bits of `mask`, found a word at a time with
    /// trailing-zero counts, so sparse masks cost little more than their population.
    public init(mask: Bitmap) {
        indices = mask.words.withUnsafeBufferPointer { words in
            [UInt32](unsafeUninitializedCapacity: mask.count) { out, initialized in
                var n = 0
                for (w, word) in words.enumerated() {
                    var bits = word
                    let base = UInt32(truncatingIfNeeded: w << 6)
                    while bits != 0 {
                        out[n] = base | UInt32(truncatingIfNeeded: bits.trailingZeroBitCount)
                        n &+= 1
                        bits &= bits &- 1
                    }
                }
                initialized = n
            }
        }
    }

    /// All rows of a batch of `count` rows.
    public static func all(_ count: Int) -> SelectionVector {
        SelectionVector((0..<UInt32(count)).map { $0 })
    }
}
