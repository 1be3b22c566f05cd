import Codecs
import Columns

/// Message.fbs: the header of one encapsulated IPC message.
enum ArrowMessage {
    case schema(ArrowSchema)
    case recordBatch(RecordBatchLayout)
    case dictionaryBatch(id: Int64, data: RecordBatchLayout, isDelta: Bool)

    static let headerSchema: UInt8 = 1
    static let headerDictionaryBatch: UInt8 = 2
    static let headerRecordBatch: UInt8 = 3
    /// MetadataVersion V5, the current one (V4 is read too: its layouts are the same here).
    static let version: Int16 = 4

    /// Parses a `Message` table; returns the header and the length of the body that follows.
    static func parse(_ buffer: FlatBuffer) throws(BatonError) -> (ArrowMessage, bodyLength: Int) {
        let message = try FlatTable.root(buffer)
        let version: Int16 = try message.scalar(0, default: 0)
        guard version >= 3 else {
            throw BatonError(.unsupportedVersion, "\(buffer.context): Arrow metadata version V\(version + 1) is older than V4",
                             hint: "write the data with Arrow 0.15 or newer")
        }
        let kind: UInt8 = try message.scalar(1, default: 0)
        let bodyLength = Int(try message.scalar(3, default: Int64(0)))
        guard bodyLength >= 0 else { throw buffer.error("the body length is \(bodyLength)") }
        guard let header = try message.table(2) else { throw buffer.error("the message has no header") }
        switch kind {
        case headerSchema:
            return (.schema(try ArrowSchema(header)), bodyLength)
        case headerRecordBatch:
            return (.recordBatch(try RecordBatchLayout(header)), bodyLength)
        case headerDictionaryBatch:
            guard let data = try header.table(1) else { throw buffer.error("a dictionary batch has no data") }
            return (.dictionaryBatch(id: try header.scalar(0, default: 0), data: try RecordBatchLayout(data),
                                     isDelta: try header.bool(2)), bodyLength)
        default:
            throw BatonError(.invalidInput, "\(buffer.context): message type \(kind) (tensor or unknown) is not part of a table stream",
                             hint: "Baton reads schema, dictionary and record batch messages")
        }
    }

    /// The `Message` table around a header.
    static func flat(kind: UInt8, header: FlatValue, bodyLength: Int) -> [UInt8] {
        FlatBufferBuilder.build(.table([.int16(version), .uint8(kind), .value(header), .int64(Int64(bodyLength))]))
    }
}

/// The shape of one record batch's body: row count, a node per column, buffer locations.
struct RecordBatchLayout {
    struct Node { var length: Int; var nullCount: Int }
    struct Buffer { var offset: Int; var length: Int }

    var length: Int
    var nodes: [Node]
    var buffers: [Buffer]
    var compression: FrameCodec?

    init(length: Int, nodes: [Node], buffers: [Buffer], compression: FrameCodec?) {
        self.length = length
        self.nodes = nodes
        self.buffers = buffers
        self.compression = compression
    }

    init(_ table: FlatTable) throws(BatonError) {
        let buffer = table.buffer
        length = Int(try table.scalar(0, default: Int64(0)))
        guard length >= 0 else { throw buffer.error("a record batch has \(length) rows") }
        var nodes: [Node] = []
        if let (count, start) = try table.vector(1, stride: 16) {
            for i in 0..<count {
                let n = Int(try buffer.load(Int64.self, at: start + 16 * i))
                let nulls = Int(try buffer.load(Int64.self, at: start + 16 * i + 8))
                guard n >= 0, nulls >= 0, nulls <= n else {
                    throw buffer.error("column \(i) claims \(n) values with \(nulls) nulls")
                }
                nodes.append(Node(length: n, nullCount: nulls))
            }
        }
        var buffers: [Buffer] = []
        if let (count, start) = try table.vector(2, stride: 16) {
            for i in 0..<count {
                let offset = Int(try buffer.load(Int64.self, at: start + 16 * i))
                let length = Int(try buffer.load(Int64.self, at: start + 16 * i + 8))
                buffers.append(Buffer(offset: offset, length: length))
            }
        }
        self.nodes = nodes
        self.buffers = buffers
        if let compression = try table.table(3) {
            switch try compression.scalar(0, default: UInt8(0)) {
            case 0: self.compression = .lz4Frame
            case 1: self.compression = .zstd
            case let code: throw buffer.error("unknown body compression codec \(code)")
            }
            guard try compression.scalar(1, default: UInt8(0)) == 0 else { throw buffer.error("unknown body compression method") }
        } else {
            compression = nil
        }
    }

    /// The `RecordBatch` table.
    var flat: FlatValue {
        var nodeBytes: [UInt8] = []
        for node in nodes { nodeBytes.appendLittleEndian(Int64(node.length)); nodeBytes.appendLittleEndian(Int64(node.nullCount)) }
        var bufferBytes: [UInt8] = []
        for b in buffers { bufferBytes.appendLittleEndian(Int64(b.offset)); bufferBytes.appendLittleEndian(Int64(b.length)) }
        let codec: FlatField? = compression.map { .value(.table([.uint8($0 == .lz4Frame ? 0 : 1), .uint8(0)])) }
        return .table([.int64(Int64(length)), .value(.structs(nodeBytes, count: nodes.count)),
                       .value(.structs(bufferBytes, count: buffers.count)), codec])
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}

/// `withUnsafeBytes` for a body that throws `BatonError` (the standard library's is `rethrows`,
/// which loses the error type).
func withRawBytes<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(BatonError) -> R) throws(BatonError) -> R {
    try bytes.withUnsafeBytes { raw in Result { () throws(BatonError) in try body(raw) } }.get()
}

func withRawBytes<R>(_ bytes: ArraySlice<UInt8>, _ body: (UnsafeRawBufferPointer) throws(BatonError) -> R) throws(BatonError) -> R {
    try bytes.withUnsafeBytes { raw in Result { () throws(BatonError) in try body(raw) } }.get()
}
