import Testing
import Columns

@Suite struct ByteHashTableTests {
    /// Codes in order of first appearance, the same value always the same code, through several
    /// growths of the slot table, for short, long and empty strings; `find` never adds.
    @Test func internsLikeADictionary() {
        var state: UInt64 = 42
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        let table = ByteHashTable(limit: Int.max, capacity: 4)
        var reference: [String: Int32] = [:]
        var order: [String] = []
        for _ in 0..<20_000 {
            let n = Int(next() % 5000)
            let text = n % 7 == 0 ? "" : (n % 3 == 0 ? "a much longer value, number \(n), past sixteen bytes" : "v\(n)")
            var copy = text
            let code = copy.withUTF8 { table.intern(UnsafeRawBufferPointer($0))! }
            if let known = reference[text] {
                #expect(code == known)
            } else {
                #expect(code == Int32(order.count))
                reference[text] = code
                order.append(text)
            }
        }
        #expect(table.count == order.count)
        #expect((0..<table.values.count).map { table.values[$0] } == order)
        var missing = "not there"
        #expect(missing.withUTF8 { table.find(UnsafeRawBufferPointer($0)) } == nil)
        var present = order[order.count / 2]
        #expect(present.withUTF8 { table.find(UnsafeRawBufferPointer($0)) } == Int32(order.count / 2))
        #expect(table.count == order.count)
    }

    /// The bulk path (hashing rows ahead) gives the codes one-at-a-time interning gives, writes
    /// 0 for null rows without interning them, and reports a reached limit.
    @Test func internsAllRowsLikeOneByOne() {
        var strings = StringArray()
        var valid: [Bool] = []
        for i in 0..<5_000 {
            let text = i % 11 == 0 ? "" : (i % 4 == 0 ? "a value longer than sixteen bytes \(i % 97)" : "k\(i % 300)")
            strings.append(text)
            valid.append(i % 13 != 5)
        }
        let bulk = ByteHashTable(limit: Int.max, capacity: 4)
        var codes = [UInt64](repeating: 99, count: strings.count)
        let complete = codes.withUnsafeMutableBufferPointer { bulk.internAll(strings, validity: Bitmap(valid), into: $0) }
        #expect(complete)
        let single = ByteHashTable(limit: Int.max)
        for i in 0..<strings.count {
            if !valid[i] {
                #expect(codes[i] == 0)
                continue
            }
            let expected = strings.withBytes(at: i) { single.intern($0)! }
            #expect(codes[i] == UInt64(expected))
        }
        #expect(bulk.count == single.count)
        #expect(bulk.values == single.values)

        let small = ByteHashTable(limit: 10)
        var more = [UInt64](repeating: 0, count: strings.count)
        #expect(!more.withUnsafeMutableBufferPointer { small.internAll(strings, validity: nil, into: $0) })
        #expect(small.count == 10)
    }

    @Test func stopsAddingAtTheLimit() {
        let table = ByteHashTable(limit: 2)
        func intern(_ s: String) -> Int32? { var s = s; return s.withUTF8 { table.intern(UnsafeRawBufferPointer($0)) } }
        #expect(intern("a") == 0)
        #expect(intern("b") == 1)
        #expect(intern("c") == nil)
        #expect(intern("a") == 0)
    }
}
