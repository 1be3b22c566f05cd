@testable import Arrow
import Columns
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ArrowRoundTripTests {
    static let compressions = ArrowWriteOptions.Compression.allCases

    @Test(arguments: compressions)
    func streamKeepsEveryTypeAndNull(compression: ArrowWriteOptions.Compression) throws {
        let (schema, batches) = try sampleBatches()
        let bytes = try arrowBytes(batches, schema: schema, compression: compression)
        let (readSchema, back) = try readStream(bytes)
        #expect(readSchema == schema)
        #expect(rows(back) == rows(batches))
        // The dictionary column stays dictionary-encoded, merged across batches.
        guard case .dictionary(_, let values) = back[1].columns[6].storage else {
            Issue.record("column k is not dictionary-encoded")
            return
        }
        #expect(Array(0..<values.count).map { values[$0] } == ["red", "green", "blue"])
    }

    @Test(arguments: compressions)
    func fileKeepsEveryTypeAndNull(compression: ArrowWriteOptions.Compression) throws {
        let (schema, batches) = try sampleBatches()
        let bytes = try arrowBytes(batches, schema: schema, format: .file, compression: compression)
        #expect(Array(bytes.prefix(6)) == Array("ARROW1".utf8))
        #expect(Array(bytes.suffix(6)) == Array("ARROW1".utf8))
        let path = temporaryFile(bytes)
        defer { unlink(path) }
        let reader = try ArrowReader(path: path)
        var back: [Batch] = []
        while let batch = try reader.next() { back.append(batch) }
        #expect(reader.schema == schema)
        #expect(rows(back) == rows(batches))
    }

    @Test func compressionShrinksRepetitiveBuffers() throws {
        let schema = try Schema([Field("x", .int64)])
        let batch = try Batch(schema: schema, columns: [.int64((0..<10_000).map { Int64($0 % 3) })])
        let plain = try arrowBytes([batch], schema: schema)
        for compression in [ArrowWriteOptions.Compression.lz4, .zstd] {
            let packed = try arrowBytes([batch], schema: schema, compression: compression)
            #expect(packed.count * 4 < plain.count)
            #expect(rows(try readStream(packed).1) == rows([batch]))
        }
    }

    @Test func largeRecordBatchesSplitIntoBatonBatches() throws {
        let schema = try Schema([Field("x", .int64)])
        let n = Batch.capacity + 10
        let columns: [Column] = [.int64((0..<n).map { Int64($0) })]
        // One Arrow record batch of more rows than a Baton batch holds, as pyarrow writes tables.
        let wide = ArrowSchema(schema, dictionaries: [false], options: ArrowWriteOptions())
        var body = BodyBuilder(codec: nil)
        body.add([])
        try body.addValues(columns[0])
        let layout = RecordBatchLayout(length: n, nodes: [.init(length: n, nullCount: 0)], buffers: body.buffers, compression: nil)
        var bytes: [UInt8] = []
        for (kind, header, payload) in [(ArrowMessage.headerSchema, wide.flat, [UInt8]()), (ArrowMessage.headerRecordBatch, layout.flat, body.bytes)] {
            let metadata = ArrowMessage.flat(kind: kind, header: header, bodyLength: payload.count)
            bytes += [0xFF, 0xFF, 0xFF, 0xFF]
            bytes.appendLittleEndian(Int32(metadata.count))
            bytes += metadata + payload
        }
        let (_, back) = try readStream(bytes)
        #expect(back.map(\.count) == [Batch.capacity, 10])
        #expect(back[1].columns[0].value(at: 9) == .int64(Int64(n - 1)))
    }

    @Test func emptyStreams() throws {
        let schema = try Schema([Field("a", .int64), Field("s", .string)])
        // A schema and no batches.
        let bytes = try arrowBytes([], schema: schema)
        let (readSchema, batches) = try readStream(bytes)
        #expect(readSchema == schema)
        #expect(batches.isEmpty)
        // No bytes at all: no schema, no batches, no error.
        let (none, nothing) = try readStream([])
        #expect(none == nil)
        #expect(nothing.isEmpty)
        // A stream that ends without its end-of-stream marker is complete too.
        let (cut, _) = try readStream(Array(bytes.dropLast(8)))
        #expect(cut == schema)
    }

    @Test func messagesAreEightByteAligned() throws {
        let (schema, batches) = try sampleBatches()
        let bytes = try arrowBytes(batches, schema: schema)
        var at = 0
        while at < bytes.count {
            #expect(at % 8 == 0)
            let length = bytes.withUnsafeBytes { Int(Int32(littleEndian: $0.loadUnaligned(fromByteOffset: at + 4, as: Int32.self))) }
            #expect(bytes[at..<at + 4].allSatisfy { $0 == 0xFF })
            if length == 0 { break }
            let metadata = FlatBuffer(bytes: Array(bytes[(at + 8)..<(at + 8 + length)]), context: "test")
            let (_, body) = try ArrowMessage.parse(metadata)
            #expect(length % 8 == 0 && body % 8 == 0)
            at += 8 + length + body
        }
    }
}
