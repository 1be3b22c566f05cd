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

    /// Random damage to the footer that keeps its checksum valid (a buggy writer) is rejected
    /// as corrupt or read consistently, never a crash.
    @Test func forgedFootersNeverCrash() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (path, footer, bytes) = try sample(dir)
        let footerBytes = footer.encoded()
        let dataEnd = bytes.count - 24 - footerBytes.count
        var state: UInt64 = 42
        for _ in 0..<400 {
            state = state &* 6364136223846793005 &+ 1
            var forged = footerBytes
            let position = Int(state >> 33) % forged.count
            forged[position] = UInt8(truncatingIfNeeded: state >> 20)
            if let decoded = try? Footer.decode(forged, dataEnd: dataEnd) {
                #expect(decoded.rowGroups.count <= footer.rowGroups.count + 1 || decoded.rowGroups.isEmpty == false)
            }
        }
        _ = path
    }
}
