@testable import Codecs
import Testing
import TestSupport

/// The encoders' sampling counter counts exactly what a `Set` counts, zero included, from a
/// handful of words to its full bound, with few and with many repeats.
@Suite struct DistinctCounterTests {
    @Test(arguments: [0, 1, 15, 16, 100, 1024, 8192])
    func countsWhatASetCounts(inserts: Int) {
        var random = SeededGenerator(seed: UInt64(inserts) + 3)
        for spread in [UInt64(1), 2, 50, .max] {
            var counter = DistinctCounter(maxInserts: inserts)
            var reference = Set<UInt64>()
            for _ in 0..<inserts {
                let word = spread == .max ? random.next() : random.next() % spread
                counter.insert(word)
                reference.insert(word)
            }
            #expect(counter.count == reference.count, "spread \(spread)")
        }
    }
}
