import Columns
import Testing
@testable import Operators

/// Quantiles as a parallel aggregation computes them: partials fed row by row, sealed, merged
/// group by group (some groups renumbered, some merged into one), with rows added after the
/// merges; the result must be each group's order statistic over all its values.
@Suite struct QuantileStateTests {
    struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
    }

    /// The reference: sort each group's values; continuous quantiles interpolate.
    static func reference(_ values: [Double], fraction: Double, continuous: Bool) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        if continuous {
            let rn = Double(sorted.count - 1) * fraction
            let lo = Int(rn.rounded(.down)), hi = Int(rn.rounded(.up))
            return sorted[lo] + (sorted[hi] - sorted[lo]) * (rn - Double(lo))
        }
        return sorted[max(1, Int((fraction * Double(sorted.count)).rounded(.up))) - 1]
    }

    @Test(arguments: [(0.5, true), (0.25, true), (0.9, false)])
    func partialsMergedGiveEachGroupsQuantile(fraction: Double, continuous: Bool) throws {
        var random = Random(state: 17)
        let groups = 40
        var expected = [[Double]](repeating: [], count: groups)
        let final = QuantileState(.int64, fraction: fraction, continuous: continuous)
        final.grow(to: groups)
        for _ in 0..<4 {
            let partial = QuantileState(.int64, fraction: fraction, continuous: continuous)
            let partialGroups = 30
            partial.grow(to: partialGroups)
            // Partial group g holds final group (g * 7 + 3) % 40 for even g, g for odd g.
            let target: [Int32] = (0..<partialGroups).map { g in Int32(g % 2 == 0 ? (g * 7 + 3) % groups : g) }
            for _ in 0..<3 {
                let n = 200 + random.next(200)
                let rowGroups = (0..<n).map { _ in Int32(random.next(partialGroups)) }
                let values = (0..<n).map { _ in random.next(9) == 0 ? nil : Int64(random.next(1000)) - 500 }
                try partial.update(groups: rowGroups, arguments: [.int64(values)])
                for (g, v) in zip(rowGroups, values) { if let v { expected[Int(target[Int(g)])].append(Double(v)) } }
            }
            partial.seal()
            // Merged in two calls, in a shuffled order.
            let scrambled: [Int] = (0..<partialGroups).map { ($0 * 13) % partialGroups }
            let order: [Int32] = scrambled.map { Int32($0) }
            for half in [order[..<15], order[15...]] {
                let to: [Int32] = half.map { target[Int($0)] }
                try final.merge(partial, from: Array(half), to: to)
            }
            // Rows straight into the final state between merges.
            let rowGroups = (0..<50).map { _ in Int32(random.next(groups)) }
            let values = (0..<50).map { _ in Int64(random.next(1000)) - 500 }
            try final.update(groups: rowGroups, arguments: [.int64(values)])
            for (g, v) in zip(rowGroups, values) { expected[Int(g)].append(Double(v)) }
        }
        let result = final.finish(count: groups + 1)  // one more group, with no values: null
        for g in 0...groups {
            let want = g < groups ? Self.reference(expected[g], fraction: fraction, continuous: continuous) : nil
            let got: Double? = switch result.value(at: g) {
            case .float64(let x): x
            case .int64(let x): Double(x)
            default: nil
            }
            #expect(got == want, "group \(g)")
        }
    }

    /// Strings: the discrete median of each group, through a seal and a merge.
    @Test func stringMediansThroughAMerge() throws {
        let partial = QuantileState(.string, fraction: 0.5, continuous: true)
        partial.grow(to: 2)
        try partial.update(groups: [0, 1, 0, 1, 0], arguments: [.string(["b", "x", "a", nil, "c"])])
        partial.seal()
        let final = QuantileState(.string, fraction: 0.5, continuous: true)
        final.grow(to: 2)
        try final.merge(partial, from: [1, 0], to: [0, 1])
        try final.update(groups: [0], arguments: [.string(["y"])])
        let result = final.finish(count: 2)
        #expect(result.value(at: 0) == .string("x"))  // x, y: the lower middle
        #expect(result.value(at: 1) == .string("b"))  // a, b, c
    }
}
