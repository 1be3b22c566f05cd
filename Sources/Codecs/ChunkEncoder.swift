import Columns

/// One column chunk, encoded but not yet compressed.
public struct EncodedChunk: Sendable {
    public var encoding: Encoding
    /// The validity bitmap (if the chunk has nulls) followed by the encoded values.
    public var body: [UInt8]
    /// A String chunk's distinct valid values, when encoding found them (its dictionary):
    /// statistics then compare those instead of every row.
    public var distinctStrings: StringArray? = nil
    /// An Int64 or Float64 chunk's least and greatest value (over its valid rows), when the
    /// encoder found them while choosing; nil otherwise.
    public var integerRange: (Int64, Int64)? = nil
    public var floatRange: (Double, Double)? = nil
}

/// Encodes a column chunk in a requested encoding, or in the one `auto` picks for its data.
///
/// The choice rule (docs/FORMAT.md, "Choosing an encoding") estimates the encoded size of every
/// applicable encoding from one pass over the values and takes the smallest; ties go to the
/// cheaper-to-decode encoding in the order plain, bit-packed, decimal, dictionary, run-length.
public enum ChunkEncoder {
    /// - Parameter requested: the encoding to use, or nil for the automatic choice. A requested
    ///   encoding that cannot represent this chunk (bit-packing a range wider than
    ///   `BitPacking.maxWidth` bits, `decimal` on floats that are not short decimals) falls back
    ///   to the automatic choice; the returned `encoding` says what was used.
    public static func encode(_ column: Column, as requested: Encoding? = nil) -> EncodedChunk {
        var out = ByteWriter(capacity: column.count * 2 + 64)
        if let validity = column.validity { out.append(validity.bytes) }
        let encoding: Encoding
        var observed: FixedWidthEncoder.ObservedRange?
        // Nulls hold a neighbour's value in the encoded words; an all-null chunk has no range.
        let anyValid = column.nullCount < column.count
        switch column.storage {
        case .int64(let values):
            encoding = values.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: UInt64.self) {
                    FixedWidthEncoder(words: normalized($0, column.validity), kind: .integer, width: 8)
                        .encode(requested, into: &out, observed: &observed)
                }
            }
            if anyValid, case .integer(let low, let high) = observed {
                return EncodedChunk(encoding: encoding, body: out.bytes, integerRange: (low, high))
            }
        case .int32(let values):
            let widened = values.map { UInt64(bitPattern: Int64($0)) }
            encoding = widened.withUnsafeBufferPointer {
                FixedWidthEncoder(words: normalized($0, column.validity), kind: .integer, width: 4)
                    .encode(requested, into: &out)
            }
        case .float64(let values):
            encoding = values.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: UInt64.self) {
                    FixedWidthEncoder(words: normalized($0, column.validity), kind: .float, width: 8)
                        .encode(requested, into: &out, observed: &observed)
                }
            }
            if anyValid, case .float(let low, let high) = observed {
                return EncodedChunk(encoding: encoding, body: out.bytes, floatRange: (low, high))
            }
        case .bool(let bits):
            encoding = encodeBool(bits, column.validity, requested, into: &out)
        case .string, .dictionary:
            var distinct: StringArray?
            encoding = StringEncoder(column).encode(requested, into: &out, distinct: &distinct)
            return EncodedChunk(encoding: encoding, body: out.bytes, distinctStrings: distinct)
        }
        return EncodedChunk(encoding: encoding, body: out.bytes)
    }

    /// The values with every null slot holding its nearest valid predecessor (or the first
    /// valid value), so that nulls neither break runs, nor add dictionary entries, nor widen
    /// a frame of reference.
    static func normalized(_ words: UnsafeBufferPointer<UInt64>, _ validity: Bitmap?) -> FixedWords {
        guard let validity else { return FixedWords(buffer: words, owned: nil) }
        var copy = Array(words)
        let firstValid = (0..<copy.count).first { validity[$0] }
        var last = firstValid.map { copy[$0] } ?? 0
        for i in 0..<copy.count {
            if validity[i] { last = copy[i] } else { copy[i] = last }
        }
        return FixedWords(buffer: nil, owned: copy)
    }

    private static func encodeBool(_ bits: Bitmap, _ validity: Bitmap?, _ requested: Encoding?,
                                   into out: inout ByteWriter) -> Encoding {
        let n = bits.count
        var runs: [(Bool, UInt32)] = []
        var i = 0
        while i < n {
            let value = validity.map { $0[i] } ?? true ? bits[i] : (runs.last?.0 ?? false)
            if let last = runs.last, last.0 == value {
                runs[runs.count - 1].1 += 1
            } else {
                runs.append((value, 1))
            }
            i += 1
        }
        let plainSize = (n + 7) / 8
        let rleSize = 4 + (runs.count + 7) / 8 + runs.count * 4
        let useRLE = requested == .runLength || (requested == nil && rleSize < plainSize)
        if useRLE {
            out.u32(UInt32(runs.count))
            out.append(Bitmap(runs.map(\.0)).bytes)
            for run in runs { out.u32(run.1) }
            return .runLength
        }
        // Null slots written as false, so equal columns encode to equal bytes.
        if let validity {
            var masked = bits.words
            for w in 0..<masked.count { masked[w] &= validity.words[w] }
            out.append(Bitmap(words: masked, count: n).bytes)
        } else {
            out.append(bits.bytes)
        }
        return .plain
    }
}

/// Fixed-width values as 64-bit patterns: either borrowed from the column or an owned copy.
struct FixedWords {
    let buffer: UnsafeBufferPointer<UInt64>?
    let owned: [UInt64]?

    func with<R>(_ body: (UnsafeBufferPointer<UInt64>) -> R) -> R {
        if let buffer { return body(buffer) }
        return owned!.withUnsafeBufferPointer(body)
    }
}
