import CSV
import Columns
import Foundation
import Testing

/// String columns as the reader builds them: interned while values repeat (through the cache
/// of short values keyed by their bytes as one word), plain when they are mostly distinct;
/// either way each row's text comes back exactly, nulls and quoted values included.
@Suite struct CSVStringColumnTests {
    static func read(_ text: String, threads: Int) throws -> [Value] {
        let path = NSTemporaryDirectory() + "baton-strings-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        var options = CSVReadOptions()
        options.schema = try Schema([Field("s", .string), Field("n", .int64)])
        options.threads = threads
        options.blockSize = 4096
        options.parallelSplitMinimum = 0
        let reader = try CSVReader(path: path, options: options)
        var values: [Value] = []
        try reader.read { (batch) throws(BatonError) in values += batch.compacted().columns[0].values }
        return values
    }

    /// Appends a record holding `value` (empty: a null; with doubled quotes: quoted) and
    /// the value a reader must give back.
    static func add(_ value: String, row: Int, to text: inout String, _ expected: inout [Value]) {
        if value.isEmpty {
            text += ",\(row)\n"
            expected.append(.null)
        } else if value.contains("\"") {
            text += "\"\(value)\",\(row)\n"
            expected.append(.string(value.replacingOccurrences(of: "\"\"", with: "\"")))
        } else {
            text += "\(value),\(row)\n"
            expected.append(.string(value))
        }
    }

    /// Values that share their last bytes, differ only in length, or hold a zero byte: the
    /// one-word keys of the short-value cache must still tell them apart.
    @Test(arguments: [1, 2])
    func repeatedShortValuesComeBackExactly(threads: Int) throws {
        let pool = ["a", "b", "aa", "ba", "ab", "a\u{0}", "\u{0}a", "12345678", "x2345678", "123456789", "é", "ab\"\"c", ""]
        var state: UInt64 = 5
        var expected: [Value] = []
        var text = "s,n\n"
        for i in 0..<3000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let k = Int(state >> 33) % pool.count
            let value = pool[k]
            if value.isEmpty && i % 5 == 0 {
                // Every fifth empty value is quoted: an empty string, not a null.
                text += "\"\",\(i)\n"
                expected.append(.string(""))
            } else {
                Self.add(value, row: i, to: &text, &expected)
            }
        }
        #expect(try Self.read(text, threads: threads) == expected)
    }

    /// Mostly distinct values (the plain layout), long and short, with escaped quotes.
    @Test(arguments: [1, 2])
    func distinctValuesComeBackExactly(threads: Int) throws {
        var expected: [Value] = []
        var text = "s,n\n"
        for i in 0..<3000 {
            let value = i % 7 == 0 ? "v\(i)\"\"q" : String(repeating: "z", count: i % 23) + "\(i)"
            Self.add(i % 11 == 0 ? "" : value, row: i, to: &text, &expected)
        }
        #expect(try Self.read(text, threads: threads) == expected)
    }
}
