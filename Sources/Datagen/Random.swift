/// xoshiro256** seeded through SplitMix64: fast, statistically sound, and fully specified
/// here, so the same seed yields the same data on every platform and Swift version (the
/// standard library's generators promise neither).
public struct Xoshiro256: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    /// A generator for the independent stream `stream` of `seed`.
    public init(seed: UInt64, stream: UInt64 = 0) {
        var x = seed ^ (stream &* 0x9E37_79B9_7F4A_7C15)
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in `0..<bound` without modulo bias (Lemire's multiply-shift with rejection).
    @inline(__always)
    public mutating func below(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return product.high
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}

/// Picks exactly `k` of `n` positions, uniformly, in one pass in position order (Knuth's
/// selection sampling, Algorithm S): how `--nas` nulls exactly `N * pct / 100` rows of a
/// column, as the R generator's `sample(N, N_nas)` does, without holding N positions.
struct SelectionSampler {
    private var needed: Int
    private var remaining: Int
    private var rng: Xoshiro256

    init(choose k: Int, of n: Int, rng: Xoshiro256) {
        needed = k
        remaining = n
        self.rng = rng
    }

    /// Whether the next position is chosen.
    mutating func next() -> Bool {
        defer { remaining -= 1 }
        guard needed > 0 else { return false }
        if rng.below(UInt64(remaining)) < UInt64(needed) {
            needed -= 1
            return true
        }
        return false
    }
}
