import CSV
import Columns
import Foundation
import Testing

/// Writing CSV and reading it back gives the same table, serially and in parallel at block
/// sizes that cut through quoted fields.
@Suite struct CSVRoundTripTests {
    /// Strings with every character CSV must quote, plus nulls and empty strings.
    static func table(rows: Int, seed: UInt64) throws -> (Schema, [Column]) {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 20
        }
        let pieces = ["a", "b,c", "\"q\"", "line\nbreak", "crlf\r\nx", " lead", "trail ", "é", "", "x\"\"y", "tab\tz"]
        let schema = try Schema([
            Field("i", .int64), Field("f", .float64), Field("b", .bool), Field("s", .string),
            Field("d", .date), Field("t", .timestamp),
        ])
        func null() -> Bool { next() % 7 == 0 }
        let columns: [Column] = [
            .int64((0..<rows).map { _ in null() ? nil : Int64(bitPattern: UInt64(next()) &* 0x9E37_79B9) >> 8 }),
            .float64((0..<rows).map { _ in null() ? nil : Double(Int64(next() % 2_000_000) - 1_000_000) / 64 }),
            .bool((0..<rows).map { _ in null() ? nil : next() % 2 == 0 }),
            .string((0..<rows).map { _ in null() ? nil : (0..<Int(next() % 4)).map { _ in pieces[Int(next() % UInt64(pieces.count))] }.joined() }),
            .date((0..<rows).map { _ in null() ? nil : Int32(next() % 50_000) - 20_000 }),
            .timestamp((0..<rows).map { _ in null() ? nil : Int64(next() % 4_000_000_000) * 1_000_003 }),
        ]
        return (schema, columns)
    }

    func csvText(_ schema: Schema, _ columns: [Column]) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var writer = CSVWriter(schema: schema, sink: TextSink { (chunk) throws(BatonError) in bytes += chunk })
        for batch in try Batch.split(schema: schema, columns: columns, capacity: 97) { try writer.write(batch) }
        try writer.finish()
        return bytes
    }

    func read(_ path: String, schema: Schema?, threads: Int, block: Int) throws -> [[Value]] {
        var options = CSVReadOptions()
        options.schema = schema
        options.threads = threads
        options.blockSize = block
        options.parallelSplitMinimum = 0
        let reader = try CSVReader(path: path, options: options)
        var columns = [[Value]](repeating: [], count: reader.schema.count)
        try reader.read { (batch) throws(BatonError) in
            for (i, column) in batch.compacted().columns.enumerated() { columns[i] += column.values }
        }
        return columns
    }

    @Test(arguments: [1, 2, 3])
    func writeThenReadGivesTheSameTable(seed: UInt64) throws {
        let (schema, columns) = try Self.table(rows: 700, seed: seed)
        let path = NSTemporaryDirectory() + "baton-roundtrip-\(seed)-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        FileManager.default.createFile(atPath: path, contents: Data(try csvText(schema, columns)))
        let original = columns.map(\.values)
        // Declared schema: exactly the same values.
        #expect(try read(path, schema: schema, threads: 1, block: 1 << 20) == original)
        for (threads, block) in [(2, 13), (3, 64), (4, 4096)] {
            #expect(try read(path, schema: schema, threads: threads, block: block) == original, "threads \(threads) block \(block)")
        }
        // Inferred schema: the same types come back, so the same values.
        let reader = try CSVReader(path: path)
        #expect(reader.fileSchema == schema)
        #expect(try read(path, schema: nil, threads: 2, block: 333) == original)
    }
}
