import Columns
import Foundation
import Storage

/// A fresh directory under the system temp directory, removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "baton-tests-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    /// Names of the files in the directory, sorted.
    var contents: [String] { (try? FileManager.default.contentsOfDirectory(atPath: path).sorted()) ?? [] }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// A table with one column of every type, nulls in every column, `rows` rows.
func everyTypeTable(rows: Int, nulls: Bool = true, seed: UInt64 = 1) throws -> (Schema, [Column]) {
    var state = seed
    func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 11
    }
    func null(_ i: Int) -> Bool { nulls && next() % 5 == 0 }
    let schema = try Schema([
        Field("i", .int64), Field("f", .float64), Field("b", .bool), Field("s", .string),
        Field("d", .date), Field("t", .timestamp), Field("k", .string),
    ])
    let words = ["alpha", "beta", "gamma", "delta", "épsilon", "", "a,b", "x\"y"]
    let columns: [Column] = [
        .int64((0..<rows).map { null($0) ? nil : Int64(next() % 1000) - 500 }),
        .float64((0..<rows).map { null($0) ? nil : Double(Int64(next() % 100_000)) / 100 }),
        .bool((0..<rows).map { null($0) ? nil : next() % 2 == 0 }),
        .string((0..<rows).map { null($0) ? nil : "value-\(next() % 10_000)" }),
        .date((0..<rows).map { null($0) ? nil : Int32(next() % 40_000) - 10_000 }),
        .timestamp((0..<rows).map { null($0) ? nil : Int64(next() % 1_000_000_000_000) * 1000 + 17 }),
        .dictionary((0..<rows).map { null($0) ? nil : Int32(next() % UInt64(words.count)) }, values: words),
    ]
    return (schema, columns)
}

/// Writes the columns (of any length) to `path` in batches, returning the writer's summary.
@discardableResult
func write(_ schema: Schema, _ columns: [Column], to path: String, options: WriteOptions = WriteOptions()) throws -> WriteSummary {
    let writer = try BatonWriter(path: path, schema: schema, options: options)
    for batch in try Batch.split(schema: schema, columns: columns, capacity: 1000) { try writer.write(batch) }
    return try writer.finish()
}

/// Every value of every column of the file, read back through `scan`.
func readValues(_ path: String, columns: [String]? = nil) throws -> [[Value]] {
    let reader = try BatonReader(path: path)
    var result = [[Value]](repeating: [], count: try reader.columnIndices(columns).count)
    try reader.scan(columns: columns) { (batch) throws(BatonError) in
        let dense = batch.compacted()
        for (i, column) in dense.columns.enumerated() { result[i] += column.values }
    }
    return result
}

func readBytes(_ path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path)!) }
func writeBytes(_ bytes: [UInt8], _ path: String) { FileManager.default.createFile(atPath: path, contents: Data(bytes)) }

/// The error `body` throws, or nil.
func thrownError(_ body: () throws -> Void) -> BatonError? {
    do { try body(); return nil } catch let error as BatonError { return error } catch { return nil }
}
