import Testing
import Codecs
import Columns
import TestSupport

@Suite struct BlockCodecTests {
    static let codecs: [BlockCodec] = [.none, .lz4, .zstd(level: 1), .zstd(level: 3), .zstd(level: 19), .zstd(level: -5)]

    static func inputs() -> [[UInt8]] {
        var rng = SeededGenerator(seed: 700)
        let random = (0..<10_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let repetitive = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 % 17) }
        let text = Array(String(repeating: "the quick brown fox jumps over the lazy dog ", count: 200).utf8)
        return [[], [0], [0xFF, 0x00, 0x7F], random, repetitive, text, [UInt8](repeating: 0, count: 4_096)]
    }

    static func decompress(_ codec: BlockCodec, _ input: [UInt8], size: Int) throws(BatonError) -> [UInt8] {
        try input.withUnsafeBytes { raw in Result { () throws(BatonError) in try codec.decompress(raw, size: size) } }.get()
    }

    @Test(arguments: codecs)
    func roundTripWithSlack(codec: BlockCodec) throws {
        for input in Self.inputs() {
            let compressed = codec.compress(input)
            let out = try Self.decompress(codec, compressed, size: input.count)
            #expect(out.count == input.count + 8)
            #expect(Array(out[0..<input.count]) == input)
            #expect(out[input.count...].allSatisfy { $0 == 0 })
        }
    }

    @Test(arguments: codecs)
    func compressibleDataShrinks(codec: BlockCodec) {
        let repetitive = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 % 17) }
        let compressed = codec.compress(repetitive)
        if codec == .none {
            #expect(compressed == repetitive)
        } else {
            #expect(compressed.count < repetitive.count / 10)
        }
    }

    @Test(arguments: codecs)
    func wrongSizeThrowsCorrupt(codec: BlockCodec) {
        let input = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 * 7 % 13) }
        let compressed = codec.compress(input)
        for size in [0, 1, 999, 1_001, 4_096, -1, Int(Int32.max), Int.max] {
            let error = #expect(throws: BatonError.self, "size \(size)") {
                try Self.decompress(codec, compressed, size: size)
            }
            #expect(error?.kind == .corrupt, "size \(size)")
        }
    }

    @Test(arguments: codecs)
    func truncatedInputThrowsCorrupt(codec: BlockCodec) {
        let input = Array(String(repeating: "columnar engines like runs ", count: 100).utf8)
        let compressed = codec.compress(input)
        for cut in [0, 1, compressed.count / 2, compressed.count - 1] {
            let error = #expect(throws: BatonError.self, "cut \(cut)") {
                try Self.decompress(codec, Array(compressed[0..<cut]), size: input.count)
            }
            #expect(error?.kind == .corrupt, "cut \(cut)")
        }
    }

    @Test func garbageThrowsCorrupt() {
        let garbage: [[UInt8]] = [
            [], [0xFF], [UInt8](repeating: 0xFF, count: 64), [UInt8](repeating: 0, count: 64),
            Array("definitely not a compressed frame".utf8),
            [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x00, 0x00],  // zstd magic, then nonsense
        ]
        for codec in [BlockCodec.lz4, .zstd(level: 3)] {
            for input in garbage {
                let error = #expect(throws: BatonError.self, "\(codec) on \(input.prefix(8))") {
                    try Self.decompress(codec, input, size: 1_000)
                }
                #expect(error?.kind == .corrupt)
            }
        }
    }

    /// Random garbage must never crash the decompressors; when it happens to decode to
    /// exactly `size` bytes the slack is still there.
    @Test func randomGarbageNeverCrashes() {
        var rng = SeededGenerator(seed: 701)
        var rejected = 0, total = 0
        for codec in [BlockCodec.lz4, .zstd(level: 3)] {
            for _ in 0..<300 {
                let garbage = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                let size = Int.random(in: 0...2_000, using: &rng)
                total += 1
                do {
                    let out = try Self.decompress(codec, garbage, size: size)
                    #expect(out.count == size + 8)
                } catch {
                    #expect(error.kind == .corrupt)
                    rejected += 1
                }
            }
        }
        #expect(rejected > total * 9 / 10)
    }

    @Test func corruptedCompressedBytesNeverCrash() {
        var rng = SeededGenerator(seed: 702)
        let input = Array(String(repeating: "abcabcabd 0123456789 ", count: 50).utf8)
        for codec in [BlockCodec.lz4, .zstd(level: 3)] {
            let compressed = codec.compress(input)
            for _ in 0..<300 {
                var damaged = compressed
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    damaged[Int.random(in: 0..<damaged.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
                }
                do {
                    let out = try Self.decompress(codec, damaged, size: input.count)
                    #expect(out.count == input.count + 8)
                } catch {
                    #expect(error.kind == .corrupt)
                }
            }
        }
    }

    @Test func codesAndLevels() throws {
        #expect(BlockCodec.none.code == 0)
        #expect(BlockCodec.lz4.code == 1)
        #expect(BlockCodec.zstd(level: 7).code == 2)
        #expect(BlockCodec.zstd(level: -3).level == -3)
        #expect(BlockCodec.lz4.level == 0)
        for codec in Self.codecs {
            #expect(try BlockCodec(code: codec.code, level: codec.level) == codec)
        }
        #expect(try BlockCodec(code: 0, level: 9) == BlockCodec.none)
        for code: UInt8 in [3, 4, 255] {
            let error = #expect(throws: BatonError.self) { try BlockCodec(code: code, level: 0) }
            #expect(error?.kind == .corrupt)
        }
        #expect(BlockCodec.none.description == "none")
        #expect(BlockCodec.lz4.description == "lz4")
        #expect(BlockCodec.zstd(level: 3).description == "zstd(3)")
    }
}
