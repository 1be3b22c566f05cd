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
    public private(set) var fileSchema: Schema
    /// The columns produced, after projection.
    public var schema: Schema { fileSchema.projected(projection) }
    private(set) var projection: [Int]
    private let locked: Bool
    /// The stream opened to sniff, and the bytes already taken from it: the first pass starts
    /// from them, so standard input is not read twice.
    private var openStream: InputStream?
    private var head: [UInt8] = []
    /// See `Tokenizer.blankLinesAreRecords`.
    private var singleColumn: Bool { fileSchema.count == 1 }
    private var name: String

    /// The files read, in order: `path` itself, or the files its glob pattern matches.
    public let files: [String]
    /// The first file's header, which every other file must repeat.
    private var headerNames: [String]?

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
                if !options.delimiterGiven {
                    sniffDialect.delimiter = Sniffer.delimiter(Array(bytes.prefix(1 << 16)), dialect: options.dialect)
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
    static func expand(_ path: String) throws(BatonError) -> [String] {
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

    private enum PassResult { case done, restart }

    /// One pass over the input with the current schema.
    private func pass(_ summary: inout CSVReadSummary, onSchema: (Schema, Bool) throws(BatonError) -> Void,
                      onRejected: ([RejectedRecord]) throws(BatonError) -> Void,
                      _ body: (Batch) throws(BatonError) -> Void) throws(BatonError) -> PassResult {
        var emitted = 0
        var parts = (0..<max(1, options.threads)).map { _ in Tokens() }
        let dialect = options.dialect
        let tokenizer = Tokenizer(dialect, blankLinesAreRecords: singleColumn)
        for (fileIndex, file) in files.enumerated() {
        let stream: InputStream
        var block: [UInt8] = []
        if fileIndex == 0, let open = openStream {
            stream = open
            block = head
            openStream = nil
            head = []
        } else {
            stream = try InputStream(path: file)
        }
        name = stream.name
        var lineBase = 0
        var byteBase = 0
        var firstBlock = true
        var leadingPending = true
        var headerPending = dialect.header
        var more = true
        while more || !block.isEmpty {
            while block.count < options.blockSize && more {
                more = try stream.read(max: options.blockSize - block.count, into: &block)
            }
            if firstBlock && block.starts(with: [0xEF, 0xBB, 0xBF]) {
                block.removeFirst(3)
                byteBase = 3
            }
            let final = !more
            // About 1 MiB a range: enough ranges to share among the threads, and few enough
            // records per range that its columns fit one batch without a copy.
            let wanted = max(options.threads, block.count >> 20) + 1
            if parts.count < wanted { parts += (parts.count..<wanted).map { _ in Tokens() } }
            let (ranges, consumed) = block.withUnsafeBytes { raw in
                tokenizeBlock(raw, tokenizer: tokenizer, final: final, parts: &parts)
            }
            if consumed == 0 && !final {
                // Bounded: memory, and field positions being 30-bit offsets into the block.
                let limit = min(options.maxRecordBytes, Int(Tokens.offsetMask) / 2)
                guard block.count < limit + options.blockSize else {
                    throw BatonError(.badRecord, "a record is longer than \(limit >> 20) MiB",
                                     at: .init(file: name, line: lineBase + parts[0].lines + 1),
                                     hint: "check --quote (an unbalanced quote makes the rest of the file one field), or raise --max-record-size")
                }
                // One record longer than the block: read more before trying again.
                let grown = try stream.read(max: options.blockSize, into: &block)
                more = grown
                continue
            }
            var positions: [BlockPosition] = []
            var lines = lineBase
            for p in 0..<ranges {
                positions.append(BlockPosition(file: name, lineBase: lines, byteBase: byteBase))
                lines += parts[p].lines
            }
            // Blank lines at the start of a file are skipped (in one-column files too, where
            // later ones are nulls), then the header is dropped: both may take several blocks.
            var p = 0
            while (leadingPending || headerPending) && p < ranges {
                if leadingPending && singleColumn && parts[p].recordCount > 0 && Self.isBlankRecord(parts[p], 0) {
                    dropFirstRecord(&parts[p])
                    continue
                }
                if parts[p].recordCount == 0 { p += 1; continue }
                leadingPending = false
                if headerPending {
                    if fileIndex > 0, let expected = headerNames {
                        let names = block.withUnsafeBytes { raw in
                            Self.names(Array(raw), parts[p], 0, dialect)
                        }
                        guard names == expected else {
                            throw BatonError(.invalidInput, "the header differs from the first file's (\(expected.joined(separator: ",")))",
                                             at: .init(file: name, line: positions[p].lineBase + Int(parts[p].recordLines[0]) + 1,
                                                       text: names.joined(separator: ",")),
                                             hint: "a pattern must name files with the same columns")
                        }
                    }
                    dropFirstRecord(&parts[p])
                    headerPending = false
                }
            }
            firstBlock = false
            var columnsByPart: [[Column]] = []
            var rejected: [RejectedRecord] = []
            convert: while true {
                let converter = RecordConverter(
                    fieldCount: fileSchema.count, types: fileSchema.fields.map(\.type), projection: projection,
                    names: fileSchema.names, nullStrings: dialect.nullStrings.map { Array($0.utf8) }, escape: dialect.escape,
                    quote: dialect.quote, locked: locked)
                let partsSnapshot = parts
                let outcomes = block.withUnsafeBytes { raw in
                    let shared = SharedBytes(raw)
                    return parallelMap(ranges, threads: options.threads) { p in
                        converter.convert(shared.raw, partsSnapshot[p], positions[p])
                    }
                }
                columnsByPart = []
                rejected = []
                for outcome in outcomes {
                    switch outcome {
                    case .columns(let columns, let bad):
                        columnsByPart.append(columns)
                        rejected += bad
                    case .widen(let c, let type, let line, let text):
                        let field = fileSchema.fields[c]
                        summary.widened.append(.init(column: field.name, from: field.type, to: type, file: name, line: line, text: text))
                        var fields = fileSchema.fields
                        fields[c].type = type
                        fileSchema = try Schema(fields)
                        // Batches already delivered have the narrower type: start over when the
                        // input can be read again; otherwise the caller decides whether a
                        // schema change mid-stream is acceptable.
                        if emitted == 0 {
                            try onSchema(schema, true)  // nothing was delivered: a clean start
                        } else if stream.rereadable && options.restartOnWidening {
                            return .restart
                        } else {
                            try onSchema(schema, false)
                        }
                        continue convert
                    }
                }
                break
            }
            if !rejected.isEmpty {
                try handle(rejected, &summary, onRejected)
            }
            let outputSchema = schema
            for columns in columnsByPart where (columns.first?.count ?? 0) > 0 {
                for var batch in try Batch.split(schema: outputSchema, columns: columns) {
                    if let limit = options.limit {
                        if emitted >= limit { return .done }
                        if emitted + batch.count > limit {
                            batch = batch.narrowed(to: SelectionVector((0..<UInt32(limit - emitted)).map { $0 }))
                        }
                    }
                    try body(batch)
                    emitted += batch.count
                    summary.rowsRead += batch.count
                }
            }
            if let limit = options.limit, emitted >= limit { return .done }
            lineBase = lines
            byteBase += consumed
            block.removeFirst(consumed)
            if final { break }
        }
        }
        return .done
    }

    private func handle(_ rejected: [RejectedRecord], _ summary: inout CSVReadSummary,
                        _ onRejected: ([RejectedRecord]) throws(BatonError) -> Void) throws(BatonError) {
        if options.onError == .fail {
            let first = rejected[0]
            throw BatonError(.badRecord, first.reason,
                             at: .init(file: name, line: first.line, column: first.column, text: first.text),
                             hint: Self.hint(for: first))
        }
        summary.rejected += rejected.count
        try onRejected(rejected)
        if case .count(let limit) = options.maxErrors, summary.rejected > limit {
            throw BatonError(.tooManyErrors, "more than \(limit) records were rejected (the last at line \(rejected.last!.line))",
                             at: .init(file: name), hint: "fix the input, or raise --max-errors")
        }
    }

    static func hint(for record: RejectedRecord) -> String {
        if record.column != nil, let text = record.text {
            let shown = text.contains(where: { $0 == " " || $0 == "'" || $0 == "\"" }) || text.isEmpty ? "'\(text)'" : text
            return "--null \(shown), or --on-error skip"
        }
        if record.reason.hasPrefix("expected") {
            return "check --delimiter and --quote, or --on-error skip"
        }
        return "--on-error skip to drop such records, or reject=FILE to keep them aside"
    }

    /// A record of one empty unquoted field: a blank line in a one-column file.
    static func isBlankRecord(_ t: Tokens, _ r: Int) -> Bool {
        let f = Int(t.recordFields[r])
        return t.recordFields[r + 1] - t.recordFields[r] == 1 && t.ends[f] & Tokens.quotedFlag == 0
            && t.starts[f] == t.ends[f] & Tokens.offsetMask
    }

    private func dropFirstRecord(_ t: inout Tokens) {
        guard t.recordCount > 0 else { return }
        let fields = Int(t.recordFields[1])
        t.starts.removeFirst(fields)
        t.ends.removeFirst(fields)
        t.recordFields.removeFirst(1)
        for i in t.recordFields.indices { t.recordFields[i] -= UInt32(fields) }
        t.recordOffsets.removeFirst(1)
        t.recordLines.removeFirst(1)
        t.recordEnds.removeFirst(1)
        t.problems = t.problems.compactMap { $0.record == 0 ? nil : ($0.record - 1, $0.reason) }
    }

    /// Tokenizes a block in up to `parts.count` ranges that start on record boundaries.
    /// Returns the number of ranges used and the bytes consumed (the rest is carried over).
    private func tokenizeBlock(_ raw: UnsafeRawBufferPointer, tokenizer: Tokenizer, final: Bool,
                               parts: inout [Tokens]) -> (Int, Int) {
        let splits = splitPoints(raw, ranges: min(parts.count, max(options.threads, raw.count >> 20)), final: final)
        if splits.count > 2 {
            let snapshot = SharedBytes(raw)
            let results = parallelMap(splits.count - 1, threads: options.threads) { p -> (Tokens, Int) in
                var t = Tokens()
                let isLast = p == splits.count - 2
                let end = tokenizer.tokenize(snapshot.raw, splits[p]..<splits[p + 1], final: final && isLast, into: &t)
                return (t, end)
            }
            // Every range but the last must end exactly where the next begins, or the split
            // guessed wrong (a stray quote): then read the block serially.
            let consistent = results.enumerated().allSatisfy { p, result in
                p == results.count - 1 || (result.1 == splits[p + 1] && !result.0.anomaly)
            } && !results[results.count - 1].0.anomaly
            if consistent {
                for (p, result) in results.enumerated() { parts[p] = result.0 }
                return (results.count, results[results.count - 1].1)
            }
        }
        let end = tokenizer.tokenize(raw, 0..<raw.count, final: final, into: &parts[0])
        return (1, end)
    }

    /// Range starts: 0, then the first record boundary after each of `ranges - 1` evenly spaced
    /// offsets, found from the quote parity before it (valid for RFC 4180 doubled quotes, the
    /// common case; other escapes read serially). Ends with the block size.
    private func splitPoints(_ raw: UnsafeRawBufferPointer, ranges: Int, final: Bool) -> [Int] {
        let n = raw.count
        let dialect = options.dialect
        guard ranges > 1, n >= options.parallelSplitMinimum, n >= 2, dialect.escape == dialect.quote else { return [0, n] }
        let quote = dialect.quote
        let box = SharedBytes(raw)
        let targets = (0...ranges).map { n / ranges * $0 }
        let parities = parallelMap(ranges, threads: options.threads) { k -> Bool in
            var count = 0
            let bytes = UnsafeRawBufferPointer(rebasing: box.raw[targets[k]..<(k == ranges - 1 ? n : targets[k + 1])])
            for b in bytes where b == quote { count &+= 1 }
            return count & 1 == 1
        }
        var splits = [0]
        var inside = false
        for k in 1..<ranges {
            inside = inside != parities[k - 1]
            var state = inside
            var i = targets[k]
            var found: Int?
            let limit = min(n, targets[k] + (n / ranges))
            while i < limit {
                let b = raw[i]
                if b == quote { state.toggle() } else if !state && (b == 10 || b == 13) {
                    if b == 13 && i + 1 < n && raw[i + 1] == 10 { i += 1 }
                    found = i + 1
                    break
                }
                i += 1
            }
            if let found, found > splits.last!, found < n { splits.append(found) }
        }
        splits.append(n)
        return splits
    }
}

