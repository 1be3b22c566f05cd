import Columns
import Utilities

#if canImport(Glibc)
import Glibc
#endif

/// Reads a CSV file (or standard input, compressed or not) as batches of typed columns.
///
/// Phases: open and sniff (dialect, header, types from samples) → stream blocks of
/// `blockSize` bytes → split each block into ranges that start on record boundaries → tokenize
/// and convert the ranges in parallel → emit batches in input order. Streaming; order-preserving;
/// holds about two blocks. A value that does not fit its inferred column type widens the column
/// (Int64 → Float64 → String, Date → Timestamp → String); if batches were already emitted, the
/// reader starts over with the wider schema (files) or switches schema mid-stream (stdin), and
/// says so through `onSchema`.
public final class CSVReader {
    public let path: String
    public private(set) var options: CSVReadOptions
    /// Names and types of every field of a record.
    public internal(set) var fileSchema: Schema
    /// The columns produced, after projection.
    public var schema: Schema { fileSchema.projected(projection) }
    private(set) var projection: [Int]
    let locked: Bool
    /// The stream opened to sniff, and the bytes already taken from it: the first pass starts
    /// from them, so standard input is not read twice.
    /// Input bytes (after decompression) parsed so far in the current pass, over all files:
    /// for progress reports, read between batches.
    public internal(set) var bytesParsed = 0
    var openStream: InputStream?
    var head: [UInt8] = []
    /// See `Tokenizer.blankLinesAreRecords`.
    var singleColumn: Bool { fileSchema.count == 1 }
    var name: String

    /// The files read, in order: `path` itself, or the files its glob pattern matches.
    public let files: [String]
    /// The first file's header, which every other file must repeat.
    var headerNames: [String]?

    /// - Parameter path: a file, `-` for standard input, or a glob pattern (`data/*.csv`)
    ///   naming files with the same columns, read in name order as one input.
    public init(path: String, options: CSVReadOptions = CSVReadOptions()) throws(BatonError) {
        self.path = path
        self.options = options
        files = try Self.expand(path)
        guard options.dialect.quote != options.dialect.delimiter else {
            throw BatonError(.invalidInput, "the quote and the delimiter are the same character",
                             at: .init(text: String(UnicodeScalar(options.dialect.quote))), hint: "set --quote or --delimiter to another character")
        }
        // Sniff from the first file that holds a record (a glob may start with an empty file).
        var sample: [UInt8] = []
        var more = true
        var first = Tokens()
        var stream = try InputStream(path: files[0])
        var sniffed = 0
        var sniffDialect = options.dialect
        while true {
            sample = []
            more = true
            var wanted = max(1, options.sampleSize)
            // Read until the sample holds a whole record, within the record size limit.
            while true {
                while sample.count < wanted && more { more = try stream.read(max: wanted - sample.count, into: &sample) }
                var bytes = sample
                if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
                let head = Array(bytes.prefix(1 << 16))
                if !options.quoteGiven { sniffDialect = Sniffer.quote(head, dialect: sniffDialect) }
                if !options.delimiterGiven {
                    sniffDialect.delimiter = Sniffer.delimiter(head, dialect: sniffDialect)
                }
                let tokenizer = Tokenizer(sniffDialect)
                bytes.withUnsafeBytes { raw in _ = tokenizer.tokenize(raw, 0..<raw.count, final: !more, into: &first) }
                if first.recordCount > 0 || !more || wanted >= options.maxRecordBytes { break }
                wanted *= 2
            }
            if first.recordCount > 0 || sniffed == files.count - 1 { break }
            sniffed += 1
            stream = try InputStream(path: files[sniffed])
        }
        self.options.dialect = sniffDialect
        name = stream.name
        if sniffed == 0 {
            head = sample
            openStream = stream
        }
        if sample.starts(with: [0xEF, 0xBB, 0xBF]) { sample.removeFirst(3) }
        let dialect = self.options.dialect
        let fieldCount = first.recordCount > 0 ? Int(first.recordFields[1]) : (options.schema?.count ?? 0)
        var samples: [(bytes: [UInt8], tokens: Tokens)] = [(sample, first)]
        // Samples from further in start at a line break that may lie inside a quoted field;
        // where the start shows quoted line breaks, only the start is trusted.
        if stream.rereadable && stream.compression == nil && !Self.hasQuotedLineBreak(sample, first) {
            samples += Self.spreadSamples(files[sniffed], dialect)
        }

        let nulls = dialect.nullStrings.map { Array($0.utf8) }
        let isNull: (UnsafeRawBufferPointer) -> Bool = { bytes in nulls.contains { $0.elementsEqual(bytes) } }
        var header = dialect.header
        var types: [DataType]
        if let declared = options.schema {
            types = declared.fields.map(\.type)
            if !options.headerGiven {
                let guessed = Sniffer.types(samples, fieldCount: fieldCount, skipFirst: true, isNull: isNull)
                header = first.recordCount > 0 && Sniffer.hasHeader(first: Self.fields(sample, first, 0), types: guessed)
            }
        } else {
            let withoutFirst = Sniffer.types(samples, fieldCount: fieldCount, skipFirst: true, isNull: isNull)
            if !options.headerGiven {
                header = first.recordCount > 0 && Sniffer.hasHeader(first: Self.fields(sample, first, 0), types: withoutFirst)
            }
            types = header ? withoutFirst : Sniffer.types(samples, fieldCount: fieldCount, skipFirst: false, isNull: isNull)
        }
        self.options.dialect.header = header
        var headerNames: [String]?
        if header && first.recordCount > 0 {
            headerNames = Self.names(sample, first, 0, dialect)
        }
        self.headerNames = headerNames
        if let declared = options.schema {
            guard fieldCount == 0 || declared.count == fieldCount else {
                throw BatonError(.invalidInput, "the schema declares \(declared.count) columns, the file has \(fieldCount)",
                                 at: .init(file: stream.name, line: 1), hint: "check the schema file and the delimiter")
            }
            fileSchema = declared
        } else {
            let names = Sniffer.columnNames(headerNames, count: fieldCount)
            fileSchema = try Schema(zip(names, types).map { Field($0, $1) })
        }
        locked = options.schema != nil
        if let wanted = options.columns {
            do throws(BatonError) { projection = try fileSchema.indices(of: wanted) } catch { throw error.inFile(stream.name) }
        } else {
            projection = Array(0..<fileSchema.count)
        }
    }

    /// The paths a glob pattern matches, sorted; a path without pattern characters, or one that
    /// names an existing file, is itself.
    public static func expand(_ path: String) throws(BatonError) -> [String] {
        guard path != "-", path.contains(where: { "*?[".contains($0) }), access(path, F_OK) != 0 else { return [path] }
        var matches = glob_t()
        defer { globfree(&matches) }
        guard glob(path, 0, nil, &matches) == 0 else {
            throw BatonError(.fileNotFound, "no file matches the pattern", at: .init(file: path), hint: "check the pattern; quote it so the shell does not expand it")
        }
        var files: [String] = []
        for i in 0..<Int(matches.gl_pathc) {
            if let p = matches.gl_pathv[i] { files.append(String(cString: p)) }
        }
        return files.sorted()
    }

    /// Chooses the columns to produce, in this order (nil: all), after the schema is known.
    public func select(_ names: [String]?) throws(BatonError) {
        guard let names else { projection = Array(0..<fileSchema.count); return }
        do throws(BatonError) { projection = try fileSchema.indices(of: names) } catch { throw error.inFile(name) }
    }

    /// Record `r`'s fields as text, quotes unescaped: a header's column names.
    static func names(_ bytes: [UInt8], _ t: Tokens, _ r: Int, _ dialect: CSVDialect) -> [String] {
        bytes.withUnsafeBytes { raw in
            (Int(t.recordFields[r])..<Int(t.recordFields[r + 1])).map { f in
                let end = t.ends[f]
                let field = UnsafeRawBufferPointer(rebasing: raw[Int(t.starts[f])..<Int(end & Tokens.offsetMask)])
                guard end & Tokens.escapedFlag != 0 else { return String(decoding: field, as: UTF8.self) }
                var out: [UInt8] = []
                RecordConverter.unescape(field, quote: dialect.quote, escape: dialect.escape, into: &out)
                return String(decoding: out, as: UTF8.self)
            }
        }
    }

    /// Whether any quoted field of the sample holds a CR or LF.
    static func hasQuotedLineBreak(_ bytes: [UInt8], _ t: Tokens) -> Bool {
        bytes.withUnsafeBytes { raw in
            for f in 0..<t.starts.count where t.ends[f] & Tokens.quotedFlag != 0 {
                let field = UnsafeRawBufferPointer(rebasing: raw[Int(t.starts[f])..<Int(t.ends[f] & Tokens.offsetMask)])
                if field.contains(10) || field.contains(13) { return true }
            }
            return false
        }
    }

    /// The unescaped-enough views of record `r`'s fields (for header detection and names).
    static func fields(_ bytes: [UInt8], _ t: Tokens, _ r: Int) -> [(bytes: UnsafeRawBufferPointer, quoted: Bool)] {
        bytes.withUnsafeBytes { raw in
            (Int(t.recordFields[r])..<Int(t.recordFields[r + 1])).map { f in
                let end = t.ends[f]
                return (UnsafeRawBufferPointer(rebasing: raw[Int(t.starts[f])..<Int(end & Tokens.offsetMask)]),
                        end & Tokens.quotedFlag != 0)
            }
        }
    }

    /// Four 256 KiB samples at evenly spaced offsets of a plain file, each starting after a
    /// line break and ending before its last partial record.
    static func spreadSamples(_ path: String, _ dialect: CSVDialect) -> [(bytes: [UInt8], tokens: Tokens)] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return [] }
        let size = Int(info.st_size)
        let length = 1 << 18
        guard size > 4 << 20 else { return [] }
        var result: [(bytes: [UInt8], tokens: Tokens)] = []
        for k in 1...4 {
            var bytes = [UInt8](repeating: 0, count: length)
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, off_t(size / 5 * k)) }
            guard n > 0 else { continue }
            bytes.removeLast(length - n)
            guard let newline = bytes.firstIndex(of: 10) else { continue }
            bytes.removeFirst(newline + 1)
            var tokens = Tokens()
            bytes.withUnsafeBytes { raw in _ = Tokenizer(dialect).tokenize(raw, 0..<raw.count, final: false, into: &tokens) }
            result.append((bytes, tokens))
        }
        return result
    }

    /// Reads every record, calling `onSchema` first with the schema of the batches to come (and
    /// again after a widening: `restarted` says whether the input starts over, in which case
    /// everything delivered before is void), `onRejected` with each block's rejected records
    /// (under `skip` or `reject`), and `body` with each batch.
    @discardableResult
    public func read(onSchema: (Schema, _ restarted: Bool) throws(BatonError) -> Void = { _, _ in },
                     onRejected: ([RejectedRecord]) throws(BatonError) -> Void = { _ in },
                     _ body: (Batch) throws(BatonError) -> Void) throws(BatonError) -> CSVReadSummary {
        var summary = CSVReadSummary()
        var restarted = false
        while true {
            try onSchema(schema, restarted)
            switch try pass(&summary, onSchema: onSchema, onRejected: onRejected, body) {
            case .done:
                if case .ratio(let limit) = options.maxErrors, summary.rejected > 0,
                   Double(summary.rejected) > limit * Double(summary.rowsRead + summary.rejected) {
                    throw BatonError(.tooManyErrors,
                                     "\(summary.rejected) of \(summary.rowsRead + summary.rejected) records were rejected, more than the \(Self.percent(limit)) allowed",
                                     at: .init(file: name), hint: "fix the input, or raise --max-errors")
                }
                return summary
            case .restart:
                summary.restarts += 1
                summary.rowsRead = 0
                summary.rejected = 0
                restarted = true
            }
        }
    }

    static func percent(_ ratio: Double) -> String {
        let value = (ratio * 10_000).rounded() / 100
        return value == value.rounded() ? "\(Int(value))%" : "\(value)%"
    }


}

