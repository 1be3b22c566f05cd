import Columns
import Foundation
import Operators
import Query
import Testing

/// SQL logic tests: text files under Tests/QueryTests/sql/ of cases
///
///     query                     error
///     SELECT …                  SELECT …
///     ----                      ----
///     a:Int64|b:String          the error, word for word
///     1|x
///
/// separated by blank lines (`#` starts a comment line). Relative paths are read from
/// fixtures/sql (`{fixtures}` in an error is that directory). Every query runs with 1, 2 and 7 threads, and under a
/// memory limit it never reaches, which must agree exactly. Set
/// BATON_REGENERATE_SQL=1 to rewrite the expected blocks from what the engine returns (then
/// review the diff).
@Suite struct SQLLogicTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtures = root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("fixtures/sql").path

    static var files: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("sql").path))?
            .filter { $0.hasSuffix(".test") }.sorted() ?? []
    }

    struct Case {
        var kind: String
        var sql: String
        var expected: String
        var line: Int
    }

    static func parse(_ text: String) -> [Case] {
        var cases: [Case] = []
        let lines = text.components(separatedBy: "\n")
        var i = 0
        while i < lines.count {
            let line = lines[i]
            if line == "query" || line == "error" {
                let start = i + 1
                var sql: [String] = []
                i += 1
                while i < lines.count && lines[i] != "----" { sql.append(lines[i]); i += 1 }
                i += 1
                var expected: [String] = []
                while i < lines.count && !lines[i].isEmpty { expected.append(lines[i]); i += 1 }
                cases.append(Case(kind: line, sql: sql.joined(separator: "\n"), expected: expected.joined(separator: "\n"), line: start))
            }
            i += 1
        }
        return cases
    }

    /// `name:Type|…` then one line per row, values as `Value.description` renders them, NULL for nulls.
    static func render(_ table: Table) -> String {
        var lines = [table.schema.fields.map { "\($0.name):\($0.type)" }.joined(separator: "|")]
        let columns = table.columns
        for r in 0..<table.rowCount {
            lines.append(columns.map { c in c.isNull(r) ? "NULL" : (c.value(at: r).description.isEmpty ? "(empty)" : c.value(at: r).description) }.joined(separator: "|"))
        }
        return lines.joined(separator: "\n")
    }

    static func outcome(_ c: Case, threads: Int, limits: ResourceLimits = ResourceLimits()) -> String {
        let sql = c.sql
        do {
            return render(try QueryEngine(threads: threads, directory: fixtures, limits: limits).run(sql))
        } catch {
            return error.description.replacingOccurrences(of: fixtures, with: "{fixtures}")
        }
    }

    @Test(arguments: files)
    func file(_ name: String) throws {
        let path = Self.root.appendingPathComponent("sql/\(name)").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let cases = Self.parse(text)
        #expect(!cases.isEmpty)
        var regenerated = text
        for c in cases {
            let one = Self.outcome(c, threads: 1)
            for threads in [2, 7] {
                #expect(Self.outcome(c, threads: threads) == one, "\(name):\(c.line): \(threads) threads differ from 1")
            }
            // Under a memory limit that is never reached: reservations taken, nothing spilled, the same bytes.
            #expect(Self.outcome(c, threads: 2, limits: ResourceLimits(memory: 1 << 30)) == one, "\(name):\(c.line): differs under a limit")
            if ProcessInfo.processInfo.environment["BATON_REGENERATE_SQL"] != nil {
                regenerated = regenerated.replacingOccurrences(of: "\(c.kind)\n\(c.sql)\n----\n\(c.expected)\n",
                                                               with: "\(c.kind)\n\(c.sql)\n----\n\(one)\n" + (c.expected.isEmpty ? "\n" : ""))
            } else {
                #expect(one == c.expected, "\(name):\(c.line)")
            }
        }
        if regenerated != text { try regenerated.write(toFile: path, atomically: true, encoding: .utf8) }
    }
}
