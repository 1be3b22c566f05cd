import Testing
import Codecs
import Columns
import TestSupport

/// Every type in every encoding that applies to it, on random columns of every awkward shape.
@Suite struct EncodingRoundTripTests {
    static let pairs: [(DataType, Encoding)] = DataType.allCases.flatMap { type in
        Encoding.allCases.filter { $0.applies(to: type) }.map { (type, $0) }
    }
    static let counts = [0, 1, 2, 7, 64, 65, 1_000]

    @Test func applicabilityTable() {
        let table = Dictionary(grouping: Self.pairs, by: { $0.0 }).mapValues { Set($0.map(\.1)) }
        #expect(table[.int64] == [.plain, .dictionary, .runLength, .bitPacked])
        #expect(table[.timestamp] == [.plain, .dictionary, .runLength, .bitPacked])
        #expect(table[.date] == [.plain, .dictionary, .runLength, .bitPacked])
        #expect(table[.float64] == [.plain, .dictionary, .runLength, .decimal])
        #expect(table[.bool] == [.plain, .runLength])
        #expect(table[.string] == [.plain, .dictionary])
    }

    /// Whether frame-of-reference packing can hold the valid values (range within 56 bits).
    static func bitPackable(_ values: [Value]) -> Bool {
        let ints: [Int64] = values.compactMap {
            switch $0 {
            case .int64(let v), .timestamp(let v): v
            case .date(let v): Int64(v)
            default: nil
            }
        }
        guard let low = ints.min(), let high = ints.max() else { return true }
        return BitPacking.width(of: UInt64(bitPattern: high &- low)) <= BitPacking.maxWidth
    }

    @Test(arguments: pairs)
    func randomColumnsRoundTrip(type: DataType, encoding: Encoding) {
        var rng = SeededGenerator(seed: UInt64(type.rawValue) << 8 | UInt64(encoding.rawValue))
        for count in Self.counts {
            for nulls in NullMode.allCases {
                for shape in Shape.allCases {
                    let values = Gen.values(type, count: count, shape: shape, nulls: nulls, &rng)
                    let column = Gen.column(type, values)
                    let what: Comment = "\(type) as \(encoding), \(count) rows, \(nulls), \(shape)"
                    let chunk = expectRoundTrip(column, as: encoding, what)
                    switch encoding {
                    case .plain, .runLength, .dictionary:
                        #expect(chunk.encoding == encoding, what)
                    case .bitPacked:
                        #expect((chunk.encoding == .bitPacked) == Self.bitPackable(values), what)
                    case .decimal:
                        // Narrow floats are two-decimal values: always representable.
                        if shape == .narrow { #expect(chunk.encoding == .decimal, what) }
                    }
                }
            }
        }
    }

    @Test(arguments: DataType.allCases)
    func automaticChoiceRoundTrips(type: DataType) {
        var rng = SeededGenerator(seed: 100 + UInt64(type.rawValue))
        for count in Self.counts {
            for nulls in NullMode.allCases {
                for shape in Shape.allCases {
                    let column = Gen.column(type, Gen.values(type, count: count, shape: shape, nulls: nulls, &rng))
                    expectRoundTrip(column, as: nil, "\(type) auto, \(count) rows, \(nulls), \(shape)")
                }
            }
        }
    }

    @Test(arguments: [Encoding?.none, .plain, .dictionary])
    func dictionaryStorageRoundTrips(encoding: Encoding?) {
        var rng = SeededGenerator(seed: 200 + UInt64(encoding?.rawValue ?? 9))
        for count in Self.counts {
            for nulls in NullMode.allCases {
                for shape in Shape.allCases {
                    let values = Gen.values(.string, count: count, shape: shape, nulls: nulls, &rng)
                    let column = Gen.dictionaryColumn(values)
                    let what: Comment = "dictionary storage as \(encoding.map(String.init(describing:)) ?? "auto"), \(count) rows, \(nulls), \(shape)"
                    let chunk = expectRoundTrip(column, as: encoding, what)
                    if let encoding { #expect(chunk.encoding == encoding, what) }
                }
            }
        }
    }

    @Test func forcedDictionaryDropsUnusedEntries() throws {
        let column = Column.dictionary([3, nil, 3, 1], values: ["unused", "b", "unused too", "d"])
        let chunk = expectRoundTrip(column, as: .dictionary)
        let back = try decode(chunk, like: column)
        guard case .dictionary(let codes, let values) = back.storage else {
            Issue.record("a dictionary chunk should decode to dictionary storage")
            return
        }
        #expect(values == StringArray(["d", "b"]))
        #expect(codes == [0, 0, 0, 1])
    }

    @Test func forcedDictionaryOnUniqueStrings() throws {
        let strings: [String?] = (0..<300).map { $0 % 10 == 0 ? nil : "value \($0) ü" }
        let chunk = expectRoundTrip(Column.string(strings), as: .dictionary)
        #expect(chunk.encoding == .dictionary)
    }

    @Test func canonicallyEquivalentStringsStayDistinct() {
        let column = Column.string(Array(repeating: ["é", "e\u{301}"], count: 20).flatMap { $0 })
        for encoding in [Encoding.plain, .dictionary] {
            let chunk = ChunkEncoder.encode(column, as: encoding)
            guard let back = try? decode(chunk, like: column) else {
                Issue.record("decoding failed")
                continue
            }
            guard case .string(let a) = column.storage, case .string(let b) = back.decoded().storage else {
                Issue.record("expected string storage")
                continue
            }
            #expect(a == b, "\(encoding)")
        }
    }

    @Test func forcedBitPackedFallsBackOnWideRanges() {
        let wide = Column.int64([.min, 0, .max])
        let chunk = expectRoundTrip(wide, as: .bitPacked)
        #expect(chunk.encoding != .bitPacked)
        // 56 bits is the widest packing; 57 bits falls back.
        let fits = Column.int64([0, (1 << 56) - 1])
        #expect(expectRoundTrip(fits, as: .bitPacked).encoding == .bitPacked)
        let tooWide = Column.int64([0, 1 << 56])
        #expect(expectRoundTrip(tooWide, as: .bitPacked).encoding != .bitPacked)
        let negative = Column.int64([-(1 << 55), (1 << 55) - 1])
        #expect(expectRoundTrip(negative, as: .bitPacked).encoding == .bitPacked)
        let dates = Column.date([.min, .max, nil])
        #expect(expectRoundTrip(dates, as: .bitPacked).encoding == .bitPacked)
    }

    @Test func forcedDecimalFallsBackOnNonDecimals() {
        for values: [Double?] in [[0.1 + 0.2], [1.5, .nan], [1.5, -0.0], [.infinity], [1e300, 1], [1e-300]] {
            let chunk = expectRoundTrip(Column.float64(values), as: .decimal, "\(values)")
            #expect(chunk.encoding != .decimal, "\(values)")
        }
        // 0.3333333333333333 is exactly 3333333333333333 / 10^16: a (long) decimal.
        #expect(expectRoundTrip(Column.float64([1.0 / 3.0]), as: .decimal).encoding == .decimal)
        let decimals = Column.float64([23.5749, -0.0001, 0, nil, 1_000_000.5, -42])
        let chunk = expectRoundTrip(decimals, as: .decimal)
        #expect(chunk.encoding == .decimal)
    }

    @Test func nullSlotContentDoesNotChangeTheBytes() {
        let validity = Bitmap([true, false, true, false, false, true, true, false])
        let cases: [(Column, Column, [Encoding])] = [
            (Column(.int64, .int64([1, 0, 3, 0, 0, 6, 7, 0]), validity: validity),
             Column(.int64, .int64([1, 99, 3, .min, .max, 6, 7, -5]), validity: validity),
             [.plain, .dictionary, .runLength, .bitPacked]),
            (Column(.date, .int32([1, 0, 3, 0, 0, 6, 7, 0]), validity: validity),
             Column(.date, .int32([1, 99, 3, .min, .max, 6, 7, -5]), validity: validity),
             [.plain, .dictionary, .runLength, .bitPacked]),
            (Column(.float64, .float64([1.5, 0, 3, 0, 0, 6, 7, 0]), validity: validity),
             Column(.float64, .float64([1.5, .nan, 3, -0.0, 1e300, 6, 7, .pi]), validity: validity),
             [.plain, .dictionary, .runLength, .decimal]),
            (Column(.bool, .bool(Bitmap([true, false, false, false, false, true, false, false])), validity: validity),
             Column(.bool, .bool(Bitmap([true, true, false, true, true, true, false, true])), validity: validity),
             [.plain, .runLength]),
            (Column(.string, .string(StringArray(["a", "", "b", "", "", "c", "a", ""])), validity: validity),
             Column(.string, .string(StringArray(["a", "junk", "b", "ü", "x", "c", "a", "more"])), validity: validity),
             [.plain, .dictionary]),
        ]
        for (clean, dirty, encodings) in cases {
            #expect(clean.values == dirty.values)
            for encoding in encodings + [nil] where !(clean.type == .string && encoding == nil) {
                let a = ChunkEncoder.encode(clean, as: encoding), b = ChunkEncoder.encode(dirty, as: encoding)
                #expect(a.encoding == b.encoding, "\(clean.type) \(String(describing: encoding))")
                #expect(a.body == b.body, "\(clean.type) \(String(describing: encoding))")
                expectRoundTrip(dirty, as: encoding)
            }
        }
    }
}
