@testable import Arrow
import Columns
import Testing

/// Damaged input gives a BatonError that names the message and what is wrong, never a trap.
@Suite struct ArrowMalformedInputTests {
    static func failure(_ bytes: [UInt8]) -> BatonError? {
        do {
            _ = try readStream(bytes)
            return nil
        } catch {
            return error
        }
    }

    static func sample() throws -> [UInt8] {
        let schema = try Schema([Field("a", .int64), Field("s", .string)])
        let batch = try Batch(schema: schema, columns: [.int64([1, 2, nil]), .string(["x", "yy", nil])])
        return try arrowBytes([batch], schema: schema)
    }

    @Test func truncatedBody() throws {
        let bytes = try Self.sample()
        let error = Self.failure(Array(bytes.dropLast(20)))
        #expect(error?.kind == .truncated)
        #expect(error?.description == "test.arrows: message 1 at byte 208: the input ends inside the 64-byte body (got 52) (hint: the producer stopped mid-stream or the data was cut; check the upstream process)")
    }

    @Test func truncatedMetadata() throws {
        let bytes = try Self.sample()
        let error = Self.failure(Array(bytes.prefix(100)))
        #expect(error?.kind == .truncated)
        #expect(error?.description == "test.arrows: message 0 at byte 0: the input ends inside the 200-byte metadata (hint: the producer stopped mid-stream or the data was cut; check the upstream process)")
    }

    @Test func bufferOffsetOutsideTheBody() throws {
        var bytes = try Self.sample()
        // The record batch's first buffer offset: find the buffers vector by its known values.
        let second = bytes.withUnsafeBytes { 8 + Int($0.loadUnaligned(fromByteOffset: 4, as: Int32.self)) }
        let metadataLength = bytes.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: second + 4, as: Int32.self)) }
        let metadata = FlatBuffer(bytes: Array(bytes[(second + 8)..<(second + 8 + metadataLength)]), context: "test")
        let header = try #require(try FlatTable.root(metadata).table(2))
        let (_, start) = try #require(try header.vector(2, stride: 16))
        let at = second + 8 + start + 16  // buffer 1 (column a's values): its offset
        bytes.replaceSubrange(at..<at + 8, with: [0x00, 0x10, 0, 0, 0, 0, 0, 0])
        let error = Self.failure(bytes)
        #expect(error?.kind == .corrupt)
        #expect(error?.description == "test.arrows: column \"a\": message 1 at byte 208: buffer 1 at body offset 4096, 24 bytes, lies outside the 64-byte body (hint: the input is not valid Arrow IPC; check that the producer wrote a complete stream or file)")
    }

    @Test func dictionaryIndexOutOfRange() throws {
        let schema = try Schema([Field("k", .string)])
        let batch = try Batch(schema: schema, columns: [.dictionary([0, 1, nil], values: ["a", "b"])])
        var bytes = try arrowBytes([batch], schema: schema)
        // Messages: schema, dictionary, record batch. Walk to the record batch's body.
        var at = 0
        for _ in 0..<2 {
            let length = bytes.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: at + 4, as: Int32.self)) }
            let metadata = FlatBuffer(bytes: Array(bytes[(at + 8)..<(at + 8 + length)]), context: "test")
            at += 8 + length + (try ArrowMessage.parse(metadata).bodyLength)
        }
        let length = bytes.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: at + 4, as: Int32.self)) }
        // Body: validity (8 bytes, padded), then the indices; make row 1's index 7.
        let indices = at + 8 + length + 8
        bytes.replaceSubrange(indices + 4..<indices + 8, with: [7, 0, 0, 0])
        let error = Self.failure(bytes)
        #expect(error?.kind == .corrupt)
        #expect(error?.description == "test.arrows: column \"k\": message 2 at byte \(at): row 1: dictionary index 7 is outside the 2-value dictionary 0 (hint: the input is not valid Arrow IPC; check that the producer wrote a complete stream or file)")
    }

    @Test func notArrowAtAll() throws {
        let error = Self.failure(Array("id,name\n1,a\n".utf8))
        #expect(error?.kind == .corrupt)
        #expect(error?.description == "test.arrows: message 0 at byte 0: the metadata length 1848403049 is implausible (hint: the input is not an Arrow IPC stream)")
    }

    @Test func metadataOffsetsOutOfRange() throws {
        var bytes = try Self.sample()
        // The root offset of the schema message's flatbuffer points far past its end.
        bytes.replaceSubrange(8..<12, with: [0xF0, 0xFF, 0, 0])
        let error = Self.failure(bytes)
        #expect(error?.kind == .corrupt)
        #expect(error?.description == "test.arrows: message 0 at byte 0: malformed metadata: a 4-byte value at byte 65520 lies outside the 200 bytes of metadata (hint: the input is not valid Arrow IPC; check that the producer wrote a complete stream or file)")
    }

    @Test func everyTruncationFailsCleanly() throws {
        let (schema, batches) = try sampleBatches()
        let bytes = try arrowBytes(batches, schema: schema, compression: .zstd)
        // Cutting anywhere gives a result or an error, never a crash; cuts at message
        // boundaries are complete streams.
        for cut in stride(from: 0, to: bytes.count, by: 7) {
            _ = Self.failure(Array(bytes.prefix(cut)))
        }
        // Flipping any byte of the metadata: the same.
        for at in stride(from: 0, to: min(bytes.count, 600), by: 11) {
            var damaged = bytes
            damaged[at] ^= 0x5A
            _ = Self.failure(damaged)
        }
    }

    @Test func unsupportedTypeNamesTheColumn() throws {
        // Hand-build a schema with a list field.
        let field = FlatValue.table([.value(.string("xs")), .bool(true), .uint8(12), .value(.table([])), nil, .value(.tables([]))])
        let schema = FlatValue.table([.int16(0), .value(.tables([field]))])
        let metadata = ArrowMessage.flat(kind: ArrowMessage.headerSchema, header: schema, bodyLength: 0)
        var bytes: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF]
        bytes.appendLittleEndian(Int32(metadata.count))
        bytes += metadata
        let error = Self.failure(bytes)
        #expect(error?.kind == .invalidInput)
        #expect(error?.description == "test.arrows: column \"xs\": Arrow type list is not supported (hint: Baton reads \(SchemaFormat.supported); cast the column before handing it to Baton)")
    }
}
