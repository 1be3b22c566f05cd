import Testing
import Columns
import TestSupport

@Suite struct SelectionVectorTests {
    static func naive(_ bits: [Bool]) -> [UInt32] {
        bits.indices.filter { bits[$0] }.map { UInt32($0) }
    }

    @Test func maskMatchesNaiveLoopOnRandomMasks() {
        var rng = SeededGenerator(seed: 21)
        for count in boundaryCounts + [4_096, 5_000] {
            for density in [0.0, 0.01, 0.3, 0.5, 0.97, 1.0] {
                let bits = rng.bits(count, density: density)
                let selection = SelectionVector(mask: Bitmap(bits))
                #expect(selection.indices == Self.naive(bits), "count \(count), density \(density)")
                #expect(selection.count == bits.filter { $0 }.count)
            }
        }
    }

    @Test func maskFromSlicedAndAppendedBitmaps() {
        var rng = SeededGenerator(seed: 22)
        let bits = rng.bits(300, density: 0.9)
        let sliced = Bitmap(bits).slice(37..<251)
        #expect(SelectionVector(mask: sliced).indices == Self.naive(Array(bits[37..<251])))
        var appended = Bitmap(Array(bits[0..<5]))
        appended.append(contentsOf: Bitmap(Array(bits[5..<300])))
        #expect(SelectionVector(mask: appended).indices == Self.naive(bits))
    }

    @Test func allSelectsEveryRow() {
        #expect(SelectionVector.all(0).indices == [])
        #expect(SelectionVector.all(5).indices == [0, 1, 2, 3, 4])
        #expect(SelectionVector.all(130) == SelectionVector(mask: Bitmap(repeating: true, count: 130)))
    }
}
