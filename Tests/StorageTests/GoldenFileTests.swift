import Codecs
import Columns
import Foundation
import Storage
import Testing

/// Committed files written by format version 1 must keep reading back to the same values: this
/// catches an accidental change to the format. One file per encoding, every column forced into
/// it where the encoding applies. Regenerate only for a deliberate format change, together with
/// a version bump: `BATON_REGENERATE_FIXTURES=1 swift test --filter GoldenFile`.
@Suite struct GoldenFileTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/baton").path

    /// One column per type plus a dictionary-encoded one, 40 rows with nulls, row groups of 16.
    static func table() throws -> (Schema, [Column]) { try everyTypeTable(rows: 40, seed: 2026) }

    static let cases: [(Encoding, BlockCodec)] = Encoding.allCases.map { ($0, .zstd(level: 3)) } + [(.plain, .none), (.plain, .lz4)]

    @Test(arguments: cases)
    func readsBackExactly(encoding: Encoding, codec: BlockCodec) throws {
        let codecName = codec == .none ? "none" : (codec == .lz4 ? "lz4" : "zstd")
        let path = "\(Self.directory)/every_type_\(encoding)_\(codecName)_v1.baton"
        let (schema, columns) = try Self.table()
        if ProcessInfo.processInfo.environment["BATON_REGENERATE_FIXTURES"] == "1" {
            var options = WriteOptions(rowGroupSize: 16, codec: .fixed(codec), encoding: encoding)
            options.metadata = [("purpose", "golden file for format version 1, encoding \(encoding)")]
            try write(schema, columns, to: path, options: options)
        }
        let reader = try BatonReader(path: path)
        #expect(reader.footer.formatVersion == 1)
        #expect(reader.schema == schema)
        #expect(reader.footer.rowGroups.map(\.rowCount) == [16, 16, 8])
        for (field, chunk) in zip(schema.fields, reader.footer.rowGroups[0].chunks) where encoding.applies(to: field.type) {
            #expect(chunk.encoding == encoding, "column \(field.name)")
        }
        #expect(try readValues(path) == columns.map(\.values))
        #expect(reader.footer.metadata.first { $0.0 == "created_by" }?.1 == "baton 0.1.0")
        #expect(reader.footer.rowGroups.allSatisfy { $0.chunks.allSatisfy { $0.codec == codec } })
    }
}
