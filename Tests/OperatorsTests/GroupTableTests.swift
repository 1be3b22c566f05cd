import Columns
import Testing
@testable import Operators

/// String keys are stored inline up to 15 bytes and interned beyond (`StringKey`). Keys of
/// every length around that boundary, with shared prefixes, trailing zero bytes and nulls,
/// must number groups exactly as a dictionary of the key values does, however they arrive:
/// plain or dictionary-encoded, inserted directly, merged group by group from another table,
/// or pre-encoded by one table and inserted into another.
@Suite struct GroupTableTests {
    /// Strings of 0 to 24 bytes from a small alphabet that includes the zero byte, so that
    /// "a", "a\0" and "a\0\0" are all distinct keys, as are prefixes of each other.
    static func strings(_ count: Int, seed: UInt64) -> [String?] {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
        let alphabet: [UInt8] = [0, 97, 98, 122]
        return (0..<count).map { _ in
            if next(23) == 0 { return nil }
            let length = [0, 1, 7, 8, 9, 14, 15, 16, 17, 24][next(10)]
            return String(decoding: (0..<length).map { _ in alphabet[next(length > 14 ? 2 : 4) + (length > 14 ? 1 : 0)] }, as: UTF8.self)
        }
    }

    /// The group each row should get: keys numbered in order of first appearance.
    static func reference(_ keys: [[AnyHashable?]]) -> [Int32] {
        var seen: [[AnyHashable?]: Int32] = [:]
        return keys.map { key in
            if let g = seen[key] { return g }
            seen[key] = Int32(seen.count)
            return Int32(seen.count - 1)
        }
    }

    static func columns(_ strings: [String?], _ numbers: [Int64?], dictionary: Bool) -> [Column] {
        let distinct = Array(Set(strings.compactMap { $0 })).sorted()
        let code = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, Int32($0)) })
        let text = dictionary ? Column.dictionary(strings.map { $0.map { code[$0]! } }, values: distinct) : Column.string(strings)
        return [text, Column.int64(numbers)]
    }

    @Test(arguments: [false, true])
    func groupsMatchAReferenceAcrossEveryPath(dictionary: Bool) {
        let n = 4000
        let strings = Self.strings(n, seed: dictionary ? 5 : 3)
        let numbers: [Int64?] = (0..<n).map { $0 % 11 == 0 ? nil : Int64($0 % 3) }
        let expected = Self.reference(zip(strings, numbers).map { [$0 as AnyHashable?, $1 as AnyHashable?] })
        let types: [DataType] = [.string, .int64]
        let keys = Self.columns(strings, numbers, dictionary: dictionary)

        // Directly, in two calls (the second meeting keys of the first).
        let direct = GroupTable(types: types, expected: 16)
        let half = n / 2
        let first = direct.insert(keys.map { $0.slice(0..<half) }, count: half)
        let second = direct.insert(keys.map { $0.slice(half..<n) }, count: n - half)
        #expect(first + second == expected)

        // The key columns read back are the distinct keys in group order.
        let back = direct.keyColumns()
        var firstRow: [Int32: Int] = [:]
        for (row, g) in expected.enumerated() where firstRow[g] == nil { firstRow[g] = row }
        for g in 0..<direct.count {
            let row = firstRow[Int32(g)]!
            #expect(back[0].isNull(g) == (strings[row] == nil))
            if let s = strings[row] { #expect(back[0].value(at: g) == .string(s)) }
            #expect(back[1].value(at: g) == (numbers[row].map { .int64($0) } ?? .null))
        }

        // Merged from a table that saw the rows, group by group (long strings re-interned).
        let merged = GroupTable(types: types)
        let moved = merged.insert(from: direct, groups: (0..<Int32(direct.count)).reversed())
        #expect(Set(moved).count == direct.count)
        #expect(merged.insert(keys, count: n) == expected.map { moved[direct.count - 1 - Int($0)] })

        // Pre-encoded by one table, inserted into another.
        let encoder = GroupTable(types: types)
        let (words, hashes) = encoder.encoded(keys, count: n)
        let target = GroupTable(types: types)
        #expect(target.insert(encoded: words, hashes: hashes, from: encoder) == expected)
        #expect((0..<n).allSatisfy { target.hash(of: Int(expected[$0])) == hashes[$0] })
        #expect(GroupTable.contentHashes(keys, count: n) == hashes)
    }

    @Test func findMatchesOnlyKnownKeysAndNeverNulls() {
        let table = GroupTable(types: [.string])
        let known = ["", "short", "fifteen bytes!!", "sixteen bytes!!!", "a much longer string than that"]
        let groups = table.insert([Column.string(known + [nil])], count: known.count + 1)
        let probes: [String?] = ["sixteen bytes!!!", "fifteen bytes!!", "unknown long string, never seen", "short", "", "shor", nil]
        let found = table.find([Column.string(probes)], count: probes.count)
        #expect(found == [groups[3], groups[2], -1, groups[1], groups[0], -1, -1])
    }

    /// A lone dictionary key is grouped by code (`insertCodes`): batches sharing a dictionary,
    /// and a different dictionary after them, number groups as the reference does, with the
    /// same hashes as `contentHashes` (partials are routed by them) and the keys read back.
    @Test func aLoneDictionaryKeyGroupsByCode() {
        let strings = Self.strings(3000, seed: 9)
        let expected = Self.reference(strings.map { [$0 as AnyHashable?] })
        let key = Self.columns(strings, strings.map { _ in 0 }, dictionary: true)[0]
        let other = Column.dictionary([1, nil, 0, 2], values: ["zz", "", "a much longer string than inline"])
        let table = GroupTable(types: [.string])
        let groups = table.insert([key.slice(0..<1000)], count: 1000) + table.insert([key.slice(1000..<3000)], count: 2000)
        #expect(groups == expected)
        let more = table.insert([other], count: 4)
        let plain = GroupTable(types: [.string])
        _ = plain.insert([Column.string(strings)], count: 3000)
        #expect(more == plain.insert([Column.string(["", nil, "zz", "a much longer string than inline"])], count: 4))
        let hashes = GroupTable.contentHashes([key], count: 3000) + GroupTable.contentHashes([other], count: 4)
        #expect(zip(groups + more, hashes).allSatisfy { table.hash(of: Int($0)) == $1 })
        let back = table.keyColumns()[0], want = plain.keyColumns()[0]
        #expect(table.count == plain.count)
        #expect((0..<plain.count).allSatisfy { back.value(at: $0) == want.value(at: $0) })
    }

    /// A lone integer key is grouped through an array by value while values stay within
    /// `directSpan` of each other (`insertIntegers`), the array regrowing downwards and upwards,
    /// and by hashing once they spread wider: groups, hashes and keys read back all match a
    /// table that only ever hashed.
    @Test func aLoneIntegerKeyGroupsByValueThenByHash() {
        let batches: [[Int64?]] = [
            [5, 7, nil, 5, 1_000, 7], [-3, 5, 1_000, nil], [Int64(GroupTable.directSpan) - 10, -3],
            [nil, nil], [Int64.max, 5, Int64.min, 7], [42, Int64.max],
        ]
        let direct = GroupTable(types: [.int64])
        let hashed = GroupTable(types: [.int64, .int64])  // two keys: never the direct path
        for values in batches {
            let column = Column.int64(values)
            let zeros = Column.int64(values.map { _ in 0 })
            let got = direct.insert([column], count: values.count)
            let want = hashed.insert([column, zeros], count: values.count)
            #expect(got == want, "\(values)")
            #expect(GroupTable.contentHashes([column], count: values.count) == got.map { direct.hash(of: Int($0)) })
        }
        let back = direct.keyColumns()[0], want = hashed.keyColumns()[0]
        #expect(direct.count == hashed.count)
        #expect((0..<direct.count).allSatisfy { back.value(at: $0) == want.value(at: $0) })
    }
}
