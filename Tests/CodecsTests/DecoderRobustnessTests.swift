import Testing
import Codecs
import Columns
import TestSupport

/// Chunk bodies are untrusted: damaged bytes must throw `BatonError` or decode to a column of
/// the recorded shape, never trap.
@Suite struct DecoderRobustnessTests {
    struct Sample {
        let column: Column
        let chunk: EncodedChunk
    }

    /// Valid bodies for every type and applicable encoding, with and without nulls.
    static func samples() -> [Sample] {
        var rng = SeededGenerator(seed: 800)
        var samples: [Sample] = []
        for type in DataType.allCases {
            for encoding in Encoding.allCases where encoding.applies(to: type) {
                for (count, nulls, shape) in [(0, NullMode.none, Shape.narrow), (1, .none, .wide), (9, .some, .narrow),
                                              (40, .none, .fewDistinct), (70, .some, .runs), (33, .all, .wide),
                                              (100, .some, .wide)] {
                    let column = Gen.column(type, Gen.values(type, count: count, shape: shape, nulls: nulls, &rng))
                    samples.append(Sample(column: column, chunk: ChunkEncoder.encode(column, as: encoding)))
                }
            }
        }
        return samples
    }

    /// Decodes `body` and, if that succeeds, checks the column's shape and touches every value.
    static func check(_ body: [UInt8], encoding: Encoding, like column: Column, count: Int? = nil,
                      nullCount: Int? = nil, _ comment: Comment) -> Bool {
        let n = count ?? column.count, nulls = nullCount ?? column.nullCount
        do {
            let decoded = try ChunkDecoder.decode(body + [UInt8](repeating: 0, count: 8), size: body.count,
                                                  type: column.type, encoding: encoding, count: n, nullCount: nulls)
            #expect(decoded.count == n, comment)
            #expect(decoded.type == column.type, comment)
            #expect(decoded.nullCount == nulls, comment)
            // Reading every value and decoding dictionaries must not trap either.
            #expect(decoded.values.count == n, comment)
            #expect(decoded.decoded().count == n, comment)
            return true
        } catch {
            _ = error.kind  // typed: a BatonError, never anything else
            return false
        }
    }

    @Test func validBodiesDecode() {
        for sample in Self.samples() {
            #expect(Self.check(sample.chunk.body, encoding: sample.chunk.encoding, like: sample.column,
                               "\(sample.column.type) \(sample.chunk.encoding) \(sample.column.count)"))
        }
    }

    @Test func flippedBytesNeverCrash() {
        var rng = SeededGenerator(seed: 801)
        let samples = Self.samples().filter { !$0.chunk.body.isEmpty }
        var rejected = 0
        for iteration in 0..<2_000 {
            let sample = samples[iteration % samples.count]
            var body = sample.chunk.body
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let i = Int.random(in: 0..<body.count, using: &rng)
                body[i] = Int.random(in: 0..<2, using: &rng) == 0 ? UInt8.random(in: 0...255, using: &rng)
                                                                    : body[i] ^ (1 << UInt8.random(in: 0...7, using: &rng))
            }
            let what: Comment = "\(sample.column.type) \(sample.chunk.encoding) iteration \(iteration)"
            if !Self.check(body, encoding: sample.chunk.encoding, like: sample.column, what) { rejected += 1 }
        }
        #expect(rejected > 0)
    }

    @Test func lengthFieldsSetToExtremesNeverCrash() {
        // Overwrite 4-byte windows with huge or negative-looking counts: the classic way to
        // make a reader allocate or index wildly.
        let patterns: [[UInt8]] = [[0xFF, 0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0x7F], [0x00, 0x00, 0x00, 0x80],
                                   [0x01, 0x00, 0x00, 0x00], [0x00, 0x00, 0x00, 0x00]]
        var checked = 0
        for sample in Self.samples() where sample.chunk.body.count >= 4 {
            let body = sample.chunk.body
            for offset in stride(from: 0, through: body.count - 4, by: max(1, (body.count - 4) / 6)) {
                for pattern in patterns {
                    var damaged = body
                    damaged.replaceSubrange(offset..<offset + 4, with: pattern)
                    _ = Self.check(damaged, encoding: sample.chunk.encoding, like: sample.column,
                                   "\(sample.column.type) \(sample.chunk.encoding) offset \(offset)")
                    checked += 1
                }
            }
        }
        #expect(checked > 500)
    }

    @Test func truncatedAndExtendedBodiesNeverCrash() {
        var rng = SeededGenerator(seed: 802)
        for sample in Self.samples() {
            let body = sample.chunk.body
            let cuts = Set([0, 1, body.count / 2, max(0, body.count - 1)] + (0..<3).map { _ in Int.random(in: 0...body.count, using: &rng) })
            for cut in cuts where cut < body.count {
                let ok = Self.check(Array(body[0..<cut]), encoding: sample.chunk.encoding, like: sample.column,
                                    "\(sample.column.type) \(sample.chunk.encoding) cut to \(cut) of \(body.count)")
                #expect(!ok, "a truncated body must not decode: \(sample.column.type) \(sample.chunk.encoding) \(cut)/\(body.count)")
            }
            let extended = body + [UInt8.random(in: 0...255, using: &rng)]
            #expect(!Self.check(extended, encoding: sample.chunk.encoding, like: sample.column,
                                "\(sample.column.type) \(sample.chunk.encoding) extended"),
                    "trailing bytes must be rejected")
        }
    }

    @Test func wrongCountsAndEncodingsNeverCrash() {
        for sample in Self.samples() {
            let n = sample.column.count, nulls = sample.column.nullCount
            let body = sample.chunk.body
            let what: Comment = "\(sample.column.type) \(sample.chunk.encoding) \(n)"
            for count in Set([0, 1, max(0, n - 1), n + 1, n * 2 + 3, 70_000]) where count != n {
                _ = Self.check(body, encoding: sample.chunk.encoding, like: sample.column, count: count,
                               nullCount: min(nulls, count), what)
            }
            for nullCount in Set([0, 1, max(0, nulls - 1), min(n, nulls + 1), n]) where nullCount != nulls {
                _ = Self.check(body, encoding: sample.chunk.encoding, like: sample.column, nullCount: nullCount, what)
            }
            for encoding in Encoding.allCases where encoding != sample.chunk.encoding && encoding.applies(to: sample.column.type) {
                _ = Self.check(body, encoding: encoding, like: sample.column, what)
            }
        }
    }

    /// The encoder never writes empty runs, but a damaged body may: the format calls that
    /// corruption, so the decoder rejects it rather than trapping or accepting it.
    @Test(arguments: [DataType.int64, .timestamp, .float64, .date, .bool])
    func zeroLengthRunsNeverCrash(type: DataType) {
        let column = Gen.column(type, [])
        let valueBytes = type == .bool ? 1 : type == .date ? 4 : 8
        // u32 run count 1, one run value, run length 0.
        let oneEmptyRun: [UInt8] = [1, 0, 0, 0] + [UInt8](repeating: 0x11, count: valueBytes) + [0, 0, 0, 0]
        let decodes = Self.check(oneEmptyRun, encoding: .runLength, like: column, "\(type) empty run, 0 rows")
        // Either outcome is fine; reaching this line is the test.
        _ = decodes
        // An empty run spliced in front of a valid body's runs: rows still add up, yet it is
        // rejected as corrupt.
        var rng = SeededGenerator(seed: 803)
        let three = Gen.column(type, Gen.values(type, count: 3, shape: .narrow, nulls: .none, &rng))
        let body = ChunkEncoder.encode(three, as: .runLength).body
        let runs = Int(body[0])
        let values = type == .bool ? (runs + 1 + 7) / 8 : (runs + 1) * valueBytes
        var spliced: [UInt8] = [UInt8(runs + 1), 0, 0, 0]
        if type == .bool {
            // Run values are a bitmap: shift the existing bits up by one behind a false run.
            var bits = [false]
            for r in 0..<runs { bits.append(body[4 + r / 8] >> UInt8(r % 8) & 1 == 1) }
            spliced += Bitmap(bits).bytes
            #expect(spliced.count == 4 + values)
            spliced += [0, 0, 0, 0] + body[(4 + (runs + 7) / 8)...]
        } else {
            spliced += [UInt8](repeating: 0x22, count: valueBytes) + body[4..<(4 + runs * valueBytes)]
            spliced += [0, 0, 0, 0] + body[(4 + runs * valueBytes)...]
        }
        #expect(!Self.check(spliced, encoding: .runLength, like: three, "\(type) spliced empty run"))
        var kind: BatonError.Kind?
        do {
            _ = try ChunkDecoder.decode(spliced + [UInt8](repeating: 0, count: 8), size: spliced.count, type: type,
                                        encoding: .runLength, count: 3, nullCount: 0)
        } catch { kind = error.kind }
        #expect(kind == .corrupt)
    }

    @Test func inconsistentHeadersThrowCorrupt() {
        let column = Column.int64([1, 2, 3])
        let chunk = ChunkEncoder.encode(column, as: .plain)
        func decode(_ body: [UInt8], size: Int, type: DataType = .int64, encoding: Encoding = .plain,
                    count: Int = 3, nullCount: Int = 0) -> BatonError? {
            do {
                _ = try ChunkDecoder.decode(body, size: size, type: type, encoding: encoding, count: count, nullCount: nullCount)
                return nil
            } catch { return error }
        }
        let padded = chunk.body + [UInt8](repeating: 0, count: 8)
        #expect(decode(padded, size: chunk.body.count) == nil)
        #expect(decode(chunk.body, size: chunk.body.count)?.kind == .corrupt)          // no slack
        #expect(decode(padded, size: chunk.body.count + 1)?.kind == .corrupt)          // size past the slack
        #expect(decode(padded, size: chunk.body.count, count: -1)?.kind == .corrupt)
        #expect(decode(padded, size: chunk.body.count, nullCount: -1)?.kind == .corrupt)
        #expect(decode(padded, size: chunk.body.count, nullCount: 4)?.kind == .corrupt)
        #expect(decode(padded, size: chunk.body.count, encoding: .decimal)?.kind == .corrupt)
        #expect(decode(padded, size: chunk.body.count, type: .bool, encoding: .dictionary)?.kind == .corrupt)
        #expect(decode(padded, size: chunk.body.count, type: .string, encoding: .runLength)?.kind == .corrupt)
        #expect(decode(padded, size: chunk.body.count, type: .float64, encoding: .bitPacked)?.kind == .corrupt)
    }

    @Test func specificCorruptionsAreDetected() throws {
        // A dictionary code past the end of the dictionary (3 entries, 2-bit codes, code 3).
        let strings = Column.string(["a", "b", "c", "a"])
        var body = ChunkEncoder.encode(strings, as: .dictionary).body
        #expect(body[body.count - 2] == 2)  // the width byte
        body[body.count - 1] = 0xFF
        #expect(!Self.check(body, encoding: .dictionary, like: strings, "string code"))
        // With two entries every 1-bit code is valid: flipping codes still decodes.
        let two = Column.string(["a", "b", "a", "b"])
        var twoBody = ChunkEncoder.encode(two, as: .dictionary).body
        twoBody[twoBody.count - 1] = 0xFF
        #expect(Self.check(twoBody, encoding: .dictionary, like: two, "two entries"))

        let ints = Column.int64([5, 6, 5, 6, 7])
        var intBody = ChunkEncoder.encode(ints, as: .dictionary).body
        intBody[intBody.count - 1] = 0xFF
        #expect(!Self.check(intBody, encoding: .dictionary, like: ints, "int code"))

        // Runs that add up to too many or too few rows.
        let runs = Column.int64([1, 1, 1, 2, 2])
        var runBody = ChunkEncoder.encode(runs, as: .runLength).body
        // u32 run count, 2 values (16 bytes), then the first length.
        #expect(runBody[20] == 3)
        runBody[20] = 4
        #expect(!Self.check(runBody, encoding: .runLength, like: runs, "too many rows"))
        runBody[20] = 2
        #expect(!Self.check(runBody, encoding: .runLength, like: runs, "too few rows"))

        // A bit width over the unpacker's limit.
        var packedBody = ChunkEncoder.encode(ints, as: .bitPacked).body
        #expect(packedBody[8] == 2)
        packedBody[8] = 57
        #expect(!Self.check(packedBody, encoding: .bitPacked, like: ints, "width 57"))

        // A decimal exponent out of range.
        let floats = Column.float64([1.25, 2.5])
        var decimalBody = ChunkEncoder.encode(floats, as: .decimal).body
        #expect(decimalBody[0] == 2)
        decimalBody[0] = 19
        #expect(!Self.check(decimalBody, encoding: .decimal, like: floats, "exponent 19"))

        // Bit-packed dates that overflow 32 bits.
        let dates = Column.date([0, 1])
        var dateBody = ChunkEncoder.encode(dates, as: .bitPacked).body
        dateBody.replaceSubrange(0..<8, with: [0, 0, 0, 0, 1, 0, 0, 0])  // reference 2^32
        #expect(!Self.check(dateBody, encoding: .bitPacked, like: dates, "date overflow"))

        // A validity bitmap whose null count disagrees with the metadata.
        let nullable = Column.int64([1, nil, 3])
        var validityBody = ChunkEncoder.encode(nullable, as: .plain).body
        validityBody[0] = 0b111
        #expect(!Self.check(validityBody, encoding: .plain, like: nullable, "validity"))
    }
}
