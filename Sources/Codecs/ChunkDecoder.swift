import Columns

/// Decodes the body of one column chunk (after decompression) back into a column.
///
/// The body is untrusted: every length, width, code and run is checked against the row count
/// and the bytes present, and a mismatch throws `.corrupt` instead of trapping.
public enum ChunkDecoder {
    /// - Parameters:
    ///   - body: the decompressed body followed by at least 8 bytes of slack
    ///     (`BlockCodec.decompress` provides them); `size` bytes of it are the body.
    ///   - count: the chunk's row count; `nullCount`: its recorded null count.
    public static func decode(_ body: [UInt8], size: Int, type: DataType, encoding: Encoding,
                              count n: Int, nullCount: Int) throws(BatonError) -> Column {
        guard body.count >= size + 8, n >= 0, nullCount >= 0, nullCount <= n else {
            throw BatonError(.corrupt, "chunk header is inconsistent (\(n) rows, \(nullCount) nulls)")
        }
        guard encoding.applies(to: type) else {
            throw BatonError(.corrupt, "encoding \(encoding) cannot hold \(type)")
        }
        let result = body.withUnsafeBytes { raw in Result { () throws(BatonError) -> Column in
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: raw[0..<size]), what: "chunk")
            var validity: Bitmap?
            if nullCount > 0 {
                let bits = Bitmap(bytes: try reader.bytes((n + 7) / 8), count: n)
                guard n - bits.setCount == nullCount else {
                    throw BatonError(.corrupt, "validity bitmap has \(n - bits.setCount) nulls, metadata says \(nullCount)")
                }
                validity = bits
            }
            let storage: ColumnStorage
            switch type {
            case .int64, .timestamp:
                storage = .int64(try words(&reader, encoding, n, as: Int64.self))
            case .date:
                let wide = try words(&reader, encoding, n, as: UInt64.self, plainWidth: 4)
                storage = .int32(wide.map { Int32(truncatingIfNeeded: Int64(bitPattern: $0)) })
            case .float64:
                storage = .float64(try words(&reader, encoding, n, as: Double.self))
            case .bool:
                storage = .bool(try bool(&reader, encoding, n))
            case .string:
                storage = try string(&reader, encoding, n)
            }
            try reader.expectEnd()
            return Column(type, storage, validity: validity)
        } }
        return try result.get()
    }

    /// Plain fixed-width values as 64-bit patterns (Date sign-extended).
    private static func plain(_ reader: inout ByteReader, _ n: Int, width: Int) throws(BatonError) -> [UInt64] {
        if width == 8 { return try reader.values(UInt64.self, count: n).map { UInt64(littleEndian: $0) } }
        return try reader.values(Int32.self, count: n).map { UInt64(bitPattern: Int64(Int32(littleEndian: $0))) }
    }

    /// Decodes `n` 64-bit values (Int64, Timestamp, Float64 bits, or sign-extended dates) straight
    /// into a new array of `T`, with no zero-fill and no conversion pass.
    private static func words<T: BitwiseCopyable>(_ reader: inout ByteReader, _ encoding: Encoding, _ n: Int, as: T.Type,
                                                  plainWidth: Int = 8) throws(BatonError) -> [T] {
        precondition(MemoryLayout<T>.stride == 8)
        var failure: BatonError?
        let out = [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            let words = raw.bindMemory(to: UInt64.self)
            do throws(BatonError) {
                try decodeWords(&reader, encoding, into: words, plainWidth: plainWidth)
                initialized = n
            } catch {
                failure = error
                initialized = 0
            }
            _ = raw.bindMemory(to: T.self)
        }
        if let failure { throw failure }
        return out
    }

    private static func decodeWords(_ reader: inout ByteReader, _ encoding: Encoding, into out: UnsafeMutableBufferPointer<UInt64>,
                                    plainWidth width: Int) throws(BatonError) {
        let n = out.count
        switch encoding {
        case .plain:
            if width == 8 {
                let raw = try reader.bytes(n * 8)
                if n > 0 { UnsafeMutableRawBufferPointer(out).copyMemory(from: raw) }
            } else {
                let raw = try reader.bytes(n * 4)
                for i in 0..<n { out[i] = UInt64(bitPattern: Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))) }
            }
        case .bitPacked:
            let reference = UInt64(bitPattern: try reader.i64())
            let packed = try packedRegion(&reader, n)
            BitPacking.unpack(packed.bytes, width: packed.width, count: n) { i, v in out[i] = v &+ reference }
            if width == 4, out.contains(where: { Int64(bitPattern: $0) != Int64(Int32(truncatingIfNeeded: Int64(bitPattern: $0))) }) {
                throw BatonError(.corrupt, "bit-packed dates overflow 32 bits")
            }
        case .decimal:
            let exponent = Int(try reader.u8())
            guard exponent <= Decimal.maxExponent else { throw BatonError(.corrupt, "decimal exponent \(exponent) is out of range") }
            let reference = try reader.i64()
            let packed = try packedRegion(&reader, n)
            let scale = Decimal.powers[exponent]
            BitPacking.unpack(packed.bytes, width: packed.width, count: n) { i, v in
                out[i] = (Double(reference &+ Int64(bitPattern: v)) / scale).bitPattern
            }
        case .dictionary:
            let d = try reader.count(unit: width)
            let values = try plain(&reader, d, width: width)
            let packed = try packedRegion(&reader, n)
            var bad = false
            values.withUnsafeBufferPointer { dict in
                BitPacking.unpack(packed.bytes, width: packed.width, count: n) { i, code in
                    if code < UInt64(dict.count) { out[i] = dict[Int(code)] } else { bad = true }
                }
            }
            if bad { throw BatonError(.corrupt, "dictionary code out of range (\(d) entries)") }
        case .runLength:
            let r = try reader.count(unit: width + 4)
            let values = try plain(&reader, r, width: width)
            let lengths = try reader.values(UInt32.self, count: r)
            var position = 0
            for (value, length) in zip(values, lengths) {
                let length = Int(UInt32(littleEndian: length))
                guard length >= 1, length <= n - position else { throw BatonError(.corrupt, "a run is empty or runs add up to more than \(n) rows") }
                (out.baseAddress! + position).initialize(repeating: value, count: length)
                position += length
            }
            guard position == n else { throw BatonError(.corrupt, "runs add up to \(position) rows, expected \(n)") }
        }
    }

    /// A width byte followed by `n` packed values, which must end the body.
    private static func packedRegion(_ reader: inout ByteReader, _ n: Int) throws(BatonError) -> (width: Int, bytes: UnsafeRawBufferPointer) {
        let width = Int(try reader.u8())
        guard width <= BitPacking.maxWidth else { throw BatonError(.corrupt, "bit width \(width) exceeds \(BitPacking.maxWidth)") }
        let size = BitPacking.byteCount(count: n, width: width)
        let bytes = try reader.bytes(size)
        return (width, bytes)
    }

    private static func bool(_ reader: inout ByteReader, _ encoding: Encoding, _ n: Int) throws(BatonError) -> Bitmap {
        switch encoding {
        case .plain:
            return Bitmap(bytes: try reader.bytes((n + 7) / 8), count: n)
        case .runLength:
            let r = try reader.count(unit: 4)
            let values = Bitmap(bytes: try reader.bytes((r + 7) / 8), count: r)
            let lengths = try reader.values(UInt32.self, count: r)
            var words = [UInt64](repeating: 0, count: (n + 63) / 64)
            var position = 0
            for run in 0..<r {
                let length = Int(UInt32(littleEndian: lengths[run]))
                guard length >= 1, length <= n - position else { throw BatonError(.corrupt, "a run is empty or runs add up to more than \(n) rows") }
                if values[run] {
                    for i in position..<position + length { words[i >> 6] |= 1 << UInt64(i & 63) }
                }
                position += length
            }
            guard position == n else { throw BatonError(.corrupt, "runs add up to \(position) rows, expected \(n)") }
            return Bitmap(words: words, count: n)
        default:
            throw BatonError(.corrupt, "encoding \(encoding) cannot hold Bool")
        }
    }

    private static func plainStrings(_ reader: inout ByteReader, _ n: Int) throws(BatonError) -> StringArray {
        let lengths = try reader.values(UInt32.self, count: n)
        var offsets = [Int32](repeating: 0, count: n + 1)
        var total = 0
        for i in 0..<n {
            total += Int(UInt32(littleEndian: lengths[i]))
            guard total <= reader.remaining else { throw BatonError(.corrupt, "string lengths exceed the chunk") }
            offsets[i + 1] = Int32(total)
        }
        let bytes = try reader.bytes(total)
        return StringArray(offsets: offsets, bytes: Array(bytes))
    }

    private static func string(_ reader: inout ByteReader, _ encoding: Encoding, _ n: Int) throws(BatonError) -> ColumnStorage {
        switch encoding {
        case .plain:
            return .string(try plainStrings(&reader, n))
        case .dictionary:
            let d = try reader.count(unit: 4)
            let values = try plainStrings(&reader, d)
            let packed = try packedRegion(&reader, n)
            var codes = [Int32](repeating: 0, count: n)
            var bad = false
            codes.withUnsafeMutableBufferPointer { dst in
                BitPacking.unpack(packed.bytes, width: packed.width, count: n) { i, code in
                    if code < UInt64(d) { dst[i] = Int32(code) } else { bad = true }
                }
            }
            if bad || (d == 0 && n > 0) { throw BatonError(.corrupt, "dictionary code out of range (\(d) entries)") }
            return .dictionary(codes: codes, values: values)
        default:
            throw BatonError(.corrupt, "encoding \(encoding) cannot hold String")
        }
    }
}
