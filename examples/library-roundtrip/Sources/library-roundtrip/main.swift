import Columns
import Storage

/// Writes 200,000 trips in row groups of 50,000, then reads the fares over 95 of the last row
/// group only: the other three are skipped by their statistics without being read.
func run() throws(BatonError) {
    let path = "trips.baton"
    let schema = try Schema([Field("trip", .int64), Field("city", .string), Field("fare", .float64)])
    let cities = ["Oslo", "Bergen", "Molde", "Tromsø"]
    let writer = try BatonWriter(path: path, schema: schema, options: WriteOptions(rowGroupSize: 50_000))
    for start in stride(from: 0, to: 200_000, by: Batch.capacity) {
        let rows = start..<min(start + Batch.capacity, 200_000)
        try writer.write(try Batch(schema: schema, columns: [
            .int64(rows.map { Int64($0) }),
            .dictionary(rows.map { Int32($0 % cities.count) }, values: cities),
            .float64(rows.map { Double($0) / 2_000 }),  // fares rise with the trip number
        ]))
    }
    let written = try writer.finish()
    print("wrote \(written.rows) rows in \(written.rowGroups) row groups, \(written.fileBytes) bytes")

    let reader = try BatonReader(path: path)
    var total = 0.0, count = 0
    let summary = try reader.scan(columns: ["fare"], where: [ColumnPredicate("fare", .greater, .float64(95))]) { batch in
        guard case .float64(let fares) = batch.columns[0].storage else { return }
        for row in batch.selection?.indices.map(Int.init) ?? Array(0..<batch.physicalCount) {
            total += fares[row]
            count += 1
        }
    }
    print("\(count) fares over 95, average \(total / Double(count))")
    print("row groups read \(summary.rowGroupsRead), skipped \(summary.rowGroupsSkipped)")
}

do {
    try run()
} catch {
    print("error: \(error)")
}
