@testable import Arrow
import Columns
import Testing

/// Arrow types Baton does not write are read into the Baton type that holds them.
@Suite struct ArrowTypeMappingTests {
    /// A stream of one record batch whose single column has `type` and the given buffers
    /// (after an absent validity buffer).
    static func stream(_ type: ArrowType, rows: Int, buffers: [[UInt8]]) throws -> [UInt8] {
        var schema = ArrowSchema(try Schema([Field("x", .int64)]), dictionaries: [false], options: ArrowWriteOptions())
        schema.fields[0].type = type
        var body = BodyBuilder(codec: nil)
        body.add([])
        for buffer in buffers { body.add(buffer) }
        let layout = RecordBatchLayout(length: rows, nodes: [.init(length: rows, nullCount: 0)], buffers: body.buffers, compression: nil)
        var bytes: [UInt8] = []
        for (kind, header, payload) in [(ArrowMessage.headerSchema, schema.flat, [UInt8]()), (ArrowMessage.headerRecordBatch, layout.flat, body.bytes)] {
            let metadata = ArrowMessage.flat(kind: kind, header: header, bodyLength: payload.count)
            bytes += [0xFF, 0xFF, 0xFF, 0xFF]
            bytes.appendLittleEndian(Int32(metadata.count))
            bytes += metadata + payload
        }
        return bytes
    }

    static func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        var out: [UInt8] = []
        for v in values { out.appendLittleEndian(v) }
        return out
    }

    static func values(_ bytes: [UInt8]) throws -> [Value] {
        let (_, batches) = try readStream(bytes)
        return rows(batches).map { $0[0] }
    }

    @Test func nanosecondsRoundTowardMinusInfinity() throws {
        let ns: [Int64] = [-1, -1000, -1001, 1999, 0, 1_700_000_000_123_456_789]
        let bytes = try Self.stream(.timestamp(unit: 3, zone: "Europe/Oslo"), rows: ns.count, buffers: [Self.littleEndian(ns)])
        #expect(try Self.values(bytes) == [-1, -1, -2, 1, 0, 1_700_000_000_123_456].map { Value.timestamp($0) })
    }

    @Test func secondsAndMillisecondsScaleUp() throws {
        let seconds = try Self.stream(.timestamp(unit: 0, zone: nil), rows: 2, buffers: [Self.littleEndian([Int64(-2), 3])])
        #expect(try Self.values(seconds) == [.timestamp(-2_000_000), .timestamp(3_000_000)])
        let millis = try Self.stream(.timestamp(unit: 1, zone: "UTC"), rows: 1, buffers: [Self.littleEndian([Int64(1500)])])
        #expect(try Self.values(millis) == [.timestamp(1_500_000)])
        let overflow = try Self.stream(.timestamp(unit: 0, zone: nil), rows: 1, buffers: [Self.littleEndian([Int64.max / 10])])
        #expect(throws: BatonError.self) { try Self.values(overflow) }
    }

    @Test func narrowIntegersWiden() throws {
        let int8 = try Self.stream(.int(bitWidth: 8, signed: true), rows: 3, buffers: [[0x80, 0x7F, 0xFF]])
        #expect(try Self.values(int8) == [.int64(-128), .int64(127), .int64(-1)])
        let uint32 = try Self.stream(.int(bitWidth: 32, signed: false), rows: 1, buffers: [Self.littleEndian([UInt32.max])])
        #expect(try Self.values(uint32) == [.int64(4_294_967_295)])
        let int16 = try Self.stream(.int(bitWidth: 16, signed: true), rows: 2, buffers: [Self.littleEndian([Int16.min, 5])])
        #expect(try Self.values(int16) == [.int64(-32768), .int64(5)])
    }

    @Test func float32AndLargeUtf8() throws {
        let floats = try Self.stream(.float(bits: 32), rows: 2, buffers: [Self.littleEndian([Float(1.5).bitPattern, Float(-0.25).bitPattern])])
        #expect(try Self.values(floats) == [.float64(1.5), .float64(-0.25)])
        // Offsets that do not start at 0 are rebased.
        let large = try Self.stream(.largeUtf8, rows: 2, buffers: [Self.littleEndian([Int64(2), 4, 7]), Array("xxabcde".utf8)])
        #expect(try Self.values(large) == [.string("ab"), .string("cde")])
    }

    @Test func decreasingOffsetsAreCorrupt() throws {
        let bytes = try Self.stream(.utf8, rows: 2, buffers: [Self.littleEndian([Int32(0), 3, 1]), Array("abc".utf8)])
        let error = #expect(throws: BatonError.self) { try Self.values(bytes) }
        #expect(error?.description == "test.arrows: column \"x\": message 1 at byte 136: string offsets decrease at row 1 (3 then 1) (hint: the input is not valid Arrow IPC; check that the producer wrote a complete stream or file)")
    }
}
