import Columns
import Foundation
import Pipeline
import Testing

@Suite struct PipelineValidationTests {
    /// Every problem at once, each with its YAML line, word for word.
    @Test func reportsEveryProblemWithItsLine() throws {
        let s = Scratch()
        s.write("data/customers.csv", shopCustomers)
        s.write("pipeline.yaml", """
            name: bad
            stages:
              a:
                source: data/customers.csv
                optoins: {delimiter: ","}
              b:
                from: a
                filter: contry = 'DE'
              c:
                sql: SELECT * FROM d JOIN a USING (id)
              e:
                from: a
                checks:
                  - not_null: nme
                  - unique: id
                    severity: fatal
              f:
                sink: out/x.txt
                from: e
              g:
                from: h
              h:
                from: g
              i:
                source: ${missing}/x.csv
              j:
                source: data/nothing.csv

            """)
        let pipeline = try s.load()
        let (problems, _) = pipeline.validate()
        let lines = problems.map { $0.rendered(file: "pipeline.yaml") }
        #expect(lines == [
            "pipeline.yaml:5: stage a: unknown key 'optoins' (hint: did you mean options?)",
            """
            pipeline.yaml:6: stage b: in the SQL built from its keys (SELECT * FROM a WHERE contry = 'DE'): no column named "contry" at line 1, column 23
              SELECT * FROM a WHERE contry = 'DE'
                                    ^^^^^^ (hint: the columns are: id, country)
            """,
            "pipeline.yaml:10: stage c: unknown stage d (hint: did you mean a?)",
            "pipeline.yaml:14: stage e: check not_null(nme) names no column nme (hint: columns are id, country)",
            "pipeline.yaml:16: stage e: severity is error or warn, found 'fatal'",
            "pipeline.yaml:18: stage f: cannot tell the format of 'out/x.txt' (hint: end the name with .csv, .jsonl, .baton or .arrow, or add format:)",
            "pipeline.yaml:20: stage g: stages read each other in a cycle: g → h (hint: a stage can read only stages that do not read it back)",
            "pipeline.yaml:25: stage i: the variable ${missing} is not set (hint: pass --var missing=VALUE, set it in the environment, or give it a default under vars:)",
            "pipeline.yaml:26: stage j: \(s.path)/data/nothing.csv: no such file (hint: check the path)",
        ])
        #expect(pipeline.invalid(problems).kind == .invalidPipeline)
    }

    /// Declarative keys become one SQL query, nested only where a step needs the previous
    /// step's columns.
    @Test func declarativeFormsBecomeSQL() throws {
        let s = Scratch()
        s.write("data/orders.csv", shopOrders)
        s.write("pipeline.yaml", """
            stages:
              orders:
                source: data/orders.csv
              big:
                from: orders
                filter: amount > ${floor}
                derive:
                  double: amount * 2
                aggregate:
                  by: [customer]
                  measures:
                    n: count(*)
                    total: sum(double)
                sort: [total DESC]
                limit: 2

            """)
        let pipeline = try s.load(variables: ["floor": "1"])
        guard case .transform(let t) = pipeline.spec.stage("big")!.kind else { Issue.record("not a transform"); return }
        #expect(t.sql == "SELECT customer, count(*) AS n, sum(double) AS total FROM (SELECT *, amount * 2 AS double FROM orders WHERE amount > 1) AS step1 GROUP BY customer ORDER BY total DESC LIMIT 2")
        #expect(pipeline.validate().problems.isEmpty)
        let (report, _) = try s.run(variables: ["floor": "1"])
        #expect(report.stages.last?.rowsOut == 2)
    }

    /// The YAML's own syntax errors keep their line.
    @Test func yamlSyntaxErrorHasItsLine() throws {
        let s = Scratch()
        s.write("pipeline.yaml", "stages:\n  a:\n    source: [x\n")
        let problems = try s.load().problems
        #expect(problems.count == 1)
        #expect(problems[0].line == 4)
        #expect(problems[0].message.hasPrefix("not valid YAML: "))
    }

    /// The graph in both drawing formats.
    @Test func graphFormats() throws {
        let s = Scratch()
        s.write("data/orders.csv", shopOrders)
        s.write("data/customers.csv", shopCustomers)
        s.write("pipeline.yaml", shopPipeline)
        let pipeline = try s.load()
        #expect(pipeline.graph.render(pipeline.spec, format: "mermaid") == """
            flowchart LR
              orders[(orders)]
              customers[(customers)]
              paid[paid]
              by_country[by_country]
              report[/report/]
              customers_out[/customers_out/]
              orders --> paid
              paid --> by_country
              customers --> by_country
              by_country --> report
              customers --> customers_out

            """)
        #expect(pipeline.graph.render(pipeline.spec, format: "dot").hasPrefix("digraph \"shop\" {\n  rankdir=LR;\n  \"orders\" [shape=cylinder];\n"))
        #expect(try pipeline.graph.select(["+by_country"]) == ["orders", "customers", "paid", "by_country"])
        #expect(try pipeline.graph.select(["paid+"]) == ["paid", "by_country", "report"])
    }
}
