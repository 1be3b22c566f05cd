import Codecs
import Columns

/// Where one column chunk lives and what it holds: one entry of the footer's chunk index.
public struct ChunkMetadata: Sendable, Equatable {
    /// Byte offset of the stored (compressed) body from the start of the file.
    public var offset: Int
    /// Bytes on disk.
    public var storedSize: Int
    /// Bytes of the body after decompression.
    public var bodySize: Int
    /// Bytes the values take in the plain layout (fixed-width values, or string lengths and
    /// bytes, plus the validity bitmap): the reference for compression ratios.
    public var plainSize: Int
    public var encoding: Encoding
    public var codec: BlockCodec
    /// XXH64 (seed 0) of the stored bytes.
    public var checksum: UInt64
    public var statistics: Statistics

    public init(offset: Int, storedSize: Int, bodySize: Int, plainSize: Int, encoding: Encoding, codec: BlockCodec,
                checksum: UInt64, statistics: Statistics) {
        self.offset = offset
        self.storedSize = storedSize
        self.bodySize = bodySize
        self.plainSize = plainSize
        self.encoding = encoding
        self.codec = codec
        self.checksum = checksum
        self.statistics = statistics
    }
}

/// A horizontal slice of the file: one chunk per column, all with `rowCount` rows.
public struct RowGroupMetadata: Sendable, Equatable {
    public var rowCount: Int
    /// In schema order.
    public var chunks: [ChunkMetadata]

    public init(rowCount: Int, chunks: [ChunkMetadata]) {
        self.rowCount = rowCount
        self.chunks = chunks
    }
}

/// Everything a reader needs besides the chunk bodies: the schema, the chunk index and
/// free-form key/value metadata (`created_by`, …).
public struct Footer: Sendable, Equatable {
    public var formatVersion: UInt32
    public var schema: Schema
    public var rowGroups: [RowGroupMetadata]
    public var metadata: [(String, String)]

    public var rowCount: Int { rowGroups.reduce(0) { $0 + $1.rowCount } }

    public init(formatVersion: UInt32, schema: Schema, rowGroups: [RowGroupMetadata], metadata: [(String, String)]) {
        self.formatVersion = formatVersion
        self.schema = schema
        self.rowGroups = rowGroups
        self.metadata = metadata
    }

    public static func == (a: Footer, b: Footer) -> Bool {
        a.formatVersion == b.formatVersion && a.schema == b.schema && a.rowGroups == b.rowGroups
            && a.metadata.elementsEqual(b.metadata) { $0 == $1 }
    }

    /// The serialised footer (docs/FORMAT.md, "Footer").
    public func encoded() -> [UInt8] {
        var out = ByteWriter()
        out.u32(formatVersion)
        out.u32(UInt32(schema.count))
        for field in schema.fields {
            out.string(field.name)
            out.u8(field.type.rawValue)
            out.u8(field.nullable ? 1 : 0)
        }
        out.u64(UInt64(rowCount))
        out.u32(UInt32(rowGroups.count))
        for group in rowGroups {
            out.u64(UInt64(group.rowCount))
            for (field, chunk) in zip(schema.fields, group.chunks) {
                out.u64(UInt64(chunk.offset))
                out.u64(UInt64(chunk.storedSize))
                out.u64(UInt64(chunk.bodySize))
                out.u64(UInt64(chunk.plainSize))
                out.u8(chunk.encoding.rawValue)
                out.u8(chunk.codec.code)
                out.u8(UInt8(bitPattern: chunk.codec.level))
                out.u64(chunk.checksum)
                let stats = chunk.statistics
                out.u64(UInt64(stats.nullCount))
                var flags: UInt8 = 0
                if stats.min != nil { flags |= 1 }
                if stats.max != nil { flags |= 2 }
                if !stats.minExact { flags |= 4 }
                if !stats.maxExact { flags |= 8 }
                out.u8(flags)
                if let min = stats.min { Self.write(min, field.type, into: &out) }
                if let max = stats.max { Self.write(max, field.type, into: &out) }
            }
        }
        out.u32(UInt32(metadata.count))
        for (key, value) in metadata {
            out.string(key)
            out.string(value)
        }
        return out.bytes
    }

    private static func write(_ value: Value, _ type: DataType, into out: inout ByteWriter) {
        switch value {
        case .int64(let v), .timestamp(let v): out.i64(v)
        case .date(let v): out.i64(Int64(v))
        case .float64(let v): out.f64(v)
        case .bool(let v): out.u8(v ? 1 : 0)
        case .string(let v): out.string(v)
        case .null: preconditionFailure("null statistic")
        }
    }

    /// Parses and validates a footer: types, encodings and codecs must be known, every chunk
    /// must lie between the magic and the footer, and row counts must add up.
    /// - Parameter dataEnd: the offset where the footer starts.
    public static func decode(_ bytes: [UInt8], dataEnd: Int) throws(BatonError) -> Footer {
        let result = bytes.withUnsafeBytes { raw in Result { () throws(BatonError) -> Footer in
            var reader = ByteReader(raw, what: "footer")
            let version = try reader.u32()
            guard version >= 1 && version <= FileLayout.formatVersion else {
                throw BatonError(.unsupportedVersion, "footer declares format version \(version)")
            }
            let columnCount = try reader.count(unit: 6)
            var fields: [Field] = []
            for _ in 0..<columnCount {
                let name = try reader.string()
                let code = try reader.u8()
                guard let type = DataType(rawValue: code) else {
                    throw BatonError(.corrupt, "unknown type code \(code)", at: .init(column: name))
                }
                fields.append(Field(name, type, nullable: try reader.u8() & 1 != 0))
            }
            let schema: Schema
            do throws(BatonError) { schema = try Schema(fields) } catch {
                throw BatonError(.corrupt, "the footer's schema is invalid: \(error.message)")
            }
            let totalRows = try reader.u64()
            let groupCount = try reader.count(unit: 8)
            var groups: [RowGroupMetadata] = []
            for g in 0..<groupCount {
                let rows = try reader.u64()
                guard rows <= UInt64(FileLayout.maxRowGroupRows) else {
                    throw BatonError(.corrupt, "row group claims \(rows) rows", at: .init(rowGroup: g))
                }
                var chunks: [ChunkMetadata] = []
                for field in fields {
                    let at = BatonError.Location(rowGroup: g, column: field.name)
                    let offset = try reader.u64(), stored = try reader.u64(), body = try reader.u64()
                    let plain = try reader.u64()
                    guard plain <= FileLayout.maxPlainSize else {
                        throw BatonError(.corrupt, "chunk claims a plain size of \(plain) bytes", at: at)
                    }
                    guard offset >= UInt64(FileLayout.magic.count), stored <= UInt64(dataEnd),
                          offset <= UInt64(dataEnd) - stored, body < UInt64(Int32.max) else {
                        throw BatonError(.corrupt, "chunk lies outside the data region", at: at)
                    }
                    let encodingCode = try reader.u8()
                    guard let encoding = Encoding(rawValue: encodingCode), encoding.applies(to: field.type) else {
                        throw BatonError(.corrupt, "encoding code \(encodingCode) is unknown or does not fit \(field.type)", at: at)
                    }
                    let codec: BlockCodec
                    do throws(BatonError) { codec = try BlockCodec(code: try reader.u8(), level: try reader.i8()) } catch { throw error.located(at) }
                    let checksum = try reader.u64()
                    let nulls = try reader.u64()
                    guard nulls <= rows else { throw BatonError(.corrupt, "chunk has more nulls than rows", at: at) }
                    let flags = try reader.u8()
                    let min = flags & 1 != 0 ? try read(field.type, &reader) : nil
                    let max = flags & 2 != 0 ? try read(field.type, &reader) : nil
                    let stats = Statistics(nullCount: Int(nulls), min: min, max: max,
                                           minExact: flags & 4 == 0, maxExact: flags & 8 == 0)
                    chunks.append(ChunkMetadata(offset: Int(offset), storedSize: Int(stored), bodySize: Int(body),
                                                plainSize: Int(Swift.min(plain, UInt64(Int.max))),
                                                encoding: encoding, codec: codec, checksum: checksum, statistics: stats))
                }
                groups.append(RowGroupMetadata(rowCount: Int(rows), chunks: chunks))
            }
            let metadataCount = try reader.count(unit: 8)
            var metadata: [(String, String)] = []
            for _ in 0..<metadataCount { metadata.append((try reader.string(), try reader.string())) }
            try reader.expectEnd()
            let footer = Footer(formatVersion: version, schema: schema, rowGroups: groups, metadata: metadata)
            guard UInt64(footer.rowCount) == totalRows else {
                throw BatonError(.corrupt, "row groups hold \(footer.rowCount) rows, the footer says \(totalRows)")
            }
            return footer
        } }
        return try result.get()
    }

    private static func read(_ type: DataType, _ reader: inout ByteReader) throws(BatonError) -> Value {
        switch type {
        case .int64: return .int64(try reader.i64())
        case .timestamp: return .timestamp(try reader.i64())
        case .date: return .date(Int32(truncatingIfNeeded: try reader.i64()))
        case .float64: return .float64(try reader.f64())
        case .bool: return .bool(try reader.u8() != 0)
        case .string: return .string(try reader.string())
        }
    }
}

extension BatonError {
    /// The same error with the row group and column filled in where not already known.
    func located(_ at: Location) -> BatonError {
        var copy = self
        if copy.location.rowGroup == nil { copy.location.rowGroup = at.rowGroup }
        if copy.location.column == nil { copy.location.column = at.column }
        return copy
    }
}
