/// A FlatBuffers value to serialise: the few shapes Arrow's metadata uses.
indirect enum FlatValue {
    /// Fields by vtable index; nil leaves a field absent (its default).
    case table([FlatField?])
    case string(String)
    case tables([FlatValue])
    /// A vector of structs given as their little-endian bytes (8-byte aligned structs only:
    /// Arrow's Buffer, FieldNode and Block).
    case structs([UInt8], count: Int)
    case int64s([Int64])
}

/// One field of a table: a scalar inline, or an offset to a value stored after the table.
enum FlatField {
    case uint8(UInt8)
    case int16(Int16)
    case int32(Int32)
    case int64(Int64)
    case value(FlatValue)

    static func bool(_ value: Bool) -> FlatField { .uint8(value ? 1 : 0) }

    var size: Int {
        switch self {
        case .uint8: 1
        case .int16: 2
        case .int32, .value: 4
        case .int64: 8
        }
    }
}

/// Serialises a `FlatValue` tree front to back.
///
/// Official builders write back to front so that every offset points forward. Writing a
/// parent first and its children after it keeps offsets forward too, and lets every value be
/// aligned against the start of the buffer, which is what the FlatBuffers verifier in Arrow
/// C++ (pyarrow) checks. Metadata is a few hundred bytes per message, so the tree costs nothing.
struct FlatBufferBuilder {
    private(set) var bytes: [UInt8] = []

    /// The buffer of `root`, padded to a multiple of 8 bytes.
    static func build(_ root: FlatValue) -> [UInt8] {
        var builder = FlatBufferBuilder()
        builder.bytes = [0, 0, 0, 0]
        let position = builder.write(root)
        builder.pointer(at: 0, to: position)
        builder.align(8)
        return builder.bytes
    }

    private mutating func align(_ alignment: Int, after prefix: Int = 0) {
        while (bytes.count + prefix) % alignment != 0 { bytes.append(0) }
    }

    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private mutating func store<T: FixedWidthInteger>(_ value: T, at position: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for (i, byte) in raw.enumerated() { bytes[position + i] = byte }
        }
    }

    private mutating func pointer(at position: Int, to target: Int) {
        store(UInt32(target - position), at: position)
    }

    private mutating func write(_ value: FlatValue) -> Int {
        switch value {
        case .string(let text):
            align(4)
            let position = bytes.count
            append(UInt32(text.utf8.count))
            bytes += text.utf8
            bytes.append(0)
            return position
        case .structs(let raw, let count):
            align(8, after: 4)
            let position = bytes.count
            append(UInt32(count))
            bytes += raw
            return position
        case .int64s(let values):
            align(8, after: 4)
            let position = bytes.count
            append(UInt32(values.count))
            for v in values { append(v) }
            return position
        case .tables(let items):
            align(4)
            let position = bytes.count
            append(UInt32(items.count))
            let slots = bytes.count
            bytes += [UInt8](repeating: 0, count: 4 * items.count)
            for (i, item) in items.enumerated() { pointer(at: slots + 4 * i, to: write(item)) }
            return position
        case .table(let fields):
            return writeTable(fields)
        }
    }

    private mutating func writeTable(_ fields: [FlatField?]) -> Int {
        // The vtable first (2-byte entries), then the table: its offset back to the vtable,
        // then the fields largest first so each lands aligned.
        align(2)
        let vtable = bytes.count
        append(UInt16(4 + 2 * fields.count))
        append(UInt16(0))
        bytes += [UInt8](repeating: 0, count: 2 * fields.count)
        let hasWide = fields.contains { $0?.size == 8 }
        align(hasWide ? 8 : 4, after: hasWide ? 4 : 0)
        let table = bytes.count
        append(Int32(table - vtable))
        let order = fields.indices.filter { fields[$0] != nil }.sorted { fields[$0]!.size > fields[$1]!.size }
        var children: [(slot: Int, value: FlatValue)] = []
        for index in order {
            let field = fields[index]!
            align(field.size)
            store(UInt16(bytes.count - table), at: vtable + 4 + 2 * index)
            switch field {
            case .uint8(let v): append(v)
            case .int16(let v): append(v)
            case .int32(let v): append(v)
            case .int64(let v): append(v)
            case .value(let child):
                children.append((bytes.count, child))
                append(UInt32(0))
            }
        }
        store(UInt16(bytes.count - table), at: vtable + 2)
        for (slot, child) in children { pointer(at: slot, to: write(child)) }
        return table
    }
}
