import Columns
import Foundation
import Operators
import Query
import Testing

/// Whole queries at a budget far below their data against the same queries without a limit:
/// operators that spill feeding each other under one budget, through the planner.
@Suite struct SpillQueryTests {
    /// 40,000 rows: id (unique), g1 (500 values), g2 (37 values, some null), s (text, 2,000
    /// values), v (integers, some null).
    static func writeData() throws -> String {
        let directory = "/tmp/spill-query-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var text = "id,g1,g2,s,v\n"
        var x: UInt64 = 12345
        func next(_ n: UInt64) -> UInt64 {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            return (x >> 33) % n
        }
        for i in 0..<40_000 {
            let g2 = next(40)
            text += "\(i),\(next(500)),\(g2 < 37 ? String(g2) : ""),w\(next(2000)),\(next(13) == 0 ? "" : String(Int(next(2000)) - 1000))\n"
        }
        try text.write(toFile: directory + "/t.csv", atomically: true, encoding: .utf8)
        return directory
    }

    static let queries: [(sql: String, ordered: Bool)] = [
        ("SELECT g1, count(*) AS n, sum(v) AS s, avg(v) AS a, min(s) AS lo, max(s) AS hi, median(v) AS m, first(id) AS f FROM 't.csv' GROUP BY g1", false),
        ("SELECT g2, count(DISTINCT s) AS d, count(v) AS c FROM 't.csv' GROUP BY g2", false),
        ("SELECT DISTINCT s, g2 FROM 't.csv'", false),
        ("SELECT * FROM 't.csv' ORDER BY s DESC, v NULLS FIRST", true),
        ("SELECT a.id, a.s, b.g1 FROM 't.csv' a JOIN (SELECT id + 1 AS id, g1 FROM 't.csv') b ON a.id = b.id WHERE a.g2 = 3", false),
        ("SELECT a.g2, count(*) AS n FROM 't.csv' a LEFT JOIN (SELECT DISTINCT s, g1 FROM 't.csv' WHERE g1 < 20) b ON a.s = b.s GROUP BY a.g2 ORDER BY a.g2", true),
        ("SELECT id, g2, row_number() OVER (PARTITION BY g2 ORDER BY v) AS r, sum(v) OVER (PARTITION BY g2 ORDER BY id) AS running FROM 't.csv'", false),
        ("SELECT g2, count(*) AS n FROM (SELECT DISTINCT g1, g2 FROM 't.csv') GROUP BY g2 ORDER BY n DESC, g2", true),
        ("SELECT g1 FROM 't.csv' UNION SELECT g2 FROM 't.csv'", false),
    ]

    static func render(_ table: Table) -> [String] {
        let columns = table.columns
        return (0..<table.rowCount).map { r in columns.map { $0.isNull(r) ? "NULL" : $0.value(at: r).description }.joined(separator: "|") }
    }

    @Test(arguments: [1, 2])
    func queriesAtASmallBudgetAnswerAsWithout(threads: Int) throws {
        let directory = try Self.writeData()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let free = QueryEngine(threads: threads, directory: directory)
        let tight = QueryEngine(threads: threads, directory: directory,
                                limits: ResourceLimits(memory: 512 << 10, temporaryDirectory: directory))
        for (sql, ordered) in Self.queries {
            let expected = Self.render(try free.run(sql))
            var batches: [Batch] = []
            let plan = try tight.run(sql) { batches.append($0) }
            let got = Self.render(Table(schema: plan.schema, batches: batches))
            #expect(ordered ? got == expected : got.sorted() == expected.sorted(), "\(sql)")
            #expect((plan.spill?.filesCreated ?? 0) > 0, "\(sql) did not spill")
            #expect(plan.spillSummary != nil)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["t.csv"])
    }
}
