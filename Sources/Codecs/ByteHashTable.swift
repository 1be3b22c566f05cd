import Columns

/// Interns byte strings to dense codes `0, 1, 2, …` in order of first appearance.
///
/// Open addressing with linear probing over a power-of-two table of (hash, code) slots; the
/// bytes live once in `values`. Used to dictionary-encode strings that arrive unencoded.
struct ByteHashTable {
    private var slots: [Int32]
    private var hashes: [UInt64]
    private var mask: Int
    private(set) var values = StringArray()
    /// Interning stops adding values past this many distinct ones.
    let limit: Int

    init(limit: Int) {
        self.limit = limit
        let size = 1 << 10
        slots = [Int32](repeating: -1, count: size)
        hashes = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { values.count }

    /// The code of `bytes`, adding it if new; nil once `limit` distinct values are held.
    mutating func intern(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        let hash = Checksum.xxh64(bytes)
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let code = slots[i]
            if code < 0 { break }
            if hashes[i] == hash, values.withBytes(at: Int(code), { $0.elementsEqual(bytes) }) { return code }
            i = (i + 1) & mask
        }
        guard values.count < limit else { return nil }
        let code = Int32(values.count)
        values.append(bytes)
        slots[i] = code
        hashes[i] = hash
        if values.count * 2 > slots.count { grow() }
        return code
    }

    private mutating func grow() {
        let size = slots.count * 2
        var newSlots = [Int32](repeating: -1, count: size)
        var newHashes = [UInt64](repeating: 0, count: size)
        let newMask = size - 1
        for (slot, code) in slots.enumerated() where code >= 0 {
            var i = Int(truncatingIfNeeded: hashes[slot]) & newMask
            while newSlots[i] >= 0 { i = (i + 1) & newMask }
            newSlots[i] = code
            newHashes[i] = hashes[slot]
        }
        slots = newSlots
        hashes = newHashes
        mask = newMask
    }
}
