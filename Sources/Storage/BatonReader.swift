import Codecs
import Columns
import Utilities
#if canImport(Glibc)
import Glibc
#endif

/// Reads a `.baton` file: the footer once at open, then only the chunks asked for.
///
/// Opening checks, in order: the file exists and is a regular file; it starts with the magic
/// (else `.notBatonFile`); it ends with the tail magic (else `.truncated`); its format version
/// is one this build reads (else `.unsupportedVersion`); the footer's checksum matches (else
/// `.checksumMismatch`); the footer is well formed (else `.corrupt`). Each chunk's checksum is
/// verified when it is read.
public final class BatonReader: @unchecked Sendable {
    public let path: String
    public let footer: Footer
    public var schema: Schema { footer.schema }
    public var rowCount: Int { footer.rowCount }
    public var fileSize: Int { file.size }
    private let file: InputFile
    /// Bytes of chunks read so far. Chunks may be read from several threads at once (a query
    /// scans row groups in parallel), so the counter is behind a lock.
    public var bytesRead: Int {
        pthread_mutex_lock(&counterLock)
        defer { pthread_mutex_unlock(&counterLock) }
        return readCount
    }
    private var readCount = 0
    private var counterLock = pthread_mutex_t()

    public init(path: String) throws(BatonError) {
        self.path = path
        pthread_mutex_init(&counterLock, nil)
        file = try InputFile(path: path)
        let size = file.size
        let magic = FileLayout.magic
        let head = try file.read(offset: 0, count: min(size, magic.count))
        guard head == Array(magic.prefix(head.count)), size > 0 else {
            throw BatonError(.notBatonFile, "not a Baton file (it does not start with the Baton signature)",
                             at: .init(file: path), hint: "baton reads .baton files written by `baton convert` or `baton generate`")
        }
        let minimum = magic.count + FileLayout.trailerSize
        guard size >= minimum else {
            throw BatonError(.truncated, "file is cut short: \(size) bytes, a Baton file has at least \(minimum)",
                             at: .init(file: path), hint: "the write that produced it did not finish; write it again")
        }
        let trailer = try file.read(offset: size - FileLayout.trailerSize, count: FileLayout.trailerSize)
        guard Array(trailer.suffix(4)) == FileLayout.tailMagic else {
            throw BatonError(.truncated, "file is cut short: the footer signature is missing from its end",
                             at: .init(file: path), hint: "the write that produced it did not finish; write it again")
        }
        let (rawFooterLength, footerChecksum, version) = trailer.withUnsafeBytes { raw in
            (UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)),
             UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
             UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self)))
        }
        guard version <= FileLayout.formatVersion else {
            throw BatonError(.unsupportedVersion,
                             "written in format version \(version); this baton \(batonVersion) reads up to version \(FileLayout.formatVersion)",
                             at: .init(file: path), hint: "upgrade baton")
        }
        guard version >= 1 else {
            throw BatonError(.corrupt, "format version 0 does not exist", at: .init(file: path))
        }
        guard rawFooterLength <= UInt64(size - minimum) else {
            throw BatonError(.corrupt, "footer length \(rawFooterLength) does not fit in the file", at: .init(file: path))
        }
        let footerLength = Int(rawFooterLength)
        let footerStart = size - FileLayout.trailerSize - footerLength
        let footerBytes = try file.read(offset: footerStart, count: footerLength)
        guard Checksum.xxh64(footerBytes) == footerChecksum else {
            throw BatonError(.checksumMismatch, "footer checksum mismatch: the file is damaged", at: .init(file: path),
                             hint: "restore the file from its source or write it again")
        }
        do {
            footer = try Footer.decode(footerBytes, dataEnd: footerStart)
        } catch {
            throw error.inFile(path)
        }
        guard footer.formatVersion == version else {
            throw BatonError(.corrupt, "the footer says format version \(footer.formatVersion), the trailer \(version)",
                             at: .init(file: path))
        }
        readCount = head.count + trailer.count + footerBytes.count
    }

    /// The column indices named by `names`, or every column for nil.
    public func columnIndices(_ names: [String]?) throws(BatonError) -> [Int] {
        guard let names else { return Array(0..<schema.count) }
        do { return try schema.indices(of: names) } catch { throw error.inFile(path) }
    }

    /// Reads, verifies, decompresses and decodes one chunk.
    public func readChunk(rowGroup: Int, column: Int) throws(BatonError) -> Column {
        let (stored, chunk) = try readStored(rowGroup: rowGroup, column: column)
        return try decode(stored, chunk, rowGroup: rowGroup, column: column)
    }

    /// The given columns of one row group, decoded in parallel.
    public func readRowGroup(_ rowGroup: Int, columns: [Int], threads: Int = defaultThreadCount) throws(BatonError) -> [Column] {
        var stored: [([UInt8], ChunkMetadata)] = []
        for column in columns { stored.append(try readStored(rowGroup: rowGroup, column: column)) }
        let decoded = parallelMap(columns.count, threads: threads) { i in
            Result { () throws(BatonError) -> Column in
                try self.decode(stored[i].0, stored[i].1, rowGroup: rowGroup, column: columns[i])
            }
        }
        return try decoded.map { (result) throws(BatonError) -> Column in try result.get() }
    }

    private func readStored(rowGroup: Int, column: Int) throws(BatonError) -> ([UInt8], ChunkMetadata) {
        precondition(footer.rowGroups.indices.contains(rowGroup) && schema.fields.indices.contains(column))
        let chunk = footer.rowGroups[rowGroup].chunks[column]
        // Slack after the bytes lets an uncompressed body be decoded in place (decoders load whole
        // words at the end of a buffer).
        let stored = try file.read(offset: chunk.offset, count: chunk.storedSize, slack: 8)
        pthread_mutex_lock(&counterLock)
        readCount += chunk.storedSize
        pthread_mutex_unlock(&counterLock)
        guard stored.withUnsafeBytes({ Checksum.xxh64(UnsafeRawBufferPointer(rebasing: $0[0..<chunk.storedSize])) }) == chunk.checksum else {
            throw BatonError(.checksumMismatch, "chunk checksum mismatch: the file is damaged",
                             at: .init(file: path, rowGroup: rowGroup, column: schema.fields[column].name),
                             hint: "restore the file from its source or write it again")
        }
        return (stored, chunk)
    }

    private func decode(_ stored: [UInt8], _ chunk: ChunkMetadata, rowGroup: Int, column: Int) throws(BatonError) -> Column {
        let field = schema.fields[column]
        let at = BatonError.Location(file: path, rowGroup: rowGroup, column: field.name)
        do throws(BatonError) {
            let body: [UInt8]
            if chunk.codec == .none {
                guard chunk.storedSize == chunk.bodySize else {
                    throw BatonError(.corrupt, "uncompressed chunk has \(chunk.storedSize) bytes, its body \(chunk.bodySize)")
                }
                body = stored
            } else {
                body = try stored.withUnsafeBytes { raw in
                    Result { () throws(BatonError) -> [UInt8] in
                        try chunk.codec.decompress(UnsafeRawBufferPointer(rebasing: raw[0..<chunk.storedSize]), size: chunk.bodySize)
                    }
                }.get()
            }
            let rows = footer.rowGroups[rowGroup].rowCount
            let decoded = try ChunkDecoder.decode(body, size: chunk.bodySize, type: field.type, encoding: chunk.encoding,
                                                  count: rows, nullCount: chunk.statistics.nullCount)
            guard field.nullable || decoded.nullCount == 0 else {
                throw BatonError(.corrupt, "column is NOT NULL but the chunk holds nulls")
            }
            return decoded
        } catch {
            var located = error.located(at)
            located.location.file = path
            throw located
        }
    }
}
