import Codecs
import Columns
import Storage
import Testing

@Suite struct RoundTripTests {
    @Test(arguments: [0, 1, 7, 1000, 2500])
    func everyTypeWithNulls(rows: Int) throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (schema, columns) = try everyTypeTable(rows: rows)
        let path = dir.file("t.baton")
        let summary = try write(schema, columns, to: path, options: WriteOptions(rowGroupSize: 700))
        #expect(summary.rows == rows)
        #expect(summary.rowGroups == (rows + 699) / 700)
        let reader = try BatonReader(path: path)
        #expect(reader.schema == schema)
        #expect(reader.rowCount == rows)
        #expect(try readValues(path) == columns.map(\.values))
    }

    @Test func withoutNulls() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (schema, columns) = try everyTypeTable(rows: 3000, nulls: false)
        let path = dir.file("t.baton")
        try write(schema, columns, to: path)
        #expect(try readValues(path) == columns.map(\.values))
        let reader = try BatonReader(path: path)
        #expect(reader.footer.rowGroups[0].chunks.allSatisfy { $0.statistics.nullCount == 0 })
    }

    /// Every encoding that applies to a type, under every codec, read back exactly; the footer
    /// records the encoding actually used.
    @Test(arguments: [CodecChoice.fixed(.none), .fixed(.lz4), .fixed(.zstd(level: 1)), .fixed(.zstd(level: 9)), .auto])
    func everyEncodingAndCodec(codec: CodecChoice) throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (schema, columns) = try everyTypeTable(rows: 1500)
        for encoding in Encoding.allCases {
            let path = dir.file("\(encoding).baton")
            try write(schema, columns, to: path, options: WriteOptions(rowGroupSize: 1000, codec: codec, encoding: encoding))
            #expect(try readValues(path) == columns.map(\.values), "encoding \(encoding), codec \(codec)")
            let reader = try BatonReader(path: path)
            for (field, chunk) in zip(schema.fields, reader.footer.rowGroups[0].chunks) where encoding.applies(to: field.type) {
                #expect(chunk.encoding == encoding, "column \(field.name) asked for \(encoding)")
                if case .fixed(let fixed) = codec { #expect(chunk.codec == fixed) }
            }
        }
    }

    @Test func rowGroupBoundariesSplitBatches() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let schema = try Schema([Field("n", .int64)])
        let values = (0..<10).map { Int64($0) }
        let writer = try BatonWriter(path: dir.file("t.baton"), schema: schema, options: WriteOptions(rowGroupSize: 3))
        // Batches of 4, 4 and 2 rows cross the 3-row group boundaries.
        for range in [0..<4, 4..<8, 8..<10] {
            try writer.write(try Batch(schema: schema, columns: [.int64(Array(values[range]))]))
        }
        try writer.finish()
        let reader = try BatonReader(path: dir.file("t.baton"))
        #expect(reader.footer.rowGroups.map(\.rowCount) == [3, 3, 3, 1])
        #expect(try readValues(dir.file("t.baton")) == [values.map { .int64($0) }])
    }

    @Test func selectionVectorsAreHonoured() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let schema = try Schema([Field("n", .int64), Field("s", .string)])
        let batch = try Batch(schema: schema, columns: [.int64([10, 11, 12, 13]), .string(["a", "b", "c", "d"])])
            .narrowed(to: SelectionVector([1, 3]))
        let writer = try BatonWriter(path: dir.file("t.baton"), schema: schema)
        try writer.write(batch)
        try writer.finish()
        #expect(try readValues(dir.file("t.baton")) == [[.int64(11), .int64(13)], [.string("b"), .string("d")]])
    }

    @Test func specialFloatsSurviveExactly() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let schema = try Schema([Field("f", .float64)])
        let values: [Double?] = [0.0, -0.0, .nan, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude, nil, 1.5]
        for encoding in [nil, Encoding.plain, .dictionary, .runLength, .decimal] {
            try write(schema, [.float64(values)], to: dir.file("f.baton"), options: WriteOptions(encoding: encoding))
            #expect(try readValues(dir.file("f.baton")) == [Column.float64(values).values])
        }
        // NaN present: no min/max recorded, so no predicate prunes the chunk.
        let stats = try BatonReader(path: dir.file("f.baton")).footer.rowGroups[0].chunks[0].statistics
        #expect(stats.min == nil && stats.max == nil && stats.nullCount == 1)
    }

    @Test func schemaWithoutRows() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let schema = try Schema([Field("a", .int64), Field("b", .string, nullable: false)])
        let writer = try BatonWriter(path: dir.file("e.baton"), schema: schema)
        try writer.finish()
        let reader = try BatonReader(path: dir.file("e.baton"))
        #expect(reader.schema == schema)
        #expect(reader.rowCount == 0 && reader.footer.rowGroups.isEmpty)
        #expect(try readValues(dir.file("e.baton")) == [[], []])
    }
}
