import Codecs
import Columns
import Storage
import Testing

/// Damaged, foreign and future files give the right error kind, with the location, and never
/// crash.
@Suite struct DamageTests {
    func sample(_ dir: TemporaryDirectory) throws -> (path: String, footer: Footer, bytes: [UInt8]) {
        let (schema, columns) = try everyTypeTable(rows: 2000)
        let path = dir.file("t.baton")
        try write(schema, columns, to: path, options: WriteOptions(rowGroupSize: 1000))
        return (path, try BatonReader(path: path).footer, readBytes(path))
    }

    /// A flipped byte in any chunk is caught by that chunk's checksum, naming its column and
    /// row group.
    @Test func flippedByteInEveryChunk() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (path, footer, bytes) = try sample(dir)
        for (g, group) in footer.rowGroups.enumerated() {
            for (c, chunk) in group.chunks.enumerated() {
                for position in Set([chunk.offset, chunk.offset + chunk.storedSize / 2, chunk.offset + chunk.storedSize - 1]) {
                    var damaged = bytes
                    damaged[position] ^= 0x40
                    writeBytes(damaged, path)
                    let reader = try BatonReader(path: path)
                    let error = thrownError { _ = try reader.readChunk(rowGroup: g, column: c) }
                    #expect(error?.kind == .checksumMismatch)
                    #expect(error?.location.rowGroup == g)
                    #expect(error?.location.column == footer.schema.fields[c].name)
                    #expect(error?.location.file == path)
                    // The other chunks still read.
                    _ = try reader.readChunk(rowGroup: g, column: (c + 1) % group.chunks.count)
                }
            }
        }
    }

    @Test func flippedByteInFooter() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (path, _, bytes) = try sample(dir)
        let footerLength = bytes.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: bytes.count - 24, as: UInt64.self)) }
        let footerStart = bytes.count - 24 - footerLength
        for position in stride(from: footerStart, to: bytes.count - 24, by: max(1, footerLength / 50)) {
            var damaged = bytes
            damaged[position] ^= 0x01
            writeBytes(damaged, path)
            #expect(thrownError { _ = try BatonReader(path: path) }?.kind == .checksumMismatch)
        }
    }

    /// Cut anywhere, a file is reported as truncated (or, cut inside the magic, as not a Baton file).
    @Test func truncatedAnywhere() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (path, _, bytes) = try sample(dir)
        for length in [0, 3, 8, 20, 31, 32, 100, bytes.count / 2, bytes.count - 25, bytes.count - 24, bytes.count - 5, bytes.count - 1] {
            writeBytes(Array(bytes.prefix(length)), path)
            let error = thrownError { _ = try BatonReader(path: path) }
            if length == 0 {
                #expect(error?.kind == .notBatonFile)
            } else {
                #expect(error?.kind == .truncated, "cut at \(length) of \(bytes.count): \(String(describing: error))")
            }
        }
    }

    @Test func newerFormatVersion() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (path, _, bytes) = try sample(dir)
        var future = bytes
        future[bytes.count - 8] = 2  // the trailer's u32 version
        writeBytes(future, path)
        let error = thrownError { _ = try BatonReader(path: path) }
        #expect(error?.kind == .unsupportedVersion)
        #expect(error?.description.contains("format version 2") == true)
    }

    @Test func notABatonFile() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        writeBytes(Array("id1,id2\nid001,id002\n".utf8), dir.file("data.csv"))
        let error = thrownError { _ = try BatonReader(path: dir.file("data.csv")) }
        #expect(error?.kind == .notBatonFile)
        #expect(error?.location.file == dir.file("data.csv"))
        #expect(thrownError { _ = try BatonReader(path: dir.path) }?.kind == .notBatonFile)
    }

    @Test func missingFile() {
        let error = thrownError { _ = try BatonReader(path: "/nonexistent/dir/x.baton") }
        #expect(error?.kind == .fileNotFound)
        #expect(error?.description == "/nonexistent/dir/x.baton: no such file (hint: check the path)")
    }

    /// Random damage to the footer or trailer, re-sealed with a valid checksum (what a buggy
    /// writer could produce), is rejected with an error or read consistently: opening the file
    /// and reading every chunk never crashes and never allocates without bound.
    @Test func forgedFootersNeverCrash() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (path, footer, bytes) = try sample(dir)
        let footerBytes = footer.encoded()
        let dataEnd = bytes.count - 24 - footerBytes.count
        var state: UInt64 = 42
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 16
        }
        var outcomes = (opened: 0, rejected: 0)
        for round in 0..<300 {
            var forged = footerBytes
            // One to three bytes set to random values, sometimes to 0xFF runs (huge numbers).
            for _ in 0..<(1 + Int(next() % 3)) {
                let position = Int(next() % UInt64(forged.count))
                let run = round % 4 == 0 ? min(8, forged.count - position) : 1
                for k in 0..<run { forged[position + k] = round % 4 == 0 ? 0xFF : UInt8(truncatingIfNeeded: next()) }
            }
            var file = Array(bytes[..<dataEnd]) + forged
            var trailer = [UInt8]()
            withUnsafeBytes(of: UInt64(forged.count).littleEndian) { trailer += $0 }
            withUnsafeBytes(of: forged.withUnsafeBytes { Checksum.xxh64($0) }.littleEndian) { trailer += $0 }
            withUnsafeBytes(of: UInt32(1).littleEndian) { trailer += $0 }
            trailer += Array("BATN".utf8)
            file += trailer
            writeBytes(file, path)
            do throws(BatonError) {
                let reader = try BatonReader(path: path)
                for g in reader.footer.rowGroups.indices {
                    for c in reader.schema.fields.indices { _ = try? reader.readChunk(rowGroup: g, column: c) }
                }
                outcomes.opened += 1
            } catch {
                #expect([.corrupt, .unsupportedVersion].contains(error.kind), "\(error)")
                outcomes.rejected += 1
            }
        }
        #expect(outcomes.opened + outcomes.rejected == 300)
        #expect(outcomes.rejected > 100)
    }

    /// A trailer claiming an enormous footer length is corrupt, not a crash.
    @Test func hugeFooterLength() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (path, _, bytes) = try sample(dir)
        var forged = bytes
        for k in 0..<8 { forged[bytes.count - 24 + k] = 0xFF }
        writeBytes(forged, path)
        #expect(thrownError { _ = try BatonReader(path: path) }?.kind == .corrupt)
    }

    /// A row group claiming more rows than the format allows is refused before any chunk is
    /// decoded (a few bytes of bit-packed zeros would otherwise decode to gigabytes).
    @Test func rowCountBeyondTheLimitIsCorrupt() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let schema = try Schema([Field("n", .int64)])
        var footer = Footer(formatVersion: 1, schema: schema, rowGroups: [], metadata: [])
        let body: [UInt8] = [7, 0, 0, 0, 0, 0, 0, 0, 0]  // reference 7, width 0
        let chunk = ChunkMetadata(offset: 8, storedSize: body.count, bodySize: body.count, plainSize: 8, encoding: .bitPacked,
                                  codec: .none, checksum: Checksum.xxh64(body),
                                  statistics: Statistics(nullCount: 0, min: .int64(7), max: .int64(7)))
        footer.rowGroups = [RowGroupMetadata(rowCount: FileLayout.maxRowGroupRows + 1, chunks: [chunk])]
        let encoded = footer.encoded()
        var file = FileLayout.magic + body + encoded
        withUnsafeBytes(of: UInt64(encoded.count).littleEndian) { file += $0 }
        withUnsafeBytes(of: Checksum.xxh64(encoded).littleEndian) { file += $0 }
        withUnsafeBytes(of: UInt32(1).littleEndian) { file += $0 }
        file += Array("BATN".utf8)
        writeBytes(file, dir.file("bomb.baton"))
        let error = thrownError { _ = try BatonReader(path: dir.file("bomb.baton")) }
        #expect(error?.kind == .corrupt)
        #expect(error?.location.rowGroup == 0)
    }
}
