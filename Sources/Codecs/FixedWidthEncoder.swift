import Columns

/// Encodes Int64, Date, Timestamp and Float64 chunks, all seen as 64-bit patterns (dates
/// sign-extended, floats by their bits, so that -0.0 and NaN payloads survive exactly).
struct FixedWidthEncoder {
    enum Kind { case integer, float }

    let words: FixedWords
    let kind: Kind
    /// Bytes per value in the plain layout: 8, or 4 for Date.
    let width: Int

    /// The most distinct values a chunk dictionary may hold.
    static let dictionaryLimit = 1 << 16

    /// The least and greatest value, when choosing the encoding found them (the automatic
    /// choice always does for integers, and for floats that are short decimals): chunk
    /// statistics then need no pass of their own.
    enum ObservedRange {
        case integer(Int64, Int64)
        case float(Double, Double)
    }

    func encode(_ requested: Encoding?, into out: inout ByteWriter) -> Encoding {
        var observed: ObservedRange?
        return encode(requested, into: &out, observed: &observed)
    }

    func encode(_ requested: Encoding?, into out: inout ByteWriter, observed: inout ObservedRange?) -> Encoding {
        words.with { v in
            let choice = choose(v, requested, observed: &observed)
            write(v, choice, into: &out)
            return choice.encoding
        }
    }

    /// An encoding together with what its writer needs, found while estimating sizes.
    enum Choice {
        case plain
        case bitPacked(reference: Int64, width: Int)
        case decimal(exponent: Int, reference: Int64, width: Int)
        case dictionary(values: [UInt64], codes: [UInt32])
        case runLength

        var encoding: Encoding {
            switch self {
            case .plain: .plain
            case .bitPacked: .bitPacked
            case .decimal: .decimal
            case .dictionary: .dictionary
            case .runLength: .runLength
            }
        }
    }

    func choose(_ v: UnsafeBufferPointer<UInt64>, _ requested: Encoding?) -> Choice {
        var observed: ObservedRange?
        return choose(v, requested, observed: &observed)
    }

    func choose(_ v: UnsafeBufferPointer<UInt64>, _ requested: Encoding?, observed: inout ObservedRange?) -> Choice {
        let n = v.count
        switch requested {
        case .plain: return .plain
        case .runLength: return .runLength
        case .bitPacked where kind == .integer:
            if let frame = frameOfReference(v) { return frame }
        case .decimal where kind == .float:
            if let decimal = decimal(v) { return decimal }
        case .dictionary:
            if let dictionary = dictionary(v, limit: Int.max) { return dictionary }
        default:
            break
        }
        var best: (choice: Choice, size: Int) = (.plain, n * width)
        // Bits a value takes in the best representation without a dictionary.
        var narrowest = width * 8
        if kind == .integer {
            let range = Self.signedRange(v)
            if let (low, high) = range { observed = .integer(low, high) }
            if let frame = frameOfReference(range), case .bitPacked(_, let bits) = frame {
                let size = 9 + BitPacking.byteCount(count: n, width: bits)
                if size < best.size { best = (frame, size) }
                narrowest = bits
            }
        }
        if kind == .float, let (decimal, low, high) = decimalAndRange(v), case .decimal(let e, _, let bits) = decimal {
            if !v.isEmpty { observed = .float(Double(low) / Decimal.powers[e], Double(high) / Decimal.powers[e]) }
            let size = 10 + BitPacking.byteCount(count: n, width: bits)
            if size < best.size { best = (decimal, size) }
            narrowest = bits
        }
        // A dictionary pays only when its codes are clearly narrower; the sample's distinct
        // count is a lower bound on their width.
        if let sampled = sampledDistinct(v), sampled * 2 <= min(n, 1024),
           BitPacking.width(of: UInt64(max(sampled, 1) - 1)) + 1 < narrowest,
           let dictionary = dictionary(v, limit: min(Self.dictionaryLimit, n / 2 + 1)),
           case .dictionary(let values, _) = dictionary {
            let size = 5 + values.count * width + BitPacking.byteCount(count: n, width: BitPacking.width(of: UInt64(values.count - 1)))
            if size < best.size { best = (dictionary, size) }
        }
        let runSize = 4 + runCount(v) * (width + 4)
        if runSize < best.size { best = (.runLength, runSize) }
        return best.choice
    }

    func write(_ v: UnsafeBufferPointer<UInt64>, _ choice: Choice, into out: inout ByteWriter) {
        switch choice {
        case .plain:
            writePlain(v, into: &out)
        case .bitPacked(let reference, let bits):
            out.i64(reference)
            out.u8(UInt8(bits))
            let base = UInt64(bitPattern: reference)
            BitPacking.pack(count: v.count, width: bits, into: &out) { v[$0] &- base }
        case .decimal(let exponent, let reference, let bits):
            out.u8(UInt8(exponent))
            out.i64(reference)
            out.u8(UInt8(bits))
            let scale = Decimal.powers[exponent]
            BitPacking.pack(count: v.count, width: bits, into: &out) {
                UInt64(bitPattern: Int64((Double(bitPattern: v[$0]) * scale).rounded()) &- reference)
            }
        case .dictionary(let values, let codes):
            out.u32(UInt32(values.count))
            values.withUnsafeBufferPointer { writePlain($0, into: &out) }
            let bits = BitPacking.width(of: UInt64(max(values.count, 1) - 1))
            out.u8(UInt8(bits))
            codes.map { UInt64($0) }.withUnsafeBufferPointer { BitPacking.pack($0, width: bits, into: &out) }
        case .runLength:
            var values: [UInt64] = []
            var lengths: [UInt32] = []
            var i = 0
            while i < v.count {
                var j = i + 1
                while j < v.count && v[j] == v[i] && j - i < Int(UInt32.max) { j += 1 }
                values.append(v[i])
                lengths.append(UInt32(j - i))
                i = j
            }
            out.u32(UInt32(values.count))
            values.withUnsafeBufferPointer { writePlain($0, into: &out) }
            out.append(values: lengths.map { $0.littleEndian })
        }
    }

    private func writePlain(_ v: UnsafeBufferPointer<UInt64>, into out: inout ByteWriter) {
        if width == 8 {
            out.append(UnsafeRawBufferPointer(v))
        } else {
            out.append(values: v.map { Int32(truncatingIfNeeded: Int64(bitPattern: $0)) })
        }
    }

    /// Frame of reference over signed values, if the range fits the unpacker.
    private func frameOfReference(_ v: UnsafeBufferPointer<UInt64>) -> Choice? { frameOfReference(Self.signedRange(v)) }

    private func frameOfReference(_ range: (Int64, Int64)?) -> Choice? {
        guard let (low, high) = range else { return .bitPacked(reference: 0, width: 0) }
        let bits = BitPacking.width(of: UInt64(bitPattern: high &- low))
        guard bits <= BitPacking.maxWidth else { return nil }
        return .bitPacked(reference: low, width: bits)
    }

    static func signedRange(_ v: UnsafeBufferPointer<UInt64>) -> (Int64, Int64)? {
        guard !v.isEmpty else { return nil }
        var low = Int64.max, high = Int64.min
        for word in v {
            let x = Int64(bitPattern: word)
            low = min(low, x)
            high = max(high, x)
        }
        return (low, high)
    }

    /// The decimal encoding, if every value is `k / 10^e` exactly for one small `e`.
    private func decimal(_ v: UnsafeBufferPointer<UInt64>) -> Choice? { decimalAndRange(v)?.choice }

    /// The decimal encoding and the least and greatest scaled integers.
    private func decimalAndRange(_ v: UnsafeBufferPointer<UInt64>) -> (choice: Choice, low: Int64, high: Int64)? {
        guard let found = Decimal.exponent(of: v) else { return nil }
        let (low, high) = v.isEmpty ? (Int64(0), Int64(0)) : (found.low, found.high)
        let bits = BitPacking.width(of: UInt64(bitPattern: high &- low))
        guard bits <= BitPacking.maxWidth else { return nil }
        return (.decimal(exponent: found.exponent, reference: low, width: bits), low, high)
    }

    /// Distinct values among up to 1,024 evenly spaced ones (nil for tiny chunks).
    private func sampledDistinct(_ v: UnsafeBufferPointer<UInt64>) -> Int? {
        guard v.count >= 16 else { return nil }
        let step = max(1, v.count / 1024)
        var seen = DistinctCounter(maxInserts: (v.count + step - 1) / step)
        var i = 0
        while i < v.count {
            seen.insert(v[i])
            i += step
        }
        return seen.count
    }

    private func dictionary(_ v: UnsafeBufferPointer<UInt64>, limit: Int) -> Choice? {
        var codeOf: [UInt64: UInt32] = [:]
        var values: [UInt64] = []
        var codes = [UInt32](repeating: 0, count: v.count)
        for (i, word) in v.enumerated() {
            if let code = codeOf[word] {
                codes[i] = code
            } else {
                guard values.count < limit else { return nil }
                let code = UInt32(values.count)
                codeOf[word] = code
                values.append(word)
                codes[i] = code
            }
        }
        if values.isEmpty { values = [0] }
        return .dictionary(values: values, codes: codes)
    }

    private func runCount(_ v: UnsafeBufferPointer<UInt64>) -> Int {
        guard !v.isEmpty else { return 0 }
        // Branch-free (PERFORMANCE.md: a `cond ? 1 : 0` here compiles to a branch).
        var changes = 0
        for i in 1..<v.count { changes &+= Int(unsafeBitCast(v[i] != v[i &- 1], to: UInt8.self)) }
        return changes + 1
    }
}

/// Finding short exact decimals among doubles.
enum Decimal {
    /// 10^e for e in 0...18, each exactly representable as a Double.
    static let powers: [Double] = (0...18).map { e in (0..<e).reduce(1.0) { acc, _ in acc * 10 } }
    static let maxExponent = 18

    /// The smallest `e` such that every value equals `Double(k) / 10^e` bit for bit for an
    /// integer `k` with `|k| < 2^53`, or nil. A sample rules out small exponents cheaply; each
    /// remaining exponent is then checked against every value, so a rare longer decimal that
    /// the sample missed raises `e` instead of losing the encoding.
    /// With the exponent come the least and greatest scaled integers, found in the same pass
    /// that checks every value (the encoder needs them for its frame of reference).
    static func exponent(of v: UnsafeBufferPointer<UInt64>) -> (exponent: Int, low: Int64, high: Int64)? {
        let sampleStep = max(1, v.count / 256)
        candidates: for e in 0...maxExponent {
            var i = 0
            while i < v.count {
                if !exact(v[i], e) { continue candidates }
                i += sampleStep
            }
            var low = Int64.max, high = Int64.min
            for word in v {
                guard let k = scaled(word, e) else { continue candidates }
                low = min(low, k)
                high = max(high, k)
            }
            return (e, low, high)
        }
        return nil
    }

    /// `word` as the integer `k` with `Double(k) / 10^e` equal to it bit for bit, or nil.
    @inline(__always)
    static func scaled(_ word: UInt64, _ e: Int) -> Int64? {
        let x = Double(bitPattern: word)
        let scaled = (x * powers[e]).rounded()
        guard abs(scaled) < 9_007_199_254_740_992 else { return nil }  // 2^53; also rejects NaN and infinities
        let k = Int64(scaled)
        return (Double(k) / powers[e]).bitPattern == word ? k : nil
    }

    @inline(__always)
    static func exact(_ word: UInt64, _ e: Int) -> Bool { scaled(word, e) != nil }
}
