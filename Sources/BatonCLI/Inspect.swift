import ArgumentParser
import Columns
import Storage

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a Baton file's schema, row groups and per-chunk encoding, codec, sizes and statistics.")

    @Argument(help: "A .baton file.") var file: String
    @Flag(help: "Only the schema and the per-column totals, not every chunk.") var summary = false

    func run() throws(ExitCode) {
        try BatonCLI.run { () throws(BatonError) in
            let reader = try BatonReader(path: file)
            let footer = reader.footer
            var out = ""
            let createdBy = footer.metadata.first { $0.0 == "created_by" }?.1 ?? "unknown"
            out += "file: \(file)\n"
            out += "size: \(Format.bytes(reader.fileSize)), format version \(footer.formatVersion), created by \(createdBy)\n"
            for (key, value) in footer.metadata where key != "created_by" { out += "\(key): \(value)\n" }
            out += "rows: \(footer.rowCount) in \(footer.rowGroups.count) row group\(footer.rowGroups.count == 1 ? "" : "s")\n\n"

            var totals = [(stored: Int, plain: Int, nulls: Int)](repeating: (0, 0, 0), count: reader.schema.count)
            var chunkRows: [[String]] = [["group", "column", "encoding", "codec", "rows", "nulls", "plain", "body", "stored", "min", "max"]]
            for (g, group) in footer.rowGroups.enumerated() {
                for (c, chunk) in group.chunks.enumerated() {
                    totals[c].stored += chunk.storedSize
                    totals[c].plain += chunk.plainSize  // each at most 2^40 (FileLayout.maxPlainSize)
                    totals[c].nulls += chunk.statistics.nullCount
                    chunkRows.append([String(g), reader.schema.fields[c].name, chunk.encoding.description,
                                      chunk.codec.description, String(group.rowCount), String(chunk.statistics.nullCount),
                                      Format.bytes(chunk.plainSize), Format.bytes(chunk.bodySize), Format.bytes(chunk.storedSize),
                                      Self.bound(chunk.statistics.min, exact: chunk.statistics.minExact),
                                      Self.bound(chunk.statistics.max, exact: chunk.statistics.maxExact)])
                }
            }
            var schemaRows: [[String]] = [["column", "type", "nullable", "nulls", "plain", "stored", "ratio"]]
            for (c, field) in reader.schema.fields.enumerated() {
                schemaRows.append([field.name, field.type.description, field.nullable ? "yes" : "no", String(totals[c].nulls),
                                   Format.bytes(totals[c].plain), Format.bytes(totals[c].stored), Format.ratio(totals[c].plain, totals[c].stored)])
            }
            let stored = totals.reduce(0) { $0 + $1.stored }, plain = totals.reduce(0) { $0 + $1.plain }
            out += "schema:\n" + Format.table(schemaRows)
            out += "\ncolumn data: \(Format.bytes(stored)) stored, \(Format.bytes(plain)) plain, ratio \(Format.ratio(plain, stored))\n"
            if !summary && !footer.rowGroups.isEmpty {
                out += "\nchunks:\n" + Format.table(chunkRows)
            }
            var sink = Output.standardOutput()
            sink.text(out)
            try sink.flushNow()
        }
    }

    static func bound(_ value: Value?, exact: Bool) -> String {
        guard let value else { return "-" }
        var text = value.description
        if text.count > 24 { text = String(text.prefix(21)) + "..." }
        return exact ? text : text + "~"
    }
}
