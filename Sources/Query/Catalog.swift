import Arrow
import Columns
import CSV
import Operators
import SQL
import Storage
import Utilities

/// A table a query names without quotes: a file, or (to plan before the data exists) only
/// the schema the table will have.
public enum NamedTable: Sendable {
    /// A `.baton` or CSV file, its path used as given (not taken relative to the engine's directory).
    case file(String)
    case schema(Schema)
    /// Batches read once as they arrive (`baton stage` reads standard input as `input`).
    case stream(BatchStream)
}

/// An opened input: its schema, and scans of chosen columns.
struct Source {
    let schema: Schema
    /// The column to read when a query needs only the row count.
    let cheapestColumn: Int
    let node: (_ columns: [Int], _ predicates: [ColumnPredicate]) throws(BatonError) -> any ExecutionNode
}

/// Opens the files a query names, once per query plan, and remembers CSV readers across
/// re-planning: when a CSV column has to be widened mid-read, the query is planned again
/// over the same readers, which now report the wider type.
final class Catalog {
    let threads: Int
    /// CSV options every read_csv starts from (the CLI's dialect flags).
    let csvDefaults: CSVReadOptions
    private var readers: [String: CSVReader] = [:]
    let widened = Locked(false)
    /// Whether some input is standard input, which a re-plan cannot read again.
    private(set) var readsStandardInput = false

    let directory: String?
    /// Tables a query may name without quotes (a pipeline's stages), by lowercased name.
    let tables: [String: NamedTable]

    init(threads: Int, csvDefaults: CSVReadOptions = CSVReadOptions(), directory: String? = nil,
         tables: [String: NamedTable] = [:]) {
        self.threads = threads
        self.csvDefaults = csvDefaults
        self.directory = directory
        self.tables = Dictionary(tables.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    /// The source behind a table name, or nil if no table has that name.
    func open(named name: String, text: QueryText, range: SourceRange) throws(BatonError) -> Source? {
        switch tables[name.lowercased()] {
        case nil:
            return nil
        case .file(let path):
            // Named tables' paths are the caller's, already usable as they are.
            return try open(path: path, options: [:], forceCSV: false, text: text, range: range, resolved: true)
        case .schema(let schema):
            return Source(schema: schema, cheapestColumn: 0) { columns, _ throws(BatonError) in
                PlannedTable(name: name, schema: schema.projected(columns))
            }
        case .stream(let stream):
            return Source(schema: stream.schema, cheapestColumn: 0) { columns, _ throws(BatonError) in
                StreamScan(name: name, stream: stream, columns: columns)
            }
        }
    }

    /// `path` against the engine's directory, unless absolute or stdin.
    func resolve(_ path: String) -> String {
        guard let directory, path != "-", !path.hasPrefix("/") else { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }

    func open(path: String, options: [String: (Value, SourceRange)], forceCSV: Bool, text: QueryText,
              range: SourceRange, resolved: Bool = false) throws(BatonError) -> Source {
        let path = resolved ? path : resolve(path)
        if !forceCSV && path.hasSuffix(".baton") {
            let reader = try BatonReader(path: path)
            let schema = reader.schema
            let sizes = schema.fields.indices.map { c in reader.footer.rowGroups.reduce(0) { $0 + $1.chunks[c].storedSize } }
            let cheapest = sizes.indices.min { sizes[$0] < sizes[$1] } ?? 0
            return Source(schema: schema, cheapestColumn: cheapest) { columns, predicates throws(BatonError) in
                BatonScan(reader: reader, columns: columns, predicates: predicates)
            }
        }
        if !forceCSV && Self.isArrow(path) {
            // The schema comes from the file's first message (or footer); the scan reopens it.
            guard let schema = try ArrowReader(path: path).schema else {
                throw BatonError(.invalidInput, "the Arrow stream is empty: it has no schema", at: .init(file: path),
                                 hint: "the producer wrote no bytes; write at least a schema")
            }
            return Source(schema: schema, cheapestColumn: 0) { columns, _ throws(BatonError) in
                ArrowScan(path: path, fileSchema: schema, columns: columns)
            }
        }
        let key = path + "\u{0}" + options.keys.sorted().map { "\($0)=\(options[$0]!.0)" }.joined(separator: ",")
        if path == "-" {
            // A query over stdin is never planned twice (a widening there is an error), so a
            // second open means the query names stdin twice, and the second read would be empty.
            guard !readsStandardInput else {
                throw text.error("standard input is named twice, but it can be read only once", at: range,
                                 hint: "save it to a file first, e.g. baton convert - input.baton")
            }
        }
        let reader: CSVReader
        if let cached = readers[key] {
            reader = cached
        } else {
            var csv = csvDefaults
            csv.threads = threads
            // A widening restarts the query from its plan, not the reader from its file.
            csv.restartOnWidening = false
            try apply(options, to: &csv, text: text)
            reader = try CSVReader(path: path, options: csv)
            if path == "-" { readsStandardInput = true }
            readers[key] = reader
        }
        let schema = reader.fileSchema
        let widened = self.widened
        // For a row count: a column of fixed-width values parses faster than strings, which
        // are hashed for their dictionaries.
        let cheapest = schema.fields.firstIndex { $0.type == .bool || $0.type == .int64 || $0.type == .date } ?? 0
        return Source(schema: schema, cheapestColumn: cheapest) { columns, _ throws(BatonError) in
            try CSVScan(reader: reader, columns: columns.map { schema.fields[$0].name }, widened: widened)
        }
    }

    /// Arrow IPC files and stream files, by name.
    static func isArrow(_ path: String) -> Bool {
        let lower = path.lowercased()
        return [".arrow", ".feather", ".arrows", ".ipc"].contains { lower.hasSuffix($0) }
    }

    private func apply(_ options: [String: (Value, SourceRange)], to csv: inout CSVReadOptions, text: QueryText) throws(BatonError) {
        for (name, (value, range)) in options {
            func string() throws(BatonError) -> String {
                guard case .string(let s) = value else { throw text.error("option \(name) needs a string", at: range) }
                return s
            }
            func byte() throws(BatonError) -> UInt8 {
                let s = try string()
                if s == "\\t" { return 9 }
                guard s.utf8.count == 1 else { throw text.error("option \(name) needs one character, got '\(s)'", at: range) }
                return s.utf8.first!
            }
            switch name {
            case "delim", "sep", "delimiter":
                csv.dialect.delimiter = try byte()
                csv.delimiterGiven = true
            case "quote":
                let q = try byte()
                if csv.dialect.escape == csv.dialect.quote { csv.dialect.escape = q }
                csv.dialect.quote = q
                csv.quoteGiven = true
            case "escape":
                csv.dialect.escape = try byte()
            case "header":
                guard case .bool(let b) = value else { throw text.error("option header needs true or false", at: range) }
                csv.dialect.header = b
                csv.headerGiven = true
            case "nullstr", "null":
                csv.dialect.nullStrings = [try string()]
            case "sample_size":
                guard case .int64(let n) = value, n > 0 else { throw text.error("option sample_size needs a positive integer", at: range) }
                csv.sampleSize = Int(n)
            default:
                throw text.error("unknown read_csv option \(name)", at: range,
                                 hint: "options are delim, quote, escape, header, nullstr, sample_size")
            }
        }
    }
}
