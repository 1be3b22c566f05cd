import Testing
import Columns

@Suite struct StringArrayTests {
    static let samples = ["", "a", "héllo", "日本語", "", "🎉👍🏽", "e\u{301}", "plain ascii", "\u{0}nul", "Ωmega"]

    @Test func emptyArray() {
        let array = StringArray()
        #expect(array.count == 0)
        #expect(array.offsets == [0])
        #expect(array.bytes.isEmpty)
        #expect(array == StringArray([String]()))
    }

    @Test func appendStoresUTF8AndOffsets() {
        var array = StringArray()
        var expectedOffsets: [Int32] = [0]
        var expectedBytes: [UInt8] = []
        for string in Self.samples {
            array.append(string)
            expectedBytes += Array(string.utf8)
            expectedOffsets.append(Int32(expectedBytes.count))
        }
        #expect(array.count == Self.samples.count)
        #expect(array.offsets == expectedOffsets)
        #expect(array.bytes == expectedBytes)
        for (i, string) in Self.samples.enumerated() {
            #expect(array[i] == string)
            #expect(array.withBytes(at: i) { Array($0) } == Array(string.utf8))
        }
        #expect(array == StringArray(Self.samples))
    }

    @Test func multiByteUTF8IsKeptByteForByte() {
        let array = StringArray(["é", "e\u{301}"])
        // Canonically equivalent, but different bytes: the array must not normalise.
        #expect(array.withBytes(at: 0) { Array($0) } == [0xC3, 0xA9])
        #expect(array.withBytes(at: 1) { Array($0) } == [0x65, 0xCC, 0x81])
        #expect(array.offsets == [0, 2, 5])
    }

    @Test func emptyStringsRepeatOffsets() {
        let array = StringArray(["", "", "x", "", ""])
        #expect(array.count == 5)
        #expect(array.offsets == [0, 0, 0, 1, 1, 1])
        #expect(array.bytes == [UInt8(ascii: "x")])
        #expect((0..<5).map { array[$0] } == ["", "", "x", "", ""])
    }

    @Test func explicitOffsetsInit() {
        let array = StringArray(offsets: [0, 3, 3, 6], bytes: Array("abcdef".utf8))
        #expect(array.count == 3)
        #expect(array[0] == "abc")
        #expect(array[1] == "")
        #expect(array[2] == "def")
    }

    @Test func sliceRebasesOffsetsAndCopiesOnlyItsBytes() {
        let array = StringArray(Self.samples)
        let n = Self.samples.count
        for lo in 0...n {
            for hi in lo...n {
                let slice = array.slice(lo..<hi)
                #expect(slice.count == hi - lo)
                #expect(slice.offsets.first == 0)
                #expect(slice.bytes == Array(Self.samples[lo..<hi].joined().utf8))
                #expect((0..<slice.count).map { slice[$0] } == Array(Self.samples[lo..<hi]))
                #expect(slice == StringArray(Self.samples[lo..<hi]))
            }
        }
    }

    @Test func appendFromAnotherArray() {
        let source = StringArray(Self.samples)
        var target = StringArray(["first"])
        for i in stride(from: source.count - 1, through: 0, by: -1) { target.append(from: source, at: i) }
        #expect(target.count == source.count + 1)
        #expect(target[0] == "first")
        #expect((1..<target.count).map { target[$0] } == Self.samples.reversed())
    }

    @Test func appendRawBytes() {
        var array = StringArray()
        [UInt8]([0xE2, 0x82, 0xAC]).withUnsafeBytes { array.append($0) }
        array.append(UnsafeRawBufferPointer(start: nil, count: 0))
        #expect(array.count == 2)
        #expect(array[0] == "€")
        #expect(array[1] == "")
    }
}
