import Columns

/// Numbers the distinct tuples of key values `0, 1, 2, …` in order of first appearance: the
/// core of hash aggregation, DISTINCT and hash joins.
///
/// Each key becomes a fixed row of 64-bit words — the value's bits for numbers, dates and
/// booleans, an interned id for strings — plus one word of null flags, so every key type is
/// compared by the same word loop and strings are hashed once per distinct value (a
/// dictionary column interns only its dictionary, then maps codes). Row hashes are built from
/// the key *content* (strings contribute their byte hash, not their local id), so two tables
/// agree on a key's hash: partials are partitioned by it and merged table to table.
///
/// Open addressing with linear probing; a slot packs the hash's high 32 bits with the group
/// number, so most mismatches are rejected without touching the key words.
/// - Complexity: O(rows × keys) per insert call, expected.
final class GroupTable {
    let types: [DataType]
    /// Words per key: one per key column, then the null flags.
    let width: Int
    private(set) var count = 0
    private var words: UnsafeMutablePointer<UInt64>
    private var groupHashes: UnsafeMutablePointer<UInt64>
    private var capacity: Int
    private var slots: UnsafeMutablePointer<UInt64>
    private var mask: Int
    /// Interned strings per string key column (nil for other types), with their content hashes.
    private(set) var pools: [ByteHashTable?]
    private var poolHashes: [[UInt64]]
    /// Per string key column: the pool ids of the codes of the last dictionary seen (see `encode`).
    private var dictionaryIDs: [(identity: UInt, ids: [Int32])?]
    /// For a lone plain string key: the group of each pool id (see `insertStrings`).
    private var groupOfString: [Int32] = []

    init(types: [DataType], expected: Int = 1024) {
        self.types = types
        width = types.count + 1
        capacity = max(16, expected)
        words = .allocate(capacity: capacity * width)
        groupHashes = .allocate(capacity: capacity)
        var size = 64
        while size < capacity * 2 { size <<= 1 }
        slots = .allocate(capacity: size)
        slots.initialize(repeating: 0, count: size)
        mask = size - 1
        pools = types.map { $0 == .string ? ByteHashTable(limit: Int.max) : nil }
        poolHashes = types.map { _ in [] }
        dictionaryIDs = types.map { _ in nil }
    }

    deinit {
        words.deallocate()
        groupHashes.deallocate()
        slots.deallocate()
    }

    /// The hash of group `g`'s key (content-based; equal keys hash equally in every table).
    func hash(of g: Int) -> UInt64 { groupHashes[g] }

    /// Bytes held, for memory figures.
    var byteCount: Int { capacity * (width + 1) * 8 + (mask + 1) * 8 + pools.reduce(0) { $0 + ($1?.count ?? 0) * 24 } }

    // MARK: Encoding rows

    /// Key words and hashes of `n` rows of `keys`, column by column.
    /// With `adding: false`, a string never seen gets no id and its row is reported in
    /// `unknown` (it cannot match any group).
    private func encode(_ keys: [Column], _ n: Int, adding: Bool, words rowWords: UnsafeMutablePointer<UInt64>,
                        hashes: UnsafeMutablePointer<UInt64>, unknown: inout [Bool]) {
        let w = width
        let nullWord = w - 1
        for i in 0..<n {
            rowWords[i * w + nullWord] = 0
            hashes[i] = 0x243F_6A88_85A3_08D3
        }
        let parts = UnsafeMutablePointer<UInt64>.allocate(capacity: max(1, n))
        defer { parts.deallocate() }
        for (k, column) in keys.enumerated() {
            func put(_ i: Int, _ word: UInt64, _ part: UInt64) {
                rowWords[i &* w &+ k] = word
                parts[i] = part
            }
            switch column.storage {
            case .int64(let values):
                values.withUnsafeBufferPointer { v in
                    for i in 0..<n { let x = UInt64(bitPattern: v[i]); put(i, x, x) }
                }
            case .int32(let values):
                values.withUnsafeBufferPointer { v in
                    for i in 0..<n { let x = UInt64(bitPattern: Int64(v[i])); put(i, x, x) }
                }
            case .float64(let values):
                values.withUnsafeBufferPointer { v in
                    for i in 0..<n {
                        // One key for 0.0 and -0.0, one for every NaN (SQL groups them so).
                        let d = v[i]
                        let x = d.isNaN ? Double.nan.bitPattern : (d == 0 ? 0 : d.bitPattern)
                        put(i, x, x)
                    }
                }
            case .bool(let bits):
                for i in 0..<n { let x: UInt64 = bits[i] ? 1 : 0; put(i, x, x) }
            case .string(let strings):
                let pool = pools[k]!
                strings.offsets.withUnsafeBufferPointer { offsets in
                    strings.bytes.withUnsafeBytes { raw in
                        for i in 0..<n {
                            let value = UnsafeRawBufferPointer(rebasing: raw[Int(offsets[i])..<Int(offsets[i + 1])])
                            if let id = lookup(k, pool, value, adding: adding) {
                                put(i, UInt64(id), poolHashes[k][Int(id)])
                            } else {
                                unknown[i] = true
                                put(i, UInt64.max, 0)
                            }
                        }
                    }
                }
            case .dictionary(let codes, let values):
                // Codes are mapped to pool ids as they are first met, and the map is kept for
                // the next batch cut from the same chunk (its slices share the dictionary), so
                // each dictionary value is interned at most once per table.
                let pool = pools[k]!
                let identity = values.bytes.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } ^ UInt(values.count) << 48
                var ids: [Int32]
                if let cached = dictionaryIDs[k], cached.identity == identity, adding {
                    ids = cached.ids
                } else {
                    ids = [Int32](repeating: -2, count: values.count)
                }
                codes.withUnsafeBufferPointer { codes in
                    for i in 0..<n {
                        let code = Int(codes[i])
                        var id = ids[code]
                        if id == -2 {
                            id = values.withBytes(at: code) { lookup(k, pool, $0, adding: adding) } ?? -1
                            ids[code] = id
                        }
                        if id >= 0 {
                            put(i, UInt64(id), poolHashes[k][Int(id)])
                        } else {
                            unknown[i] = true
                            put(i, UInt64.max, 0)
                        }
                    }
                }
                if adding { dictionaryIDs[k] = (identity, ids) }
            }
            if let validity = column.validity {
                let flag = UInt64(1) << UInt64(k)
                for i in 0..<n where !validity[i] {
                    rowWords[i * w + k] = 0
                    rowWords[i * w + nullWord] |= flag
                    parts[i] = 0x5555_5555_5555_5555
                    unknown[i] = false
                }
            }
            for i in 0..<n { hashes[i] = GroupTable.mix(hashes[i] ^ parts[i]) }
        }
        for i in 0..<n { hashes[i] = GroupTable.finish(hashes[i] ^ rowWords[i * w + nullWord]) }
    }

    /// The hash `insert` would give each row's key, computed from the values alone (nothing is
    /// interned): how rows are routed to partitions before any table sees them.
    static func contentHashes(_ keys: [Column], count n: Int) -> [UInt64] {
        var hashes = [UInt64](repeating: 0x243F_6A88_85A3_08D3, count: n)
        var nulls = [UInt64](repeating: 0, count: n)
        var parts = [UInt64](repeating: 0, count: n)
        for (k, column) in keys.enumerated() {
            switch column.storage {
            case .int64(let v): for i in 0..<n { parts[i] = UInt64(bitPattern: v[i]) }
            case .int32(let v): for i in 0..<n { parts[i] = UInt64(bitPattern: Int64(v[i])) }
            case .float64(let v):
                for i in 0..<n {
                    let d = v[i]
                    parts[i] = d.isNaN ? Double.nan.bitPattern : (d == 0 ? 0 : d.bitPattern)
                }
            case .bool(let bits): for i in 0..<n { parts[i] = bits[i] ? 1 : 0 }
            case .string(let strings):
                for i in 0..<n { parts[i] = strings.withBytes(at: i) { ByteHashTable.hash($0) } }
            case .dictionary(let codes, let values):
                var byCode = [UInt64?](repeating: nil, count: values.count)
                for i in 0..<n {
                    let code = Int(codes[i])
                    if byCode[code] == nil { byCode[code] = values.withBytes(at: code) { ByteHashTable.hash($0) } }
                    parts[i] = byCode[code]!
                }
            }
            if let validity = column.validity {
                for i in 0..<n where !validity[i] {
                    parts[i] = 0x5555_5555_5555_5555
                    nulls[i] |= UInt64(1) << UInt64(k)
                }
            }
            for i in 0..<n { hashes[i] = mix(hashes[i] ^ parts[i]) }
        }
        for i in 0..<n { hashes[i] = finish(hashes[i] ^ nulls[i]) }
        return hashes
    }

    private func lookup(_ k: Int, _ pool: ByteHashTable, _ value: UnsafeRawBufferPointer, adding: Bool) -> Int32? {
        if !adding { return pool.find(value) }
        let hash = ByteHashTable.hash(value)
        let before = pool.count
        let id = pool.intern(value, hash: hash)!
        if pool.count > before { poolHashes[k].append(hash) }
        return id
    }

    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        let h = x &* 0x9E37_79B9_7F4A_7C15
        return h ^ (h >> 29)
    }

    @inline(__always)
    static func finish(_ x: UInt64) -> UInt64 {
        var h = x ^ (x >> 31)
        h = h &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 32)
    }

    // MARK: Inserting and finding

    /// The group of every row of `keys` (dense columns of `n` rows), adding new groups.
    func insert(_ keys: [Column], count n: Int) -> [Int32] {
        if types == [.string], case .string(let strings) = keys[0].storage { return insertStrings(strings, keys[0].validity, n) }
        return withScratch(n) { rowWords, hashes in
            var unknown = [Bool](repeating: false, count: n)
            encode(keys, n, adding: true, words: rowWords, hashes: hashes, unknown: &unknown)
            return (0..<n).map { i in probe(rowWords + i * width, hashes[i], adding: true) }
        }
    }

    /// One plain string key: interning already numbers the distinct values, so a value's pool
    /// id leads to its group through an array, without a second hash probe.
    private func insertStrings(_ strings: StringArray, _ validity: Bitmap?, _ n: Int) -> [Int32] {
        let pool = pools[0]!
        var result = [Int32](repeating: 0, count: n)
        var key = [UInt64](repeating: 0, count: 2)
        strings.offsets.withUnsafeBufferPointer { offsets in
            strings.bytes.withUnsafeBytes { raw in
                // Hashes first, so the pool's slots can be fetched 16 rows ahead of their probe
                // (with 1e5 distinct keys the pool outgrows the core's caches).
                var hashes = [UInt64](repeating: 0, count: n)
                for i in 0..<n {
                    hashes[i] = ByteHashTable.hash(UnsafeRawBufferPointer(rebasing: raw[Int(offsets[i])..<Int(offsets[i + 1])]))
                }
                for i in 0..<min(16, n) { pool.prefetch(hash: hashes[i]) }
                for i in 0..<n {
                    if i &+ 16 < n { pool.prefetch(hash: hashes[i &+ 16]) }
                    if let validity, !validity[i] {
                        key[0] = 0
                        key[1] = 1
                        let hash = GroupTable.finish(GroupTable.mix(0x243F_6A88_85A3_08D3 ^ 0x5555_5555_5555_5555) ^ 1)
                        result[i] = key.withUnsafeMutableBufferPointer { probe($0.baseAddress!, hash, adding: true) }
                        continue
                    }
                    let value = UnsafeRawBufferPointer(rebasing: raw[Int(offsets[i])..<Int(offsets[i + 1])])
                    let contentHash = hashes[i]
                    let before = pool.count
                    let id = Int(pool.intern(value, hash: contentHash)!)
                    if pool.count > before { poolHashes[0].append(contentHash) }
                    if id < groupOfString.count, groupOfString[id] >= 0 {
                        result[i] = groupOfString[id]
                        continue
                    }
                    // A value new here, or interned by another path (a dictionary batch, a
                    // merge): find or add its group the usual way, then remember it.
                    key[0] = UInt64(id)
                    key[1] = 0
                    let hash = GroupTable.finish(GroupTable.mix(0x243F_6A88_85A3_08D3 ^ contentHash))
                    let g = key.withUnsafeMutableBufferPointer { probe($0.baseAddress!, hash, adding: true) }
                    if groupOfString.count <= id { groupOfString.append(contentsOf: repeatElement(-1, count: id + 1 - groupOfString.count)) }
                    groupOfString[id] = g
                    result[i] = g
                }
            }
        }
        return result
    }

    /// The group of every row, or -1 for keys not in the table and, when `nullsMatch` is false,
    /// for keys with a null (SQL joins never match a null).
    func find(_ keys: [Column], count n: Int, nullsMatch: Bool = false) -> [Int32] {
        withScratch(n) { rowWords, hashes in
            var unknown = [Bool](repeating: false, count: n)
            encode(keys, n, adding: false, words: rowWords, hashes: hashes, unknown: &unknown)
            let nullWord = width - 1
            return (0..<n).map { i in
                if unknown[i] || (!nullsMatch && rowWords[i * width + nullWord] != 0) { return -1 }
                return probe(rowWords + i * width, hashes[i], adding: false)
            }
        }
    }

    /// Whether row `i`'s key (as found by `insert`) had a null.
    func hasNull(group g: Int) -> Bool { words[g * width + width - 1] != 0 }

    /// Adds the keys of `other`'s groups `groups` (strings re-interned here); returns their groups.
    func insert(from other: GroupTable, groups: [Int32]) -> [Int32] {
        // `other` is only read (several partition merges may read one partial at once).
        let stringKeys = types.indices.filter { types[$0] == .string }
        let row = UnsafeMutablePointer<UInt64>.allocate(capacity: width)
        defer { row.deallocate() }
        var result = [Int32](repeating: 0, count: groups.count)
        for (n, g) in groups.enumerated() {
            let source = other.words + Int(g) * width
            row.update(from: source, count: width)
            for k in stringKeys where source[width - 1] & (UInt64(1) << UInt64(k)) == 0 {
                let id = Int32(truncatingIfNeeded: source[k])
                let hash = other.poolHashes[k][Int(id)]
                let pool = pools[k]!
                let before = pool.count
                let mine = pool.intern(other.pools[k]!.bytes(of: id), hash: hash)!
                if pool.count > before { poolHashes[k].append(hash) }
                row[k] = UInt64(mine)
            }
            result[n] = probe(row, other.groupHashes[Int(g)], adding: true)
        }
        return result
    }

    private func withScratch<R>(_ n: Int, _ body: (UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<UInt64>) -> R) -> R {
        let rowWords = UnsafeMutablePointer<UInt64>.allocate(capacity: max(1, n * width))
        let hashes = UnsafeMutablePointer<UInt64>.allocate(capacity: max(1, n))
        defer {
            rowWords.deallocate()
            hashes.deallocate()
        }
        return body(rowWords, hashes)
    }

    @inline(__always)
    private func probe(_ key: UnsafeMutablePointer<UInt64>, _ hash: UInt64, adding: Bool) -> Int32 {
        let tag = hash >> 32
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[i]
            if slot == 0 { break }
            if slot >> 32 == tag {
                let g = Int(slot & 0xFFFF_FFFF) - 1
                let stored = words + g * width
                var same = true
                for k in 0..<width where stored[k] != key[k] { same = false; break }
                if same { return Int32(g) }
            }
            i = (i + 1) & mask
        }
        guard adding else { return -1 }
        let g = count
        if g == capacity { growGroups() }
        (words + g * width).update(from: key, count: width)
        groupHashes[g] = hash
        slots[i] = tag << 32 | UInt64(g + 1)
        count += 1
        if count * 2 > mask + 1 { growSlots() }
        return Int32(g)
    }

    private func growGroups() {
        let newCapacity = capacity * 2
        let newWords = UnsafeMutablePointer<UInt64>.allocate(capacity: newCapacity * width)
        newWords.update(from: words, count: count * width)
        words.deallocate()
        words = newWords
        let newHashes = UnsafeMutablePointer<UInt64>.allocate(capacity: newCapacity)
        newHashes.update(from: groupHashes, count: count)
        groupHashes.deallocate()
        groupHashes = newHashes
        capacity = newCapacity
    }

    private func growSlots() {
        let size = (mask + 1) * 2
        let newSlots = UnsafeMutablePointer<UInt64>.allocate(capacity: size)
        newSlots.initialize(repeating: 0, count: size)
        let newMask = size - 1
        for g in 0..<count {
            let hash = groupHashes[g]
            var i = Int(truncatingIfNeeded: hash) & newMask
            while newSlots[i] != 0 { i = (i + 1) & newMask }
            newSlots[i] = (hash >> 32) << 32 | UInt64(g + 1)
        }
        slots.deallocate()
        slots = newSlots
        mask = newMask
    }

    // MARK: Reading keys back

    /// The key columns, one row per group in group order (strings as dictionary columns).
    func keyColumns() -> [Column] {
        let n = count
        let nullWord = width - 1
        return types.enumerated().map { k, type in
            let flag = UInt64(1) << UInt64(k)
            var validity: Bitmap?
            var anyNull = false
            for g in 0..<n where words[g * width + nullWord] & flag != 0 { anyNull = true; break }
            if anyNull { validity = Bitmap((0..<n).map { words[$0 * width + nullWord] & flag == 0 }) }
            switch type {
            case .int64, .timestamp:
                return Column(type, .int64((0..<n).map { Int64(bitPattern: words[$0 * width + k]) }), validity: validity)
            case .date:
                return Column(type, .int32((0..<n).map { Int32(truncatingIfNeeded: Int64(bitPattern: words[$0 * width + k])) }),
                              validity: validity)
            case .float64:
                return Column(type, .float64((0..<n).map { Double(bitPattern: words[$0 * width + k]) }), validity: validity)
            case .bool:
                return Column(type, .bool(Bitmap((0..<n).map { words[$0 * width + k] != 0 })), validity: validity)
            case .string:
                var values = pools[k]!.values
                if values.count == 0 { values.append("") }
                return Column(type, .dictionary(codes: (0..<n).map { Int32(truncatingIfNeeded: words[$0 * width + k]) }, values: values),
                              validity: validity)
            }
        }
    }
}
