import Columns

/// A checked view of one FlatBuffers table inside a metadata buffer.
///
/// Arrow's metadata (Message.fbs, Schema.fbs, File.fbs) is FlatBuffers, and no FlatBuffers
/// library is available to this package, so this reads the wire format directly: a table
/// starts with a signed 32-bit offset back to its vtable; the vtable lists, per field, the
/// field's position inside the table (0: absent, use the default); strings, vectors and
/// child tables are reached through unsigned 32-bit offsets relative to where they are stored.
/// Every offset comes from the input, so every read is bounds-checked and a bad one throws
/// `.corrupt` (`FlatBufferError`) instead of trapping.
struct FlatTable {
    let buffer: FlatBuffer
    /// The table's position in the buffer.
    let position: Int
    private let vtable: Int
    private let vtableSize: Int

    init(_ buffer: FlatBuffer, at position: Int) throws(BatonError) {
        self.buffer = buffer
        self.position = position
        let back = Int(try buffer.load(Int32.self, at: position))
        let vtable = position - back
        let size = Int(try buffer.load(UInt16.self, at: vtable))
        guard size >= 4, size % 2 == 0, vtable >= 0, vtable + size <= buffer.count else {
            throw buffer.error("a table at byte \(position) has a vtable of \(size) bytes at byte \(vtable)")
        }
        self.vtable = vtable
        vtableSize = size
    }

    /// The root table the buffer's first four bytes point to.
    static func root(_ buffer: FlatBuffer) throws(BatonError) -> FlatTable {
        let offset = Int(try buffer.load(UInt32.self, at: 0))
        return try FlatTable(buffer, at: offset)
    }

    /// The absolute position of field `index`, or nil when the field is absent.
    func fieldPosition(_ index: Int) throws(BatonError) -> Int? {
        let slot = 4 + 2 * index
        guard slot + 2 <= vtableSize else { return nil }
        let offset = Int(try buffer.load(UInt16.self, at: vtable + slot))
        return offset == 0 ? nil : position + offset
    }

    func scalar<T: FixedWidthInteger>(_ index: Int, default value: T) throws(BatonError) -> T {
        guard let at = try fieldPosition(index) else { return value }
        return try buffer.load(T.self, at: at)
    }

    func bool(_ index: Int, default value: Bool = false) throws(BatonError) -> Bool {
        try scalar(index, default: UInt8(value ? 1 : 0)) != 0
    }

    /// The target of the offset stored in field `index`.
    private func indirect(_ index: Int) throws(BatonError) -> Int? {
        guard let at = try fieldPosition(index) else { return nil }
        return at + Int(try buffer.load(UInt32.self, at: at))
    }

    func table(_ index: Int) throws(BatonError) -> FlatTable? {
        guard let at = try indirect(index) else { return nil }
        return try FlatTable(buffer, at: at)
    }

    func string(_ index: Int) throws(BatonError) -> String? {
        guard let at = try indirect(index) else { return nil }
        let count = Int(try buffer.load(UInt32.self, at: at))
        let bytes = try buffer.bytes(at + 4, count)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A vector field: its element count and the position of its first element, checked to
    /// hold `count * stride` bytes.
    func vector(_ index: Int, stride: Int) throws(BatonError) -> (count: Int, start: Int)? {
        guard let at = try indirect(index) else { return nil }
        let count = Int(try buffer.load(UInt32.self, at: at))
        guard count <= (buffer.count - at - 4) / stride else {
            throw buffer.error("a vector at byte \(at) claims \(count) elements of \(stride) bytes, past the end of the metadata")
        }
        return (count, at + 4)
    }

    /// The tables of a vector of tables, in order.
    func tables(_ index: Int) throws(BatonError) -> [FlatTable] {
        guard let (count, start) = try vector(index, stride: 4) else { return [] }
        var result: [FlatTable] = []
        result.reserveCapacity(count)
        for i in 0..<count {
            let at = start + 4 * i
            result.append(try FlatTable(buffer, at: at + Int(try buffer.load(UInt32.self, at: at))))
        }
        return result
    }
}

/// The bytes of one FlatBuffers message, with checked little-endian loads.
struct FlatBuffer {
    let bytes: [UInt8]
    /// What the buffer is, for errors ("message 2 at byte 480").
    let context: String

    var count: Int { bytes.count }

    func error(_ what: String) -> BatonError {
        BatonError(.corrupt, "\(context): malformed metadata: \(what)",
                   hint: "the input is not valid Arrow IPC; check that the producer wrote a complete stream or file")
    }

    func load<T: FixedWidthInteger>(_: T.Type, at position: Int) throws(BatonError) -> T {
        guard position >= 0, position <= bytes.count - MemoryLayout<T>.size else {
            throw error("a \(MemoryLayout<T>.size)-byte value at byte \(position) lies outside the \(bytes.count) bytes of metadata")
        }
        return bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: position, as: T.self)) }
    }

    func bytes(_ position: Int, _ count: Int) throws(BatonError) -> ArraySlice<UInt8> {
        guard position >= 0, count >= 0, position <= bytes.count - count else {
            throw error("\(count) bytes at byte \(position) lie outside the \(bytes.count) bytes of metadata")
        }
        return bytes[position..<position + count]
    }
}
