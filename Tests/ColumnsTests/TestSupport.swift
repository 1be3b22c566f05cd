import Columns

/// SplitMix64: a small, fast, seedable generator so every randomized test is deterministic.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SeededGenerator {
    /// `count` random bits, each set with probability `density`.
    mutating func bits(_ count: Int, density: Double = 0.5) -> [Bool] {
        (0..<count).map { _ in Double.random(in: 0..<1, using: &self) < density }
    }
}

/// Bit counts around byte and word boundaries.
let boundaryCounts = [0, 1, 2, 7, 8, 9, 15, 16, 31, 32, 33, 63, 64, 65, 127, 128, 129, 191, 192, 193, 255, 256, 257, 1000]
