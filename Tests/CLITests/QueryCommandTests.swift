import Foundation
import Testing

/// `baton query` and `baton explain`, run as a user would.
@Suite struct QueryCommandTests {
    static let people = "id,name,city,age\n1,Ann,Oslo,34\n2,Bob,Lima,\n3,Cid,Oslo,29\n"

    @Test func groupByToStdoutAsCSV() throws {
        let w = Workspace()
        w.write(Array(Self.people.utf8), "people.csv")
        let result = try w.run("query", "SELECT city, count(*) AS n, avg(age) AS mean FROM 'people.csv' GROUP BY city ORDER BY city")
        #expect(result.status == 0)
        #expect(result.stdout == "city,n,mean\nLima,1,\nOslo,2,31.5\n")
        #expect(result.stderr == "")
    }

    @Test func jsonLinesAndTable() throws {
        let w = Workspace()
        w.write(Array(Self.people.utf8), "people.csv")
        let json = try w.run("query", "SELECT name, age FROM 'people.csv' WHERE id < 3", "--format", "jsonl")
        #expect(json.stdout == "{\"name\":\"Ann\",\"age\":34}\n{\"name\":\"Bob\",\"age\":null}\n")
        let table = try w.run("query", "SELECT name, age FROM 'people.csv' WHERE id < 3", "--format", "table")
        #expect(table.stdout == """
            ┌────────┬───────┐
            │ name   │ age   │
            │ String │ Int64 │
            ├────────┼───────┤
            │ Ann    │    34 │
            │ Bob    │  NULL │
            └────────┴───────┘
            2 rows

            """)
    }

    @Test func outputFileIsWrittenAtomicallyAndReadBack() throws {
        let w = Workspace()
        w.write(Array(Self.people.utf8), "people.csv")
        let write = try w.run("query", "SELECT id, upper(name) AS name FROM 'people.csv' ORDER BY id DESC", "--output", "out.baton")
        #expect(write.status == 0)
        let back = try w.run("query", "SELECT * FROM 'out.baton'")
        #expect(back.stdout == "id,name\n3,CID\n2,BOB\n1,ANN\n")
        // A failing query leaves no output file behind.
        let failed = try w.run("query", "SELECT CAST(name AS INT) FROM 'people.csv'", "--output", "bad.csv")
        #expect(failed.status == 2)
        #expect(failed.stderr == "baton: error: column \"name\": cannot cast to Int64, found \"Ann\" (hint: TRY_CAST(… AS Int64) gives NULL instead)\n")
        #expect(w.files == ["out.baton", "people.csv"])
    }

    @Test func standardInput() throws {
        let w = Workspace()
        let result = try CLI.run(["query", "SELECT sum(age) AS total FROM '-'"], in: w.path, stdin: Array(Self.people.utf8))
        #expect(result.status == 0)
        #expect(result.stdout == "total\n63\n")
    }

    @Test func standardInputNamedTwiceIsRefused() throws {
        let w = Workspace()
        let result = try CLI.run(["query", "SELECT count(*) FROM '-' a, '-' b"], in: w.path, stdin: Array(Self.people.utf8))
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("baton: error: standard input is named twice, but it can be read only once at line 1, column 29\n"))
    }

    @Test func unknownColumnPointsIntoTheQuery() throws {
        let w = Workspace()
        w.write(Array(Self.people.utf8), "people.csv")
        let result = try w.run("query", "SELECT nmae FROM 'people.csv'")
        #expect(result.status == 2)
        #expect(result.stderr == """
            baton: error: no column named "nmae" at line 1, column 8
              SELECT nmae FROM 'people.csv'
                     ^^^^ (hint: the columns are: id, name, city, age)

            """)
    }

    @Test func explainShowsThePlanAndAnalyzeCountsRows() throws {
        let w = Workspace()
        w.write(Array(Self.people.utf8), "people.csv")
        let plan = try w.run("explain", "SELECT city, max(age) FROM 'people.csv' WHERE id > 1 GROUP BY city")
        #expect(plan.stdout == """
            Project city, max(age)
              HashAggregate keys=[city] aggregates=[max(age)]
                Project city, age
                  Filter (id > 1)
                    CSVScan people.csv columns=[id, city, age]

            """)
        let analyzed = try w.run("explain", "--analyze", "SELECT city, max(age) FROM 'people.csv' WHERE id > 1 GROUP BY city")
        let lines = analyzed.stdout.split(separator: "\n")
        #expect(lines.count == 6)
        #expect(lines[0].hasPrefix("Project city, max(age)  [rows=2 time="))
        #expect(lines[3].hasPrefix("      Filter (id > 1)  [rows=2 time="))
        #expect(lines[4].hasPrefix("        CSVScan people.csv columns=[id, city, age]  [rows=3 time="))
        #expect(lines[5].hasPrefix("total "))
    }
}
