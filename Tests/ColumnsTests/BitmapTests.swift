import Testing
import Columns
import TestSupport

@Suite struct BitmapTests {
    @Test func initFromBoolsLaysOutBitsLeastSignificantFirst() {
        let bits = [true, false, true, true, false, false, false, false, true]
        let bitmap = Bitmap(bits)
        #expect(bitmap.count == 9)
        #expect(bitmap.words == [0b1_0000_1101])
        for (i, bit) in bits.enumerated() { #expect(bitmap[i] == bit) }
        #expect(bitmap.setCount == 4)
    }

    @Test func initFromBoolsSpansWords() {
        var rng = SeededGenerator(seed: 1)
        for count in boundaryCounts {
            let bits = rng.bits(count)
            let bitmap = Bitmap(bits)
            #expect(bitmap.count == count)
            #expect(bitmap.words.count == (count + 63) / 64)
            #expect((0..<count).map { bitmap[$0] } == bits)
            #expect(bitmap.setCount == bits.filter { $0 }.count)
        }
    }

    @Test func emptyBitmap() {
        let empty = Bitmap([Bool]())
        #expect(empty.count == 0)
        #expect(empty.words.isEmpty)
        #expect(empty.bytes.isEmpty)
        #expect(empty.setCount == 0)
        #expect(empty == Bitmap(repeating: true, count: 0))
        #expect(empty == Bitmap(repeating: false, count: 0))
    }

    @Test(arguments: boundaryCounts)
    func repeatingKeepsTailZero(count: Int) {
        let ones = Bitmap(repeating: true, count: count)
        let zeros = Bitmap(repeating: false, count: count)
        #expect(ones.setCount == count)
        #expect(zeros.setCount == 0)
        #expect(ones == Bitmap(Array(repeating: true, count: count)))
        #expect(zeros == Bitmap(Array(repeating: false, count: count)))
        if count % 64 != 0 {
            #expect(ones.words.last == (UInt64(1) << UInt64(count % 64)) - 1)
        }
    }

    @Test func wordsInitClearsTailSoEqualBitsCompareEqual() {
        let dirty = Bitmap(words: [~0, ~0], count: 70)
        #expect(dirty.words == [~0, 0b11_1111])
        #expect(dirty.setCount == 70)
        #expect(dirty == Bitmap(repeating: true, count: 70))
        let a = Bitmap(words: [0xFFFF_0000_0000_0005], count: 3)
        let b = Bitmap(words: [0x0000_0000_0000_0005], count: 3)
        #expect(a == b)
        #expect(a == Bitmap([true, false, true]))
    }

    @Test func bytesRoundTripAtEveryBoundary() {
        var rng = SeededGenerator(seed: 2)
        for count in boundaryCounts {
            let bits = rng.bits(count)
            let bitmap = Bitmap(bits)
            let bytes = bitmap.bytes
            #expect(bytes.count == (count + 7) / 8)
            // Bit i is bit i % 8 of byte i / 8.
            var naive = [UInt8](repeating: 0, count: (count + 7) / 8)
            for (i, bit) in bits.enumerated() where bit { naive[i / 8] |= 1 << UInt8(i % 8) }
            #expect(bytes == naive)
            let back = bytes.withUnsafeBytes { Bitmap(bytes: $0, count: count) }
            #expect(back == bitmap)
            #expect(back.setCount == bitmap.setCount)
        }
    }

    @Test func bytesInitIgnoresBitsPastCountAndExtraBytes() {
        let fromJunk = [UInt8]([0xFF, 0xFF, 0xAB, 0xCD]).withUnsafeBytes { Bitmap(bytes: $0, count: 11) }
        #expect(fromJunk.count == 11)
        #expect(fromJunk.setCount == 11)
        #expect(fromJunk == Bitmap(repeating: true, count: 11))
        #expect(fromJunk.bytes == [0xFF, 0x07])

        let oneBit = [UInt8]([0b1111_1110]).withUnsafeBytes { Bitmap(bytes: $0, count: 1) }
        #expect(oneBit == Bitmap([false]))
        #expect(oneBit.setCount == 0)
    }

    @Test func sliceAtUnalignedOffsets() {
        var rng = SeededGenerator(seed: 3)
        let n = 333
        let bits = rng.bits(n)
        let bitmap = Bitmap(bits)
        let bounds = [0, 1, 5, 8, 31, 63, 64, 65, 100, 127, 128, 129, 200, 255, 256, 300, 320, 332, 333]
        for lo in bounds {
            for hi in bounds where hi >= lo {
                let slice = bitmap.slice(lo..<hi)
                let expected = Bitmap(Array(bits[lo..<hi]))
                #expect(slice.count == hi - lo)
                #expect(slice == expected, "slice \(lo)..<\(hi)")
                #expect(slice.setCount == expected.setCount, "slice \(lo)..<\(hi)")
            }
        }
    }

    @Test func sliceOfAllOnesHasNoBitsPastItsEnd() {
        let ones = Bitmap(repeating: true, count: 200)
        for lo in [0, 3, 64, 70] {
            for hi in [lo, lo + 1, lo + 60, lo + 64, lo + 100, 200] where hi <= 200 {
                let slice = ones.slice(lo..<hi)
                #expect(slice.setCount == hi - lo)
                #expect(slice == Bitmap(repeating: true, count: hi - lo))
            }
        }
    }

    @Test func emptySlicesAtTheEnd() {
        for count in [0, 64, 128, 130] {
            let bitmap = Bitmap(repeating: true, count: count)
            #expect(bitmap.slice(count..<count) == Bitmap([Bool]()))
            #expect(bitmap.slice(0..<count) == bitmap)
        }
    }

    @Test func appendAtUnalignedOffsets() {
        var rng = SeededGenerator(seed: 4)
        let counts = [0, 1, 3, 8, 31, 63, 64, 65, 100, 128, 130]
        for a in counts {
            for b in counts {
                let left = rng.bits(a), right = rng.bits(b)
                var bitmap = Bitmap(left)
                bitmap.append(contentsOf: Bitmap(right))
                #expect(bitmap.count == a + b)
                #expect(bitmap == Bitmap(left + right), "append \(a) + \(b)")
                #expect(bitmap.words.count == (a + b + 63) / 64)
            }
        }
    }

    @Test func appendAllOnesKeepsTailZero() {
        var bitmap = Bitmap(repeating: true, count: 5)
        bitmap.append(contentsOf: Bitmap(repeating: true, count: 61))
        #expect(bitmap.count == 66)
        #expect(bitmap.words == [~0, 0b11])
        #expect(bitmap == Bitmap(repeating: true, count: 66))
    }

    @Test func manySmallAppendsEqualOneBuild() {
        var rng = SeededGenerator(seed: 5)
        var all: [Bool] = []
        var bitmap = Bitmap(repeating: false, count: 0)
        for _ in 0..<200 {
            let piece = rng.bits(Int.random(in: 0...70, using: &rng), density: 0.7)
            all += piece
            bitmap.append(contentsOf: Bitmap(piece))
        }
        #expect(bitmap == Bitmap(all))
        #expect(bitmap.setCount == all.filter { $0 }.count)
    }

    @Test func gatherPicksBitsInIndexOrder() {
        var rng = SeededGenerator(seed: 6)
        let bits = rng.bits(500)
        let bitmap = Bitmap(bits)
        for size in [0, 1, 63, 64, 65, 300, 1000] {
            let indices = (0..<size).map { _ in UInt32.random(in: 0..<500, using: &rng) }
            let gathered = indices.withUnsafeBufferPointer { bitmap.gather($0) }
            #expect(gathered == Bitmap(indices.map { bits[Int($0)] }))
            #expect(gathered.count == size)
        }
        let reversed = (0..<UInt32(500)).reversed().map { $0 }
        #expect(reversed.withUnsafeBufferPointer { bitmap.gather($0) } == Bitmap(bits.reversed()))
    }

    @Test func setCountMatchesNaiveCount() {
        var rng = SeededGenerator(seed: 7)
        for count in boundaryCounts {
            for density in [0.0, 0.1, 0.5, 0.9, 1.0] {
                let bits = rng.bits(count, density: density)
                #expect(Bitmap(bits).setCount == bits.filter { $0 }.count)
            }
        }
    }

    @Test func subscriptSetterAndEquality() {
        var bitmap = Bitmap(repeating: false, count: 130)
        var expected = [Bool](repeating: false, count: 130)
        for i in [0, 1, 63, 64, 65, 127, 128, 129] {
            bitmap[i] = true
            expected[i] = true
        }
        bitmap[64] = false
        expected[64] = false
        #expect(bitmap == Bitmap(expected))
        #expect(bitmap.setCount == 7)
        #expect(bitmap != Bitmap(repeating: false, count: 130))
        #expect(Bitmap([true]) != Bitmap([true, false]))
    }
}
