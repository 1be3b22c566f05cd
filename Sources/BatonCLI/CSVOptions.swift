import ArgumentParser
import CSV
import Columns
import Storage
import SystemPackage
import Utilities

/// The options of every command that parses CSV.
struct CSVOptions: ParsableArguments {
    @Option(help: "Field delimiter: a character, or tab, comma, semicolon, pipe (default: detected).")
    var delimiter: String?
    @Option(help: "Quote character (default: \").") var quote: String?
    @Option(help: "Escape character inside quotes (default: the quote, i.e. doubled quotes).") var escape: String?
    @Flag(inversion: .prefixedNo, help: "Whether the first line is a header (default: detected).") var header: Bool?
    @Option(name: .customLong("null"), help: "A text that means null (repeatable; default: the empty field).")
    var nulls: [String] = []
    @Option(help: "A schema file (see `baton schema --lock`): columns read exactly as declared.") var schema: String?
    @Option(help: "What to do with a bad record: fail, skip, or reject=FILE.") var onError = "fail"
    @Option(help: "With skip or reject: fail when more records are rejected (count, 1%, or 0.01).") var maxErrors: String?
    @Option(help: "Threads for parsing (default: all cores).") var threads = defaultThreadCount
    @Option(help: "The longest record accepted, in MiB (default 64).") var maxRecordSize = 64

    /// The reader options these flags describe, a schema file's dialect applied first.
    func readOptions() throws(BatonError) -> CSVReadOptions {
        var options = CSVReadOptions()
        if let schema {
            let text: String
            text = try String(readingFile: schema)
            let file = try SchemaFile(yaml: text, file: schema)
            options.dialect = file.dialect
            options.schema = file.schema
            options.delimiterGiven = true
            options.quoteGiven = true
            options.headerGiven = true
        }
        if let delimiter {
            options.dialect.delimiter = try CSVDialect.byte(named: delimiter, option: "--delimiter")
            options.delimiterGiven = true
        }
        if let quote {
            let byte = try CSVDialect.byte(named: quote, option: "--quote")
            if escape == nil && options.dialect.escape == options.dialect.quote { options.dialect.escape = byte }
            options.dialect.quote = byte
            options.quoteGiven = true
        }
        if let escape { options.dialect.escape = try CSVDialect.byte(named: escape, option: "--escape") }
        if let header {
            options.dialect.header = header
            options.headerGiven = true
        }
        if !nulls.isEmpty { options.dialect.nullStrings = nulls }
        options.onError = try OnError(parsing: onError)
        if let maxErrors { options.maxErrors = try ErrorLimit(parsing: maxErrors) }
        options.threads = max(1, threads)
        options.maxRecordBytes = max(1, maxRecordSize) << 20
        return options
    }
}

extension String {
    /// Reads a whole (small) text file without Foundation.
    init(readingFile path: String) throws(BatonError) {
        let fd = try openForReading(path)
        defer { try? fd.close() }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n: Int
            do { n = try chunk.withUnsafeMutableBytes { try fd.read(into: $0) } } catch {
                throw BatonError(.io, "read failed: \(error)", at: .init(file: path))
            }
            if n == 0 { break }
            bytes += chunk[0..<n]
        }
        self = String(decoding: bytes, as: UTF8.self)
    }
}

/// Whether a path names a Baton file (by its first bytes), a CSV input otherwise.
enum InputKind {
    case baton, csv, arrow

    /// Told apart by the first bytes: Baton's magic, Arrow's (`ARROW1` for the file format, the
    /// 0xFFFFFFFF continuation marker for a stream), else CSV. Standard input is peeked at and
    /// the bytes kept for whichever reader takes it.
    init(path: String) {
        var head = [UInt8](repeating: 0, count: 8)
        var n = 0
        if path == "-" {
            head = (try? StandardInput.peek(8)) ?? []
            n = head.count
        } else {
            guard let fd = try? FileDescriptor.open(FilePath(path), .readOnly) else { self = .csv; return }
            defer { try? fd.close() }
            n = (try? head.withUnsafeMutableBytes { try fd.read(into: $0) }) ?? 0
        }
        if n == 8 && head == FileLayout.magic {
            self = .baton
        } else if n >= 6 && Array(head[0..<6]) == Array("ARROW1".utf8) || n >= 4 && head[0..<4].allSatisfy({ $0 == 0xFF }) {
            self = .arrow
        } else {
            self = .csv
        }
    }
}

/// The end-of-run report on stderr: rows read, rejected, and every widening.
func report(_ summary: CSVReadSummary, input: String) {
    var text = "read \(summary.rowsRead) rows from \(input == "-" ? "<stdin>" : input)"
    text += summary.rejected > 0 ? ", rejected \(summary.rejected)" : ", rejected 0"
    if summary.widened.isEmpty {
        text += ", widened none\n"
    } else {
        text += "\n"
        for w in summary.widened {
            let place = w.file == input || input == "-" ? "line \(w.line)" : "line \(w.line) of \(w.file)"
            text += "widened column \"\(w.column)\" from \(w.from) to \(w.to) at \(place) (found \"\(w.text)\")\n"
        }
        if summary.restarts > 0 { text += "re-read the input \(summary.restarts) time\(summary.restarts == 1 ? "" : "s") to apply the wider types\n" }
    }
    Output.standardError(text)
}

/// Writes rejected records to a CSV file, atomically, as they arrive.
final class RejectsFile {
    let file: AtomicOutputFile
    var writer: RejectsWriter

    init(path: String) throws(BatonError) {
        file = try AtomicOutputFile(path: path)
        let target = file
        writer = RejectsWriter(sink: TextSink { (bytes) throws(BatonError) in try target.write(bytes) })
    }

    func add(_ records: [RejectedRecord]) throws(BatonError) { try writer.add(records) }

    func commit() throws(BatonError) {
        try writer.finish()
        try file.commit()
    }
}

/// The options of CSV output (`convert` to .csv or stdout, `cat`).
struct CSVOutputOptions: ParsableArguments {
    @Option(help: "Delimiter of CSV output: a character, or tab, comma, semicolon, pipe (default: ,).")
    var outputDelimiter: String?
    @Option(help: "Text written for nulls in CSV output (default: the empty field).") var outputNull: String?
    @Flag(name: .customLong("no-output-header"), help: "Omit the header line of CSV output.") var noOutputHeader = false

    func writeOptions() throws(BatonError) -> CSVWriteOptions {
        var options = CSVWriteOptions()
        if let outputDelimiter { options.delimiter = try CSVDialect.byte(named: outputDelimiter, option: "--output-delimiter") }
        if let outputNull { options.nullString = outputNull }
        options.header = !noOutputHeader
        return options
    }
}
