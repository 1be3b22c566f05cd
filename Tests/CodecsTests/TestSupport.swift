import Codecs
import Columns
import Testing
import TestSupport

/// How many rows of a generated column are null.
enum NullMode: CaseIterable, Sendable, CustomStringConvertible {
    case none, some, all
    var description: String {
        switch self {
        case .none: "no nulls"
        case .some: "some nulls"
        case .all: "all null"
        }
    }
}

/// The shapes of value a generator can produce for one type.
enum Shape: CaseIterable, Sendable {
    /// Few distinct values in a narrow range.
    case narrow
    /// Anything the type holds, including its extremes.
    case wide
    /// Long runs of equal values.
    case runs
    /// A handful of distinct values spread over the whole range.
    case fewDistinct
}

enum Gen {
    static let alphabet: [String] = ["a", "b", "z", "é", "日", "🎉", " ", "\u{0}", "Ω", "e\u{301}"]

    static func string(_ rng: inout SeededGenerator, maxLength: Int = 8) -> String {
        let n = Int.random(in: 0...maxLength, using: &rng)
        return (0..<n).map { _ in alphabet.randomElement(using: &rng)! }.joined()
    }

    static func double(_ rng: inout SeededGenerator) -> Double {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return [0.0, -0.0, .nan, -.nan, .infinity, -.infinity, .ulpOfOne, .leastNonzeroMagnitude,
                        .greatestFiniteMagnitude, -.leastNormalMagnitude,
                        Double(bitPattern: 0x7FF0_0000_0000_0001),  // signalling NaN
                        Double(bitPattern: 0xFFF8_DEAD_BEEF_0001)].randomElement(using: &rng)!
        case 1, 2: return Double(Int.random(in: -1_000_000...1_000_000, using: &rng)) / 10_000
        default: return Double(bitPattern: rng.next())
        }
    }

    /// One non-null value for row `i` of a column of `type`, as a `Value`.
    static func value(_ type: DataType, _ shape: Shape, _ i: Int, _ rng: inout SeededGenerator,
                      palette: [Value]) -> Value {
        switch shape {
        case .fewDistinct:
            return palette.randomElement(using: &rng)!
        case .runs:
            return palette[(i / 37) % palette.count]
        case .narrow, .wide:
            let wide = shape == .wide
            switch type {
            case .int64:
                return .int64(wide ? Int64(bitPattern: rng.next()) : Int64.random(in: -3...12, using: &rng))
            case .timestamp:
                return .timestamp(wide ? Int64(bitPattern: rng.next())
                                       : 1_700_000_000_000_000 + Int64.random(in: 0..<86_400_000_000, using: &rng))
            case .date:
                return .date(wide ? Int32(truncatingIfNeeded: rng.next()) : Int32.random(in: 19_000...19_400, using: &rng))
            case .float64:
                return .float64(wide ? double(&rng) : Double(Int.random(in: 0...9_999, using: &rng)) / 100)
            case .bool:
                return .bool(wide ? Bool.random(using: &rng) : Int.random(in: 0..<10, using: &rng) == 0)
            case .string:
                return .string(wide ? string(&rng, maxLength: 12) : ["x", "yy", "é"].randomElement(using: &rng)!)
            }
        }
    }

    static func palette(_ type: DataType, _ rng: inout SeededGenerator) -> [Value] {
        (0..<5).map { i in
            switch type {
            case .int64: .int64(i == 0 ? .min : i == 1 ? .max : Int64(bitPattern: rng.next()))
            case .timestamp: .timestamp(Int64(bitPattern: rng.next()))
            case .date: .date(i == 0 ? .min : i == 1 ? .max : Int32(truncatingIfNeeded: rng.next()))
            case .float64: .float64(i == 0 ? -0.0 : i == 1 ? .nan : double(&rng))
            case .bool: .bool(i % 2 == 0)
            case .string: .string(i == 0 ? "" : string(&rng))
            }
        }
    }

    /// A column of `count` rows built from `Value`s (nil = null).
    static func column(_ type: DataType, _ values: [Value]) -> Column {
        switch type {
        case .int64: Column.int64(values.map { if case .int64(let v) = $0 { v } else { nil } })
        case .timestamp: Column.timestamp(values.map { if case .timestamp(let v) = $0 { v } else { nil } })
        case .date: Column.date(values.map { if case .date(let v) = $0 { v } else { nil } })
        case .float64: Column.float64(values.map { if case .float64(let v) = $0 { v } else { nil } })
        case .bool: Column.bool(values.map { if case .bool(let v) = $0 { v } else { nil } })
        case .string: Column.string(values.map { if case .string(let v) = $0 { v } else { nil } })
        }
    }

    static func values(_ type: DataType, count: Int, shape: Shape, nulls: NullMode,
                       _ rng: inout SeededGenerator) -> [Value] {
        let palette = palette(type, &rng)
        return (0..<count).map { i in
            switch nulls {
            case .all: return .null
            case .some where Int.random(in: 0..<4, using: &rng) == 0: return .null
            default: return value(type, shape, i, &rng, palette: palette)
            }
        }
    }

    /// The same strings as a dictionary-encoded column (dictionary in order of first use,
    /// plus an unused entry so encoders must drop it).
    static func dictionaryColumn(_ values: [Value]) -> Column {
        var entries: [String] = ["<unused>"]
        var distinctBytes: [[UInt8]: Int32] = [:]
        let codes: [Int32?] = values.map { value in
            guard case .string(let s) = value else { return nil }
            // Key by bytes: canonically equivalent strings must stay distinct entries.
            if let code = distinctBytes[Array(s.utf8)] { return code }
            let code = Int32(entries.count)
            entries.append(s)
            distinctBytes[Array(s.utf8)] = code
            return code
        }
        return Column.dictionary(codes, values: entries)
    }
}

/// Decodes `chunk` as a reader would: body plus 8 bytes of slack.
func decode(_ chunk: EncodedChunk, like column: Column) throws(BatonError) -> Column {
    try ChunkDecoder.decode(chunk.body + [UInt8](repeating: 0, count: 8), size: chunk.body.count,
                            type: column.type, encoding: chunk.encoding,
                            count: column.count, nullCount: column.nullCount)
}

/// Encodes, decodes and checks the values come back exactly; returns the chunk.
@discardableResult
func expectRoundTrip(_ column: Column, as requested: Encoding?, _ comment: Comment? = nil,
                     sourceLocation: SourceLocation = #_sourceLocation) -> EncodedChunk {
    let chunk = ChunkEncoder.encode(column, as: requested)
    #expect(chunk.encoding.applies(to: column.type), comment, sourceLocation: sourceLocation)
    do {
        let back = try decode(chunk, like: column)
        #expect(back.type == column.type, comment, sourceLocation: sourceLocation)
        #expect(back.count == column.count, comment, sourceLocation: sourceLocation)
        #expect(back.nullCount == column.nullCount, comment, sourceLocation: sourceLocation)
        #expect(back.values == column.values, comment, sourceLocation: sourceLocation)
    } catch {
        Issue.record(error, "decoding \(chunk.encoding) failed: \(comment?.rawValue ?? "")", sourceLocation: sourceLocation)
    }
    return chunk
}
