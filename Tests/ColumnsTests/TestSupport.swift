import Columns
import TestSupport

extension SeededGenerator {
    /// `count` random bits, each set with probability `density`.
    mutating func bits(_ count: Int, density: Double = 0.5) -> [Bool] {
        (0..<count).map { _ in Double.random(in: 0..<1, using: &self) < density }
    }
}

/// Bit counts around byte and word boundaries.
let boundaryCounts = [0, 1, 2, 7, 8, 9, 15, 16, 31, 32, 33, 63, 64, 65, 127, 128, 129, 191, 192, 193, 255, 256, 257, 1000]
