/// Counts the distinct 64-bit words among a bounded number of inserts: open addressing over
/// one flat array, for the encoders' sampling passes. Swift's `Set` hashes every word with
/// SipHash and grows by rehashing; on the small chunks spill files are made of, that cost more
/// than the encoding it helps choose (a spilled join spent 30% of its time there).
struct DistinctCounter {
    private var slots: [UInt64]
    private let mask: Int
    private var sawZero = false
    private(set) var count = 0

    /// - Parameter maxInserts: at most this many `insert` calls follow (the table stays at most
    ///   half full, so probes stay short).
    init(maxInserts: Int) {
        var size = 16
        while size < maxInserts * 2 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    mutating func insert(_ word: UInt64) {
        // 0 marks an empty slot, so the word 0 is counted apart.
        if word == 0 {
            if !sawZero {
                sawZero = true
                count += 1
            }
            return
        }
        let mask = self.mask
        var i = Int(truncatingIfNeeded: (word &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
        let added = slots.withUnsafeMutableBufferPointer { s -> Bool in
            while true {
                let held = s[i]
                if held == word { return false }
                if held == 0 {
                    s[i] = word
                    return true
                }
                i = (i + 1) & mask
            }
        }
        if added { count += 1 }
    }
}
