import Columns

/// The H2O.ai db-benchmark group-by data set (`_data/groupby-datagen.R` of h2oai/db-benchmark),
/// generated batch by batch in constant memory.
///
/// Columns, with N rows and K groups, as in the R script:
/// - `id1`, `id2`: strings `id001`…, drawn uniformly from K values;
/// - `id3`: strings `id0000000001`…, uniformly from N/K values;
/// - `id4`, `id5`: integers uniform in 1…K; `id6`: uniform in 1…N/K;
/// - `v1`, `v2`: integers uniform in 1…5; `v3`: uniform in [0, 100) rounded to 4 decimals.
/// With `nullPercent` p, exactly ⌊N·p/100⌋ rows of each column, chosen uniformly and
/// independently per column, are null. String keys come out dictionary-encoded, one shared
/// dictionary per column.
///
/// R's Mersenne Twister stream is not reproduced (the values differ from the R files; the
/// distributions do not). Each column draws from its own xoshiro256** stream of `seed`, so the
/// rows depend only on (rows, groups, nullPercent, seed), never on the output format or the
/// batch size.
public struct GroupByGenerator: Sendable {
    public let rows: Int
    public let groups: Int
    public let nullPercent: Int
    public let seed: UInt64

    /// - Throws: `.invalidInput` for a non-positive row or group count or a percentage
    ///   outside 0…100.
    public init(rows: Int, groups: Int = 100, nullPercent: Int = 0, seed: UInt64 = 108) throws(BatonError) {
        guard rows >= 0 else { throw BatonError(.invalidInput, "--rows must be zero or more", at: .init(text: String(rows))) }
        guard groups >= 1 else { throw BatonError(.invalidInput, "--groups must be at least 1", at: .init(text: String(groups))) }
        guard (0...100).contains(nullPercent) else {
            throw BatonError(.invalidInput, "--nas is a percentage from 0 to 100", at: .init(text: String(nullPercent)))
        }
        self.rows = rows
        self.groups = groups
        self.nullPercent = nullPercent
        self.seed = seed
    }

    /// The db-benchmark file name for these parameters, e.g. `G1_1e7_1e2_0_0`.
    public var benchmarkName: String {
        "G1_\(Self.scientific(rows))_\(Self.scientific(groups))_\(nullPercent)_0"
    }

    public static let schema = try! Schema([
        Field("id1", .string), Field("id2", .string), Field("id3", .string),
        Field("id4", .int64), Field("id5", .int64), Field("id6", .int64),
        Field("v1", .int64), Field("v2", .int64), Field("v3", .float64),
    ])

    /// Number of distinct id3 / id6 values: N/K, at least 1.
    var smallGroups: Int { max(1, rows / groups) }

    /// Calls `body` with consecutive batches of up to `batchSize` rows.
    public func generate(batchSize: Int = Batch.capacity, _ body: (Batch) throws(BatonError) -> Void) throws(BatonError) {
        let large = Self.labels(groups, digits: 3), small = Self.labels(smallGroups, digits: 10)
        var streams = (0..<9).map { Xoshiro256(seed: seed, stream: UInt64($0) + 1) }
        let nulls = rows * nullPercent / 100
        var samplers = (0..<9).map {
            SelectionSampler(choose: nulls, of: rows, rng: Xoshiro256(seed: seed, stream: UInt64($0) + 101))
        }
        let k = UInt64(groups), nk = UInt64(smallGroups)
        var done = 0
        while done < rows {
            let n = min(batchSize, rows - done)
            var columns: [Column] = []
            for c in 0..<9 {
                let validity = nulls == 0 ? nil : Bitmap((0..<n).map { _ in !samplers[c].next() })
                switch c {
                case 0, 1, 2:
                    let bound = c == 2 ? nk : k
                    let codes = (0..<n).map { _ in Int32(streams[c].below(bound)) }
                    columns.append(Column(.string, .dictionary(codes: codes, values: c == 2 ? small : large), validity: validity))
                case 3, 4, 5, 6, 7:
                    let bound = [k, k, nk, 5, 5][c - 3]
                    let values = (0..<n).map { _ in Int64(streams[c].below(bound)) + 1 }
                    columns.append(Column(.int64, .int64(values), validity: validity))
                default:
                    let values = (0..<n).map { _ in (streams[c].unit() * 100 * 10_000).rounded() / 10_000 }
                    columns.append(Column(.float64, .float64(values), validity: validity))
                }
            }
            try body(try Batch(schema: Self.schema, columns: columns))
            done += n
        }
    }

    /// `id` followed by 1…count zero-padded to `digits` (R's `sprintf("id%03d", 1:K)`).
    static func labels(_ count: Int, digits: Int) -> StringArray {
        var labels = StringArray()
        labels.reserveCapacity(count: count, bytes: count * (digits + 2))
        for i in 1...count {
            let number = String(i)
            labels.append("id" + String(repeating: "0", count: max(0, digits - number.count)) + number)
        }
        return labels
    }

    /// R's `pretty_sci`: 10000000 → "1e7", 100 → "1e2", 2500000 → "2.5e6".
    static func scientific(_ x: Int) -> String {
        guard x > 0 else { return "0" }
        var mantissa = x, exponent = 0
        while mantissa % 10 == 0 { mantissa /= 10; exponent += 1 }
        let digits = String(mantissa)
        if digits.count == 1 { return "\(digits)e\(exponent)" }
        return "\(digits.prefix(1)).\(digits.dropFirst())e\(exponent + digits.count - 1)"
    }
}
