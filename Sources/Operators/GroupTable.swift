import CShims
import Columns

/// Numbers the distinct tuples of key values `0, 1, 2, …` in order of first appearance: the
/// core of hash aggregation, DISTINCT and hash joins.
///
/// Each key becomes a fixed row of 64-bit words — the value's bits for numbers, dates and
/// booleans, two words for a string (its bytes inline when short, else an interned id; see
/// `StringKey`) — plus one word of null flags, so every key type is compared by the same word
/// loop. Row hashes are built from the key *content*, so two tables agree on a key's hash:
/// partials are partitioned by it and merged table to table.
///
/// Open addressing with linear probing; a slot packs the hash's high 32 bits with the group
/// number, so most mismatches are rejected without touching the key words.
/// - Complexity: O(rows × keys) per insert call, expected.
final class GroupTable {
    let types: [DataType]
    /// Words per key: one per key column (two per string column), then the null flags.
    let width: Int
    /// Per key column, its first word in a key row.
    let firstWord: [Int]
    private(set) var count = 0
    private var words: UnsafeMutablePointer<UInt64>
    private var groupHashes: UnsafeMutablePointer<UInt64>
    private var capacity: Int
    private var slots: UnsafeMutablePointer<UInt64>
    private var mask: Int
    /// Interned long strings per string key column (nil for other types), with their hashes.
    private var pools: [ByteHashTable?]
    private var poolHashes: [[UInt64]]
    /// Per string key column: the words and hash of the codes of the last dictionary seen.
    private var dictionaryWords: [DictionaryWords?]
    /// For a lone dictionary key: the last dictionary seen (held: see `DictionaryWords`), and
    /// the group of each of its codes (-1 until met).
    private var groupOfCode: (values: StringArray, identity: UInt, groups: [Int32])?
    /// For a lone integer key (see `insertIntegers`): the group of each value from `directBase`.
    private var direct: [Int32] = []
    private var directBase: Int64 = 0
    private var directNullGroup: Int32 = -1
    private var directOff = false

    /// Codes of one dictionary, encoded as they are first met; kept for the next batch cut
    /// from the same chunk (its slices share the dictionary). The dictionary is held, so that
    /// its buffer's address cannot be reused by another while the cache names it by that
    /// address (spilled frames, decoded one after another, would otherwise be mistaken for it).
    struct DictionaryWords {
        let values: StringArray
        let identity: UInt
        /// Per code: word 0, word 1, hash part; `known[code]` once filled.
        var triples: [UInt64]
        var known: [Bool]
    }

    init(types: [DataType], expected: Int = 1024) {
        self.types = types
        var first: [Int] = []
        var next = 0
        for type in types {
            first.append(next)
            next += type == .string ? 2 : 1
        }
        firstWord = first
        width = next + 1
        capacity = max(16, expected)
        words = .allocate(capacity: capacity * width)
        groupHashes = .allocate(capacity: capacity)
        var size = 64
        while size < capacity * 2 { size <<= 1 }
        slots = .allocate(capacity: size)
        slots.initialize(repeating: 0, count: size)
        mask = size - 1
        pools = types.map { $0 == .string ? ByteHashTable(limit: Int.max, capacity: 16) : nil }
        poolHashes = types.map { _ in [] }
        dictionaryWords = types.map { _ in nil }
    }

    deinit {
        words.deallocate()
        groupHashes.deallocate()
        slots.deallocate()
    }

    /// The hash of group `g`'s key (content-based; equal keys hash equally in every table).
    func hash(of g: Int) -> UInt64 { groupHashes[g] }

    /// Bytes held, for memory figures.
    var byteCount: Int {
        capacity * (width + 1) * 8 + (mask + 1) * 8 + pools.reduce(0) { $0 + ($1?.count ?? 0) * 40 }
            + direct.count * 4 + (groupOfCode?.groups.count ?? 0) * 4
    }

    // MARK: Encoding rows

    /// Key words and hashes of `n` rows of `keys` (rows `rows[i]` of them when given),
    /// column by column. With `adding: false`, a long string never seen gets no id and its row
    /// is reported in `unknown` (it cannot match any group).
    private func encode(_ keys: [Column], _ n: Int, rows: UnsafeBufferPointer<UInt32>?, adding: Bool,
                        words rowWords: UnsafeMutablePointer<UInt64>, hashes: UnsafeMutablePointer<UInt64>, unknown: inout [Bool]) {
        let w = width
        let nullWord = w - 1
        for i in 0..<n {
            rowWords[i * w + nullWord] = 0
            hashes[i] = 0x243F_6A88_85A3_08D3
        }
        let parts = UnsafeMutablePointer<UInt64>.allocate(capacity: max(1, n))
        defer { parts.deallocate() }
        @inline(__always) func row(_ i: Int) -> Int { rows.map { Int($0[i]) } ?? i }
        for (k, column) in keys.enumerated() {
            let at = firstWord[k]
            func put(_ i: Int, _ word: UInt64, _ part: UInt64) {
                rowWords[i &* w &+ at] = word
                parts[i] = part
            }
            switch column.storage {
            case .int64(let values):
                values.withUnsafeBufferPointer { v in
                    for i in 0..<n { let x = UInt64(bitPattern: v[row(i)]); put(i, x, x) }
                }
            case .int32(let values):
                values.withUnsafeBufferPointer { v in
                    for i in 0..<n { let x = UInt64(bitPattern: Int64(v[row(i)])); put(i, x, x) }
                }
            case .float64(let values):
                values.withUnsafeBufferPointer { v in
                    for i in 0..<n {
                        // One key for 0.0 and -0.0, one for every NaN (SQL groups them so).
                        let d = v[row(i)]
                        let x = d.isNaN ? Double.nan.bitPattern : (d == 0 ? 0 : d.bitPattern)
                        put(i, x, x)
                    }
                }
            case .bool(let bits):
                for i in 0..<n { let x: UInt64 = bits[row(i)] ? 1 : 0; put(i, x, x) }
            case .string(let strings):
                strings.offsets.withUnsafeBufferPointer { offsets in
                    strings.bytes.withUnsafeBytes { raw in
                        let base = raw.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!
                        for i in 0..<n {
                            let r = row(i)
                            let start = Int(offsets[r])
                            let (w0, w1, part) = stringWords(k, base + start, Int(offsets[r + 1]) &- start, adding: adding)
                            rowWords[i &* w &+ at] = w0
                            rowWords[i &* w &+ at &+ 1] = w1
                            parts[i] = part
                            if w0 == UInt64.max && StringKey.isLong(w1) { unknown[i] = true }
                        }
                    }
                }
            case .dictionary(let codes, let values):
                let identity = values.bytes.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } ^ UInt(values.count) << 48
                var cache: DictionaryWords
                if adding, let cached = dictionaryWords[k], cached.identity == identity {
                    cache = cached
                } else {
                    cache = DictionaryWords(values: values, identity: identity, triples: [UInt64](repeating: 0, count: values.count * 3),
                                            known: [Bool](repeating: false, count: values.count))
                }
                codes.withUnsafeBufferPointer { codes in
                    values.offsets.withUnsafeBufferPointer { offsets in
                        values.bytes.withUnsafeBytes { raw in
                            let base = raw.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!
                            for i in 0..<n {
                                let code = Int(codes[row(i)])
                                if !cache.known[code] {
                                    let start = Int(offsets[code])
                                    let (w0, w1, part) = stringWords(k, base + start, Int(offsets[code + 1]) &- start, adding: adding)
                                    cache.triples[code * 3] = w0
                                    cache.triples[code * 3 + 1] = w1
                                    cache.triples[code * 3 + 2] = part
                                    cache.known[code] = true
                                }
                                let w0 = cache.triples[code * 3], w1 = cache.triples[code * 3 + 1]
                                rowWords[i &* w &+ at] = w0
                                rowWords[i &* w &+ at &+ 1] = w1
                                parts[i] = cache.triples[code * 3 + 2]
                                if w0 == UInt64.max && StringKey.isLong(w1) { unknown[i] = true }
                            }
                        }
                    }
                }
                if adding { dictionaryWords[k] = cache }
            }
            if let validity = column.validity {
                let flag = UInt64(1) << UInt64(k)
                for i in 0..<n where !validity[row(i)] {
                    rowWords[i * w + at] = 0
                    if types[k] == .string { rowWords[i * w + at + 1] = 0 }
                    rowWords[i * w + nullWord] |= flag
                    parts[i] = 0x5555_5555_5555_5555
                    unknown[i] = false
                }
            }
            for i in 0..<n { hashes[i] = GroupTable.mix(hashes[i] ^ parts[i]) }
        }
        for i in 0..<n { hashes[i] = GroupTable.finish(hashes[i] ^ rowWords[i * w + nullWord]) }
    }

    /// A string's two key words and hash part. A long string not in the pool when not adding
    /// comes back as `(UInt64.max, longMarker)`: it matches no key.
    @inline(__always)
    private func stringWords(_ k: Int, _ p: UnsafeRawPointer, _ length: Int, adding: Bool) -> (UInt64, UInt64, UInt64) {
        if length <= StringKey.maxInline {
            let (w0, w1) = StringKey.inline(p, length)
            return (w0, w1, StringKey.hash(w0, w1))
        }
        let value = UnsafeRawBufferPointer(start: p, count: length)
        let hash = ByteHashTable.hash(value)
        let pool = pools[k]!
        if !adding {
            guard let id = pool.find(value) else { return (UInt64.max, StringKey.longMarker, hash) }
            return (UInt64(id), StringKey.longMarker, hash)
        }
        let before = pool.count
        let id = pool.intern(value, hash: hash)!
        if pool.count > before { poolHashes[k].append(hash) }
        return (UInt64(id), StringKey.longMarker, hash)
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
                strings.offsets.withUnsafeBufferPointer { offsets in
                    strings.bytes.withUnsafeBytes { raw in
                        let base = raw.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!
                        for i in 0..<n {
                            let start = Int(offsets[i])
                            parts[i] = StringKey.hash(base + start, Int(offsets[i + 1]) &- start)
                        }
                    }
                }
            case .dictionary(let codes, let values):
                var byCode = [UInt64?](repeating: nil, count: values.count)
                for i in 0..<n {
                    let code = Int(codes[i])
                    if byCode[code] == nil {
                        byCode[code] = values.withBytes(at: code) { StringKey.hash($0.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, $0.count) }
                    }
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
        if keys.count == 1, case .dictionary(let codes, let values) = keys[0].storage {
            return insertCodes(codes, values, keys[0].validity, n)
        }
        if keys.count == 1, !directOff {
            switch keys[0].storage {
            case .int64(let values): if let groups = insertIntegers(values, keys[0].validity, n) { return groups }
            case .int32(let values): if let groups = insertIntegers(values, keys[0].validity, n) { return groups }
            default: break
            }
        }
        return insert(keys, n, rows: nil)
    }

    /// The hash `encode` gives a lone key, not null, whose value contributes `part`.
    @inline(__always)
    static func loneKeyHash(_ part: UInt64) -> UInt64 { finish(mix(0x243F_6A88_85A3_08D3 ^ part)) }

    /// The group of a lone key's null (zero words, the null flag), added if new; `key` is scratch.
    private func loneNullGroup(_ key: UnsafeMutablePointer<UInt64>) -> Int32 {
        for k in 0..<width { key[k] = 0 }
        key[width - 1] = 1
        return probe(key, GroupTable.finish(GroupTable.mix(0x243F_6A88_85A3_08D3 ^ 0x5555_5555_5555_5555) ^ 1), adding: true)
    }

    /// The widest span of values a lone integer key is grouped by directly.
    static let directSpan: Int64 = 1 << 20

    /// A lone integer key whose values lie within `directSpan` of each other (ids, years,
    /// codes) is grouped through an array indexed by value: each value is looked up once, and
    /// every later row takes its group from the array, without hashing. Nil (and never again
    /// for this table) once the values spread wider.
    private func insertIntegers<T: BinaryInteger>(_ values: [T], _ validity: Bitmap?, _ n: Int) -> [Int32]? {
        guard n > 0 else { return [] }
        var low = Int64.max, high = Int64.min
        values.withUnsafeBufferPointer { v in
            if let validity {
                for i in 0..<n where validity[i] {
                    low = min(low, Int64(v[i]))
                    high = max(high, Int64(v[i]))
                }
            } else {
                for i in 0..<n {
                    low = min(low, Int64(v[i]))
                    high = max(high, Int64(v[i]))
                }
            }
        }
        if low > high {
            // Only nulls: the range stays as it is.
            low = direct.isEmpty ? 0 : directBase
            high = low
        }
        if direct.isEmpty { directBase = low }
        let newLow = min(low, directBase)
        let newHigh = max(high, direct.isEmpty ? high : directBase &+ Int64(direct.count) &- 1)
        let (spread, overflow) = newHigh.subtractingReportingOverflow(newLow)
        guard !overflow, spread < Self.directSpan else {
            directOff = true
            direct = []
            return nil
        }
        let span = Int(spread) + 1
        if newLow != directBase || span > direct.count {
            // Grown to hold the new range: old entries move to their new offsets.
            var grown = [Int32](repeating: -1, count: max(span, min(Int(Self.directSpan), direct.count * 2)))
            let shift = Int(directBase - newLow)
            for (offset, g) in direct.enumerated() where g >= 0 { grown[offset + shift] = g }
            direct = grown
            directBase = newLow
        }
        let key = UnsafeMutablePointer<UInt64>.allocate(capacity: width)
        defer { key.deallocate() }
        let base = directBase
        var nullGroup = directNullGroup
        let result = values.withUnsafeBufferPointer { v in
            direct.withUnsafeMutableBufferPointer { direct in
                [Int32](unsafeUninitializedCapacity: n) { out, initialized in
                    for i in 0..<n {
                        if let validity, !validity[i] {
                            if nullGroup < 0 { nullGroup = loneNullGroup(key) }
                            out[i] = nullGroup
                            continue
                        }
                        let x = Int64(v[i])
                        let offset = Int(x &- base)
                        var g = direct[offset]
                        if g < 0 {
                            let word = UInt64(bitPattern: x)
                            key[0] = word
                            key[1] = 0
                            g = probe(key, GroupTable.loneKeyHash(word), adding: true)
                            direct[offset] = g
                        }
                        out[i] = g
                    }
                    initialized = n
                }
            }
        }
        directNullGroup = nullGroup
        return result
    }

    /// A lone dictionary-encoded key is grouped by code: each code of a dictionary is looked
    /// up once, and every row after that takes its group from an array (batches cut from one
    /// chunk share its dictionary, so a `.baton` file's column is probed once per distinct
    /// value per chunk instead of once per row).
    private func insertCodes(_ codes: [Int32], _ values: StringArray, _ validity: Bitmap?, _ n: Int) -> [Int32] {
        let identity = values.bytes.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } ^ UInt(values.count) << 48
        var groups: [Int32]
        if let cached = groupOfCode, cached.identity == identity {
            groups = cached.groups
        } else {
            groups = [Int32](repeating: -1, count: values.count)
        }
        let key = UnsafeMutablePointer<UInt64>.allocate(capacity: width)
        defer { key.deallocate() }
        var nullGroup: Int32 = -1
        let result = codes.withUnsafeBufferPointer { codes in
            [Int32](unsafeUninitializedCapacity: n) { out, initialized in
                for i in 0..<n {
                    if let validity, !validity[i] {
                        if nullGroup < 0 { nullGroup = loneNullGroup(key) }
                        out[i] = nullGroup
                        continue
                    }
                    let code = Int(codes[i])
                    var g = groups[code]
                    if g < 0 {
                        let (w0, w1, part) = values.offsets.withUnsafeBufferPointer { offsets in
                            values.bytes.withUnsafeBytes { raw in
                                let start = Int(offsets[code])
                                return stringWords(0, (raw.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!) + start,
                                                   Int(offsets[code + 1]) &- start, adding: true)
                            }
                        }
                        key[0] = w0
                        key[1] = w1
                        key[2] = 0
                        g = probe(key, GroupTable.loneKeyHash(part), adding: true)
                        groups[code] = g
                    }
                    out[i] = g
                }
                initialized = n
            }
        }
        groupOfCode = (values, identity, groups)
        return result
    }

    /// The group of rows `rows` of `keys`, adding new groups: the rows of one partition,
    /// without first copying them out of the batch (strings would be copied byte by byte).
    func insert(_ keys: [Column], rows: [UInt32]) -> [Int32] {
        rows.withUnsafeBufferPointer { insert(keys, $0.count, rows: $0) }
    }

    private func insert(_ keys: [Column], _ n: Int, rows: UnsafeBufferPointer<UInt32>?) -> [Int32] {
        withScratch(n) { rowWords, hashes in
            var unknown = [Bool](repeating: false, count: n)
            encode(keys, n, rows: rows, adding: true, words: rowWords, hashes: hashes, unknown: &unknown)
            // Slots are fetched 16 rows ahead of their probe: a table of many groups outgrows
            // the caches, and one probe at a time would wait on memory.
            let ahead = 16
            for i in 0..<min(ahead, n) { baton_prefetch(slots + (Int(truncatingIfNeeded: hashes[i]) & mask)) }
            return [Int32](unsafeUninitializedCapacity: n) { groups, initialized in
                for i in 0..<n {
                    if i &+ ahead < n { baton_prefetch(slots + (Int(truncatingIfNeeded: hashes[i &+ ahead]) & mask)) }
                    groups[i] = probe(rowWords + i &* width, hashes[i], adding: true)
                }
                initialized = n
            }
        }
    }

    /// The key rows and hashes of `keys` (dense columns of `n` rows) without looking them up:
    /// rows kept for a later `insert(encoded:hashes:from:)` into another table. Long strings are
    /// interned here, so this table must outlive that insert.
    func encoded(_ keys: [Column], count n: Int) -> (words: [UInt64], hashes: [UInt64]) {
        var hashes = [UInt64](repeating: 0, count: n)
        var unknown = [Bool](repeating: false, count: n)
        let rowWords = [UInt64](unsafeUninitializedCapacity: n * width) { rowWords, initialized in
            hashes.withUnsafeMutableBufferPointer { hashes in
                encode(keys, n, rows: nil, adding: true, words: rowWords.baseAddress!, hashes: hashes.baseAddress!, unknown: &unknown)
            }
            initialized = n * width
        }
        return (rowWords, hashes)
    }

    /// The groups of key rows made by `other.encoded` (same key types), adding new groups.
    func insert(encoded rowWords: [UInt64], hashes: [UInt64], from other: GroupTable) -> [Int32] {
        let n = hashes.count
        let longKeys = types.indices.filter { types[$0] == .string && other.pools[$0]!.count > 0 }
        let row = UnsafeMutablePointer<UInt64>.allocate(capacity: width)
        defer { row.deallocate() }
        return rowWords.withUnsafeBufferPointer { rowWords in
            hashes.withUnsafeBufferPointer { hashes in
                let ahead = 16
                for i in 0..<min(ahead, n) { baton_prefetch(slots + (Int(truncatingIfNeeded: hashes[i]) & mask)) }
                return [Int32](unsafeUninitializedCapacity: n) { groups, initialized in
                    for i in 0..<n {
                        if i &+ ahead < n { baton_prefetch(slots + (Int(truncatingIfNeeded: hashes[i &+ ahead]) & mask)) }
                        let source = UnsafeMutablePointer(mutating: rowWords.baseAddress! + i &* width)
                        var key = source
                        for k in longKeys where StringKey.isLong(source[firstWord[k] + 1]) {
                            if key == source {
                                row.update(from: source, count: width)
                                key = row
                            }
                            row[firstWord[k]] = UInt64(reintern(k, id: source[firstWord[k]], from: other))
                        }
                        groups[i] = probe(key, hashes[i], adding: true)
                    }
                    initialized = n
                }
            }
        }
    }

    /// The id here of long string `id` of `other`'s pool `k`, interning it if new.
    private func reintern(_ k: Int, id: UInt64, from other: GroupTable) -> Int32 {
        let id = Int(truncatingIfNeeded: id)
        let hash = other.poolHashes[k][id]
        let pool = pools[k]!
        let before = pool.count
        let mine = pool.intern(other.pools[k]!.bytes(of: Int32(truncatingIfNeeded: id)), hash: hash)!
        if pool.count > before { poolHashes[k].append(hash) }
        return mine
    }

    /// The group of every row, or -1 for keys not in the table and, when `nullsMatch` is false,
    /// for keys with a null (SQL joins never match a null).
    func find(_ keys: [Column], count n: Int, nullsMatch: Bool = false) -> [Int32] {
        withScratch(n) { rowWords, hashes in
            var unknown = [Bool](repeating: false, count: n)
            encode(keys, n, rows: nil, adding: false, words: rowWords, hashes: hashes, unknown: &unknown)
            let nullWord = width - 1
            return (0..<n).map { i in
                if unknown[i] || (!nullsMatch && rowWords[i * width + nullWord] != 0) { return -1 }
                return probe(rowWords + i * width, hashes[i], adding: false)
            }
        }
    }

    /// Whether row `i`'s key (as found by `insert`) had a null.
    func hasNull(group g: Int) -> Bool { words[g * width + width - 1] != 0 }

    /// Adds the keys of `other`'s groups `groups` (long strings re-interned here); returns
    /// their groups.
    func insert(from other: GroupTable, groups: [Int32]) -> [Int32] {
        // `other` is only read (several partition merges may read one partial at once).
        let stringKeys = types.indices.filter { types[$0] == .string }
        let row = UnsafeMutablePointer<UInt64>.allocate(capacity: width)
        defer { row.deallocate() }
        var result = [Int32](repeating: 0, count: groups.count)
        for (n, g) in groups.enumerated() {
            let source = other.words + Int(g) * width
            row.update(from: source, count: width)
            for k in stringKeys where StringKey.isLong(source[firstWord[k] + 1]) {
                row[firstWord[k]] = UInt64(reintern(k, id: source[firstWord[k]], from: other))
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

    /// The key columns, one row per group in group order.
    func keyColumns() -> [Column] { keyColumns(0..<count) }

    /// The key columns of groups `range`: results are emitted a batch at a time, so that the
    /// keys of every group are never copied out at once while the table still holds them.
    func keyColumns(_ range: Range<Int>) -> [Column] {
        let nullWord = width - 1
        return types.enumerated().map { k, type in
            let flag = UInt64(1) << UInt64(k)
            let at = firstWord[k]
            var validity: Bitmap?
            var anyNull = false
            for g in range where words[g * width + nullWord] & flag != 0 { anyNull = true; break }
            if anyNull { validity = Bitmap(range.map { words[$0 * width + nullWord] & flag == 0 }) }
            switch type {
            case .int64, .timestamp:
                return Column(type, .int64(range.map { Int64(bitPattern: words[$0 * width + at]) }), validity: validity)
            case .date:
                return Column(type, .int32(range.map { Int32(truncatingIfNeeded: Int64(bitPattern: words[$0 * width + at])) }),
                              validity: validity)
            case .float64:
                return Column(type, .float64(range.map { Double(bitPattern: words[$0 * width + at]) }), validity: validity)
            case .bool:
                return Column(type, .bool(Bitmap(range.map { words[$0 * width + at] != 0 })), validity: validity)
            case .string:
                return Column(type, .string(stringColumn(k, at, range)), validity: validity)
            }
        }
    }

    /// String key `k` (words from `at`) of groups `range`, nulls as empty strings.
    private func stringColumn(_ k: Int, _ at: Int, _ range: Range<Int>) -> StringArray {
        let n = range.count
        var offsets = [Int32]()
        offsets.reserveCapacity(n + 1)
        offsets.append(0)
        var bytes = [UInt8]()
        bytes.reserveCapacity(n * 8)
        let pool = pools[k]!
        for g in range {
            let w0 = words[g * width + at], w1 = words[g * width + at + 1]
            if StringKey.isLong(w1) {
                bytes.append(contentsOf: pool.bytes(of: Int32(truncatingIfNeeded: w0)))
            } else {
                StringKey.appendInline(w0, w1, to: &bytes)
            }
            precondition(bytes.count <= Int(Int32.max), "a string column holds more than 2 GiB")
            offsets.append(Int32(truncatingIfNeeded: bytes.count))
        }
        return StringArray(offsets: offsets, bytes: bytes)
    }
}
