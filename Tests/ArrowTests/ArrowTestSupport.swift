@testable import Arrow
import Columns

#if canImport(Glibc)
import Glibc
#endif

/// Writes batches to bytes in memory.
func arrowBytes(_ batches: [Batch], schema: Schema, format: ArrowWriter.Format = .stream,
                compression: ArrowWriteOptions.Compression = .none) throws(BatonError) -> [UInt8] {
    final class Bytes { var data: [UInt8] = [] }
    let out = Bytes()
    let writer = ArrowWriter(schema: schema, format: format, options: ArrowWriteOptions(compression: compression)) { raw in
        out.data += raw
    }
    for batch in batches { try writer.write(batch) }
    try writer.finish()
    return out.data
}

/// Every batch of a stream held in memory.
func readStream(_ bytes: [UInt8]) throws(BatonError) -> (Schema?, [Batch]) {
    let reader = try ArrowReader(stream: ArrowInput(name: "test.arrows", bytes: bytes))
    var batches: [Batch] = []
    while let batch = try reader.next() { batches.append(batch) }
    return (reader.schema, batches)
}

/// A file under /tmp holding `bytes`, removed by the caller.
func temporaryFile(_ bytes: [UInt8], suffix: String = ".arrow") -> String {
    var template = Array("/tmp/baton-arrow-XXXXXX\(suffix)".utf8CString)
    let fd = mkstemps(&template, Int32(suffix.utf8.count))
    precondition(fd >= 0)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    return String(cString: template)
}

/// All values of the batches, row by row.
func rows(_ batches: [Batch]) -> [[Value]] {
    batches.flatMap { batch in
        (0..<batch.physicalCount).map { r in batch.columns.map { $0.value(at: r) } }
    }
}

/// Every Baton type with nulls, plus a dictionary-encoded string column.
func sampleBatches() throws -> (Schema, [Batch]) {
    let schema = try Schema([
        Field("i", .int64), Field("f", .float64), Field("b", .bool), Field("s", .string),
        Field("d", .date), Field("t", .timestamp), Field("k", .string), Field("n", .int64, nullable: false),
    ])
    let first = try Batch(schema: schema, columns: [
        .int64([1, nil, Int64.min, Int64.max]),
        .float64([1.5, -0.0, nil, .infinity]),
        .bool([true, nil, false, true]),
        .string(["a", "", nil, "wörld, \"x\"\n"]),
        .date([0, -1, nil, 19_723]),
        .timestamp([nil, 1_700_000_000_123_456, -1, 0]),
        .dictionary([0, 1, nil, 0], values: ["red", "green"]),
        .int64([10, 20, 30, 40]),
    ])
    // A later batch whose dictionary has one old and one new value, in another order.
    let second = try Batch(schema: schema, columns: [
        .int64([7, 8]), .float64([nil, 2]), .bool([nil, nil]), .string(["z", nil]),
        .date([1, 2]), .timestamp([5, nil]),
        .dictionary([0, 1], values: ["blue", "red"]),
        .int64([50, 60]),
    ])
    return (schema, [first, second])
}
