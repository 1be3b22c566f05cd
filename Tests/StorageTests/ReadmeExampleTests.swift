import Columns
import Storage
import Testing

/// The library example of README.md, kept compiling and true.
@Suite struct ReadmeExampleTests {
    @Test func writeThenScanWithAPredicate() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.file("trips.baton")

        let schema = try Schema([Field("city", .string), Field("fare", .float64)])
        let batch = try Batch(schema: schema, columns: [.string(["Oslo", nil]), .float64([12.5, 7.25])])
        let writer = try BatonWriter(path: path, schema: schema, options: WriteOptions(codec: .auto))
        try writer.write(batch)
        try writer.finish()

        let reader = try BatonReader(path: path)
        var printed: [[Value]] = []
        let summary = try reader.scan(columns: ["fare"], where: [ColumnPredicate("fare", .greater, .float64(10))]) { batch in
            printed.append(batch.compacted().columns[0].values)
        }
        #expect(printed == [[.float64(12.5)]])
        #expect(summary.rowGroupsSkipped == 0)
        #expect(try readValues(path) == [[.string("Oslo"), .null], [.float64(12.5), .float64(7.25)]])
    }
}
