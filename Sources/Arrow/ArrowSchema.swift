import Columns

/// The Arrow types Baton reads, as Schema.fbs names them.
enum ArrowType: Equatable, CustomStringConvertible {
    case int(bitWidth: Int, signed: Bool)
    case float(bits: Int)
    case bool
    case utf8
    case largeUtf8
    case date32
    /// `unit`: 0 seconds, 1 milliseconds, 2 microseconds, 3 nanoseconds.
    case timestamp(unit: Int, zone: String?)

    var description: String {
        switch self {
        case .int(let bits, let signed): "\(signed ? "" : "u")int\(bits)"
        case .float(let bits): "float\(bits)"
        case .bool: "bool"
        case .utf8: "utf8"
        case .largeUtf8: "large_utf8"
        case .date32: "date32"
        case .timestamp(let unit, let zone):
            "timestamp[\(["s", "ms", "us", "ns"][unit])\(zone.map { ", tz=\($0)" } ?? "")]"
        }
    }

    /// The Baton type that holds it without loss (integers widen to Int64; float32 to Float64;
    /// every timestamp unit becomes microseconds, nanoseconds rounded toward minus infinity).
    var batonType: DataType {
        switch self {
        case .int: .int64
        case .float: .float64
        case .bool: .bool
        case .utf8, .largeUtf8: .string
        case .date32: .date
        case .timestamp: .timestamp
        }
    }
}

/// How the indices of a dictionary-encoded field are stored.
struct DictionaryEncoding: Equatable {
    var id: Int64
    var indexBits: Int
    var indexSigned: Bool
}

/// One column as Arrow describes it.
struct ArrowField: Equatable {
    var name: String
    var nullable: Bool
    /// The value type (for a dictionary-encoded field, the dictionary's type).
    var type: ArrowType
    var dictionary: DictionaryEncoding?

    var baton: Field { Field(name, type.batonType, nullable: nullable) }
}

/// Options for Arrow output.
public struct ArrowWriteOptions: Sendable, Equatable {
    /// Buffer compression inside record batches (Arrow's BodyCompression).
    public enum Compression: String, Sendable, CaseIterable {
        case none
        case lz4 = "lz4_frame"
        case zstd
    }

    public var compression: Compression
    /// The time zone written on timestamp columns. Baton's timestamps are UTC instants; nil
    /// writes them as Arrow timestamps without a zone (what CSV shows), "UTC" marks them as instants.
    public var timestampZone: String?

    public init(compression: Compression = .none, timestampZone: String? = nil) {
        self.compression = compression
        self.timestampZone = timestampZone
    }
}

/// Schema.fbs numbering: union tags of `Type`, and field slots.
enum SchemaFormat {
    static let typeInt: UInt8 = 2
    static let typeFloatingPoint: UInt8 = 3
    static let typeUtf8: UInt8 = 5
    static let typeBool: UInt8 = 6
    static let typeDate: UInt8 = 8
    static let typeTimestamp: UInt8 = 10
    static let typeLargeUtf8: UInt8 = 20
    static let typeNames: [UInt8: String] = [
        1: "null", 4: "binary", 7: "decimal", 9: "time", 11: "interval", 12: "list", 13: "struct", 14: "union",
        15: "fixed_size_binary", 16: "fixed_size_list", 17: "map", 18: "duration", 19: "large_binary", 21: "large_list",
        22: "run_end_encoded", 23: "binary_view", 24: "utf8_view", 25: "list_view", 26: "large_list_view",
    ]
    static let supported = "int8-64, uint8-32, float32, float64, bool, utf8, large_utf8, date32, timestamp, dictionary<int, utf8>"
}

extension ArrowField {
    /// Reads a `Field` table.
    init(_ table: FlatTable, index: Int) throws(BatonError) {
        let name = try table.string(0) ?? ""
        nullable = try table.bool(1)
        self.name = name
        func unsupported(_ what: String) -> BatonError {
            BatonError(.invalidInput, "Arrow type \(what) is not supported", at: .init(column: name),
                       hint: "Baton reads \(SchemaFormat.supported); cast the column before handing it to Baton")
        }
        let tag: UInt8 = try table.scalar(2, default: 0)
        let detail = try table.table(3)
        switch tag {
        case SchemaFormat.typeInt:
            let bits = Int(try detail?.scalar(0, default: Int32(0)) ?? 0)
            let signed = try detail?.bool(1) ?? false
            guard [8, 16, 32, 64].contains(bits), signed || bits < 64 else {
                throw unsupported("\(signed ? "" : "u")int\(bits)")
            }
            type = .int(bitWidth: bits, signed: signed)
        case SchemaFormat.typeFloatingPoint:
            switch try detail?.scalar(0, default: Int16(0)) ?? 0 {
            case 1: type = .float(bits: 32)
            case 2: type = .float(bits: 64)
            default: throw unsupported("float16")
            }
        case SchemaFormat.typeBool: type = .bool
        case SchemaFormat.typeUtf8: type = .utf8
        case SchemaFormat.typeLargeUtf8: type = .largeUtf8
        case SchemaFormat.typeDate:
            guard try detail?.scalar(0, default: Int16(1)) ?? 1 == 0 else { throw unsupported("date64") }
            type = .date32
        case SchemaFormat.typeTimestamp:
            let unit = Int(try detail?.scalar(0, default: Int16(0)) ?? 0)
            guard (0...3).contains(unit) else { throw unsupported("timestamp with unit code \(unit)") }
            type = .timestamp(unit: unit, zone: try detail?.string(1))
        default:
            throw unsupported(SchemaFormat.typeNames[tag] ?? "with type code \(tag)")
        }
        if let encoding = try table.table(4) {
            let id: Int64 = try encoding.scalar(0, default: 0)
            let indexType = try encoding.table(1)
            let bits = Int(try indexType?.scalar(0, default: Int32(32)) ?? 32)
            let signed = try indexType?.bool(1) ?? true
            guard [8, 16, 32, 64].contains(bits) else { throw unsupported("dictionary with \(bits)-bit indices") }
            guard type == .utf8 || type == .largeUtf8 else { throw unsupported("dictionary<\(type)>") }
            dictionary = DictionaryEncoding(id: id, indexBits: bits, indexSigned: signed)
        } else {
            dictionary = nil
        }
        guard try table.tables(5).isEmpty else { throw unsupported("with child fields") }
    }

    /// The `Field` table.
    var flat: FlatValue {
        let (tag, detail): (UInt8, FlatValue) = switch type {
        case .int(let bits, let signed): (SchemaFormat.typeInt, .table([.int32(Int32(bits)), .bool(signed)]))
        case .float(let bits): (SchemaFormat.typeFloatingPoint, .table([.int16(bits == 32 ? 1 : 2)]))
        case .bool: (SchemaFormat.typeBool, .table([]))
        case .utf8: (SchemaFormat.typeUtf8, .table([]))
        case .largeUtf8: (SchemaFormat.typeLargeUtf8, .table([]))
        case .date32: (SchemaFormat.typeDate, .table([.int16(0)]))
        case .timestamp(let unit, let zone): (SchemaFormat.typeTimestamp, .table([.int16(Int16(unit)), zone.map { .value(.string($0)) }]))
        }
        let encoding: FlatField? = dictionary.map { d in
            .value(.table([.int64(d.id), .value(.table([.int32(Int32(d.indexBits)), .bool(d.indexSigned)])), .bool(false), .int16(0)]))
        }
        return .table([.value(.string(name)), .bool(nullable), .uint8(tag), .value(detail), encoding, .value(.tables([]))])
    }
}

/// An Arrow schema: its fields, and for each field the Baton field it becomes.
struct ArrowSchema {
    var fields: [ArrowField]

    /// Reads a `Schema` table.
    init(_ table: FlatTable) throws(BatonError) {
        guard try table.scalar(0, default: Int16(0)) == 0 else {
            throw BatonError(.invalidInput, "the Arrow schema is big-endian", hint: "write the data on a little-endian machine or convert it")
        }
        var fields: [ArrowField] = []
        for (i, field) in try table.tables(1).enumerated() { fields.append(try ArrowField(field, index: i)) }
        self.fields = fields
    }

    /// The Arrow form of a Baton schema; `dictionaries[i]` says whether column `i` is written
    /// dictionary-encoded (ids are the column positions).
    init(_ schema: Schema, dictionaries: [Bool], options: ArrowWriteOptions) {
        fields = schema.fields.enumerated().map { i, field in
            let type: ArrowType = switch field.type {
            case .int64: .int(bitWidth: 64, signed: true)
            case .float64: .float(bits: 64)
            case .bool: .bool
            case .string: .utf8
            case .date: .date32
            case .timestamp: .timestamp(unit: 2, zone: options.timestampZone)
            }
            return ArrowField(name: field.name, nullable: field.nullable, type: type,
                              dictionary: dictionaries[i] ? DictionaryEncoding(id: Int64(i), indexBits: 32, indexSigned: true) : nil)
        }
    }

    func batonSchema() throws(BatonError) -> Schema { try Schema(fields.map(\.baton)) }

    /// The `Schema` table.
    var flat: FlatValue { .table([.int16(0), .value(.tables(fields.map(\.flat)))]) }
}
