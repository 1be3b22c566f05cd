import CSV
import Columns
import Foundation
import Testing

/// Every file under fixtures/csv/ is read serially and in parallel with tiny blocks (so that
/// block and range boundaries fall everywhere, inside quoted fields and between CR and LF);
/// all readings must agree, and must equal the reviewed `<file>.expected` beside the fixture.
/// Regenerate (then review every diff) with `BATON_REGENERATE_FIXTURES=1 swift test --filter FixtureTests`.
@Suite struct FixtureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/csv").path

    static var fixtures: [String] {
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".csv") || $0.hasSuffix(".tsv") }.sorted()
    }

    /// Options a fixture needs beyond sniffing, by file name.
    static func options(for fixture: String) throws -> CSVReadOptions {
        var options = CSVReadOptions()
        options.onError = .skip
        // The late-type fixtures sniff only their first records, so the widening happens while
        // reading (after batches went out, with small blocks: the restart path).
        if fixture.contains("/late_") { options.sampleSize = 40 }
        if fixture.hasSuffix("na_means_null.csv") { options.dialect.nullStrings = ["NA"] }
        if fixture.hasSuffix("backslash_escape.csv") { options.dialect.escape = UInt8(ascii: "\\") }
        if fixture.hasSuffix("bad_value_with_schema.csv") {
            options.schema = try Schema([Field("fare", .float64), Field("city", .string)])
            options.headerGiven = true
        }
        return options
    }

    /// The final schema, every row as JSON lines, every rejected record and every widening.
    /// Rows delivered before a restart are void and dropped, as the reader's contract says.
    static func render(_ path: String, _ options: CSVReadOptions) throws -> String {
        let reader = try CSVReader(path: path, options: options)
        var rows: [UInt8] = []
        var rejected: [RejectedRecord] = []
        let summary = try reader.read(
            onSchema: { (_, restarted) throws(BatonError) in
                if restarted {
                    rows = []
                    rejected = []
                }
            },
            onRejected: { rejected += $0 }
        ) { (batch) throws(BatonError) in
            var writer = JSONLinesWriter(schema: batch.schema, sink: TextSink { (bytes) throws(BatonError) in rows += bytes })
            try writer.write(batch)
            try writer.finish()
        }
        var text = "schema: \(reader.schema)\n" + String(decoding: rows, as: UTF8.self)
        for r in rejected {
            text += "rejected line \(r.line) offset \(r.byteOffset) column \(r.column ?? "-"): \(r.reason)"
            text += r.text.map { " (found \"\($0)\")" } ?? ""
            text += " record \(r.raw.debugDescription)\n"
        }
        for w in summary.widened { text += "widened \(w.column) \(w.from) -> \(w.to) at line \(w.line)\n" }
        return text
    }

    @Test(arguments: fixtures)
    func parallelEqualsSerialAndExpected(fixture: String) throws {
        let path = Self.root + "/" + fixture
        var serial = try Self.options(for: fixture)
        serial.threads = 1
        let expected = try Self.render(path, serial)
        for (threads, block) in [(2, 5), (3, 7), (4, 64), (2, 1 << 20)] {
            var parallel = try Self.options(for: fixture)
            parallel.threads = threads
            parallel.blockSize = block
            parallel.parallelSplitMinimum = 0
            #expect(try Self.render(path, parallel) == expected, "threads \(threads), block \(block)")
        }
        let expectedPath = path + ".expected"
        if ProcessInfo.processInfo.environment["BATON_REGENERATE_FIXTURES"] == "1" {
            try expected.write(toFile: expectedPath, atomically: true, encoding: .utf8)
        }
        #expect(expected == (try String(contentsOfFile: expectedPath, encoding: .utf8)))
    }
}
