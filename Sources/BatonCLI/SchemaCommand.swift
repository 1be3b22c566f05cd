import ArgumentParser
import CSV
import Columns
import Storage

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the dialect and column types Baton infers for a CSV input (or a Baton file's schema).",
        discussion: """
            Types come from samples across the whole file; --full reads every record instead, \
            so that the types are those a full read ends with. --lock FILE writes the result as \
            a schema file that --schema FILE accepts, so later runs read the columns exactly as \
            declared.
            """)

    @Argument(help: "A CSV file (optionally compressed), a .baton file, or - for stdin.") var input: String
    @Option(help: "Write the schema file here.") var lock: String?
    @Flag(help: "Read the whole input, widening types as a conversion would.") var full = false
    @OptionGroup var csv: CSVOptions

    func run() throws(ExitCode) {
        try BatonCLI.run { () throws(BatonError) in
            let file: SchemaFile
            switch InputKind(path: input) {
            case .baton:
                file = SchemaFile(dialect: CSVDialect(), schema: try BatonReader(path: input).schema)
            case .arrow:
                guard let schema = try openArrow(input).schema else {
                    throw BatonError(.invalidInput, "the Arrow stream is empty: it has no schema", at: .init(file: input))
                }
                file = SchemaFile(dialect: CSVDialect(), schema: schema)
            case .csv:
                var options = try csv.readOptions()
                options.onError = .skip
                let reader = try CSVReader(path: input, options: options)
                if full { try reader.read { (_) throws(BatonError) in } }
                file = SchemaFile(dialect: reader.options.dialect, schema: reader.fileSchema)
            }
            var out = ""
            if case .csv = InputKind(path: input) {
                let d = file.dialect
                func show(_ b: UInt8) -> String { b == 9 ? "tab" : "'\(String(UnicodeScalar(b)))'" }
                out += "delimiter \(show(d.delimiter)), quote \(show(d.quote)), escape \(show(d.escape)), "
                out += "header \(d.header ? "yes" : "no"), null \(d.nullStrings.map { "'\($0)'" }.joined(separator: " "))\n"
            }
            out += Format.table([["column", "type"]] + file.schema.fields.map { [$0.name, $0.type.description] })
            var sink = Output.standardOutput()
            sink.text(out)
            try sink.flushNow()
            if let lock {
                let output = try AtomicOutputFile(path: lock)
                try output.write(Array(try file.yaml().utf8))
                try output.commit()
                Output.standardError("wrote \(lock)\n")
            }
        }
    }
}
