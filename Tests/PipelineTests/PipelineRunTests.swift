import Columns
import Foundation
import Pipeline
import Query
import Testing

@Suite struct PipelineRunTests {
    func shop() -> Scratch {
        let s = Scratch()
        s.write("pipeline.yaml", shopPipeline)
        s.write("data/orders.csv", shopOrders)
        s.write("data/customers.csv", shopCustomers)
        return s
    }

    /// A first run runs every stage and writes the sinks; the exact outputs.
    @Test func runsEveryStageAndWritesSinks() throws {
        let s = shop()
        let (report, _) = try s.run()
        #expect(report.succeeded)
        #expect(report.statuses == ["orders:ran", "customers:ran", "paid:ran", "by_country:ran", "report:ran", "customers_out:ran"])
        #expect(s.read("out/by_country.csv") == "country,orders,amount\nDE,2,17.75\nFR,2,22.75\n")
        #expect(s.read("out/customers.jsonl") == "{\"id\":1,\"country\":\"DE\"}\n{\"id\":2,\"country\":\"FR\"}\n{\"id\":3,\"country\":\"DE\"}\n")
        let paid = report.stages.first { $0.stage == "paid" }!
        #expect(paid.rowsIn == 5 && paid.rowsOut == 4)
        #expect(paid.checks.map(\.passed) == [true])
    }

    /// Nothing changed: nothing runs. One source changed: it and what depends on it run, its
    /// untouched sibling and that sibling's own sink do not.
    @Test func skipsUnchangedStagesAndRerunsChangedOnes() throws {
        let s = shop()
        _ = try s.run()
        let (again, _) = try s.run()
        #expect(again.statuses.allSatisfy { $0.hasSuffix(":skipped") })
        s.write("data/orders.csv", shopOrders + "6,3,100\n")
        let (changed, _) = try s.run()
        #expect(changed.statuses == ["orders:ran", "customers:skipped", "paid:ran", "by_country:ran", "report:ran", "customers_out:skipped"])
        #expect(s.read("out/by_country.csv") == "country,orders,amount\nDE,3,117.75\nFR,2,22.75\n")
    }

    /// A sink's file removed by hand is written again; --force runs everything.
    @Test func rewritesARemovedSinkAndForceRunsAll() throws {
        let s = shop()
        _ = try s.run()
        try FileManager.default.removeItem(atPath: s.path + "/out/customers.jsonl")
        let (report, _) = try s.run()
        #expect(report.statuses == ["orders:skipped", "customers:skipped", "paid:skipped", "by_country:skipped", "report:skipped",
                                    "customers_out:ran"])
        #expect(s.exists("out/customers.jsonl"))
        let (forced, _) = try s.run { $0.force = true }
        #expect(forced.statuses.allSatisfy { $0.hasSuffix(":ran") })
    }

    /// A failing check of severity error fails its stage (and the run, with the check's kind),
    /// stops what depends on it, reports the failing rows, and leaves the sinks as they were.
    @Test func failedCheckStopsTheRunAndKeepsOutputs() throws {
        let s = shop()
        _ = try s.run()
        let before = s.read("out/by_country.csv")
        s.write("data/customers.csv", shopCustomers + "3,NL\n")
        let (report, _) = try s.run()
        #expect(!report.succeeded)
        #expect(report.error?.kind == .checkFailed)
        #expect(report.error?.message == "stage customers: check unique(id) failed: 1 duplicated value")
        #expect(report.statuses == ["orders:skipped", "customers:failed", "paid:skipped", "by_country:not_run", "report:not_run",
                                    "customers_out:not_run"])
        let check = report.stages[1].checks[0]
        #expect(check.sample == ["id,copies", "3,2"])
        #expect(s.read("out/by_country.csv") == before)
        #expect(s.files(under: "out") == ["by_country.csv", "customers.jsonl"])
    }

    /// A warning does not fail the run.
    @Test func warningsDoNotFail() throws {
        let s = shop()
        s.write("pipeline.yaml", shopPipeline.replacingOccurrences(of: "      - unique: id\n", with: "      - unique: country\n        severity: warn\n"))
        let (report, _) = try s.run()
        #expect(report.succeeded)
        let check = report.stages[1].checks[0]
        #expect(!check.passed && check.message == "1 duplicated value")
    }

    /// A sink that cannot be written fails the run and no sink of that run appears: the
    /// outputs of the previous run stay byte for byte.
    @Test func failedSinkLeavesPreviousOutputs() throws {
        let s = shop()
        _ = try s.run()
        let report1 = s.read("out/by_country.csv"), customers1 = s.read("out/customers.jsonl")
        s.write("data/orders.csv", shopOrders + "6,3,100\n")
        s.write("data/customers.csv", shopCustomers + "4,FR\n")
        // The second sink's directory cannot be created: a file holds its name.
        s.write("blocked", "not a directory")
        s.write("pipeline.yaml", shopPipeline.replacingOccurrences(of: "out/customers.jsonl", with: "blocked/customers.jsonl"))
        let (report, _) = try s.run()
        #expect(!report.succeeded)
        #expect(report.error?.kind == .io)
        #expect(s.read("out/by_country.csv") == report1)
        #expect(s.read("out/customers.jsonl") == customers1)
        #expect(s.files(under: "out") == ["by_country.csv", "customers.jsonl"])
    }

    /// A sink that declares retries is tried again after its backoff, doubled each time,
    /// then fails the run with the last error.
    @Test func sinkRetriesWithBackoff() throws {
        let s = shop()
        s.write("blocked", "not a directory")
        s.write("pipeline.yaml", shopPipeline.replacingOccurrences(of: "    sink: out/customers.jsonl\n",
                                                                   with: "    sink: blocked/customers.jsonl\n    retries: 2\n    backoff: 20ms\n"))
        let start = Date()
        let (report, events) = try s.run()
        #expect(Date().timeIntervalSince(start) >= 0.06)
        #expect(!report.succeeded)
        let retries = events.filter { $0["stage"] as? String == "customers_out" && $0["event"] as? String == "stage_failed" }
            .compactMap { $0["error"] as? String }
        #expect(retries.count == 3)
        #expect(retries[0].hasSuffix("; retry 1 of 2 in 0.02 s"))
        #expect(retries[1].hasSuffix("; retry 2 of 2 in 0.04 s"))
        #expect(report.stages.last?.status == .failed)
    }

    /// --select with + runs a stage with everything upstream; a plain name reuses upstream
    /// outputs, and refuses when there are none.
    @Test func selection() throws {
        let s = shop()
        let (first, _) = try s.run { $0.select = ["+paid"] }
        #expect(first.statuses == ["orders:ran", "customers:not_run", "paid:ran", "by_country:not_run", "report:not_run",
                                   "customers_out:not_run"])
        #expect(throws: BatonError.self) { try s.run { $0.select = ["by_country"] } }
        let (down, _) = try s.run { $0.select = ["customers+"] }
        #expect(down.statuses == ["orders:not_run", "customers:ran", "paid:not_run", "by_country:ran", "report:ran",
                                  "customers_out:ran"])
    }

    /// Stages named like SQL keywords work in declarative forms and checks (quoted in the SQL
    /// Baton writes), and union stacks stages.
    @Test func keywordStageNamesAndUnion() throws {
        let s = Scratch()
        s.write("data/customers.csv", shopCustomers)
        s.write("pipeline.yaml", """
            stages:
              order:
                source: data/customers.csv
              group:
                from: order
                filter: country = 'DE'
                checks:
                  - unique: id
              select:
                union: [order, group]
                aggregate:
                  by: [country]
                  measures:
                    n: count(*)
                sort: [country]
              out:
                sink: out.csv
                from: select

            """)
        let (report, _) = try s.run()
        #expect(report.succeeded)
        #expect(s.read("out.csv") == "country,n\nDE,4\nFR,1\n")
    }

    /// Under a small --memory-limit a sorting stage spills, reports it, and writes the same
    /// output as without a limit.
    @Test func stagesSpillUnderTheMemoryLimit() throws {
        func make() -> Scratch {
            let s = Scratch()
            var orders = "id,customer,amount\n"
            for i in 0..<60_000 { orders += "\(i),\(i % 97),\((i * 7919) % 10_007)\n" }
            s.write("data/orders.csv", orders)
            s.write("pipeline.yaml", """
                stages:
                  orders:
                    source: data/orders.csv
                  sorted:
                    from: orders
                    sort: [amount DESC, id]
                  out:
                    sink: out.csv
                    from: sorted

                """)
            return s
        }
        let free = make(), tight = make()
        let (unlimited, _) = try free.run()
        let (limited, _) = try tight.run {
            $0.limits = ResourceLimits(memory: 256 << 10, temporaryDirectory: tight.path)
            $0.concurrency = 1
        }
        #expect(unlimited.succeeded && limited.succeeded)
        #expect(unlimited.stages[1].spilledBytes == 0)
        #expect(limited.stages[1].spilledBytes > 0)
        #expect(tight.read("out.csv") == free.read("out.csv"))
        #expect(tight.read("out.csv")?.hasPrefix("id,customer,amount\n") == true)
        #expect(tight.read("out.csv")?.split(separator: "\n").count == 60_001)
    }

    /// A source with on_error: reject keeps its bad records aside in the workspace (line,
    /// offset, column, reason, raw record), counts them, and loads the rest.
    @Test func sourceRejectsGoToTheWorkspace() throws {
        let s = shop()
        s.write("data/orders.csv", "id,customer,amount\n1,1,10.5\n2,2,n/a\n3,1,4\n4,x,1\n")
        s.write("data/orders.schema.yaml", "columns:\n  - name: id\n    type: Int64\n  - name: customer\n    type: Int64\n  - name: amount\n    type: Float64\n")
        s.write("pipeline.yaml", shopPipeline.replacingOccurrences(of: "    source: data/orders.csv\n", with: """
                source: data/orders.csv
                options:
                  schema: data/orders.schema.yaml
                  on_error: reject
                  max_errors: 5

            """))
        let (report, _) = try s.run()
        #expect(report.succeeded)
        let orders = report.stages[0]
        #expect(orders.rowsIn == 4 && orders.rowsOut == 2 && orders.rejected == 2)
        #expect(s.read(".baton/shop/rejects/orders.csv") == #"""
            line,byte_offset,column,reason,record
            3,28,amount,"expected Float64, found ""n/a""","2,2,n/a"
            5,42,customer,"expected Int64, found ""x""","4,x,1"

            """#)
    }

    /// Arrow files as sinks (IPC file and stream) and as sources read in place.
    @Test func arrowSourcesAndSinks() throws {
        let s = shop()
        s.write("pipeline.yaml", shopPipeline + """
              paid_arrow:
                sink: out/paid.arrow
                from: paid
              paid_stream:
                sink: out/paid.arrows
                from: paid

            """)
        let (first, _) = try s.run()
        #expect(first.succeeded)
        s.write("second.yaml", """
            name: second
            stages:
              paid:
                source: out/paid.arrow
              streamed:
                source: out/paid.arrows
              both:
                sql: SELECT p.id, p.amount, s.customer FROM paid p JOIN streamed s USING (id) ORDER BY p.id
              out:
                sink: out/both.csv
                from: both

            """)
        let (second, _) = try s.run("second.yaml")
        #expect(second.succeeded)
        #expect(second.stages[0].rowsOut == 4)
        #expect(s.read("out/both.csv") == "id,amount,customer\n1,10.5,1\n2,20.0,2\n4,7.25,3\n5,2.75,2\n")
    }

    /// A dry run says what would run and touches nothing.
    @Test func dryRun() throws {
        let s = shop()
        let (report, events) = try s.run { $0.dryRun = true }
        #expect(report.statuses.allSatisfy { $0.hasSuffix(":not_run") })
        #expect(events.compactMap { $0["kind"] as? String }.allSatisfy { $0 == "would run: not run before" })
        #expect(!s.exists("out"))
    }

    /// A second run while one holds the workspace is refused with its own error kind.
    @Test func concurrentRunIsRefused() throws {
        let s = shop()
        let workspace = try Workspace(directory: s.path + "/.baton/shop")
        try workspace.lock()
        defer { workspace.unlock() }
        do {
            _ = try s.run()
            Issue.record("the run was not refused")
        } catch let error as BatonError {
            #expect(error.kind == .busy)
            #expect(error.message == "another run of this pipeline is in progress (process \(getpid()))")
        }
    }

    /// JSON progress: one started and one finished event per stage that ran, with metrics.
    @Test func jsonProgressEvents() throws {
        let s = shop()
        let (_, events) = try s.run()
        let started = events.filter { $0["event"] as? String == "stage_started" }.compactMap { $0["stage"] as? String }
        let finished = events.filter { $0["event"] as? String == "stage_finished" }
        #expect(Set(started) == ["orders", "customers", "paid", "by_country", "report", "customers_out"])
        #expect(finished.count == 6)
        let paid = finished.first { $0["stage"] as? String == "paid" }!
        #expect(paid["rows_in"] as? Int == 5)
        #expect(paid["rows_out"] as? Int == 4)
        #expect(paid["status"] as? String == "ran")
        #expect((paid["checks"] as? [[String: Any]])?.first?["check"] as? String == "not_null(customer)")
    }

    /// Every run appends one record to the run log.
    @Test func runLog() throws {
        let s = shop()
        _ = try s.run()
        _ = try s.run()
        let workspace = try Workspace(directory: s.path + "/.baton/shop")
        let runs = workspace.runs()
        #expect(runs.count == 2)
        #expect(runs.map { $0["status"] as? String } == ["succeeded", "succeeded"])
        let stages = runs[1]["stages"] as? [[String: Any]] ?? []
        #expect(stages.map { $0["status"] as? String } == Array(repeating: "skipped", count: 6))
    }

    /// Partitioned output: one file per value, renamed into place as a directory.
    @Test func partitionedSink() throws {
        let s = shop()
        s.write("pipeline.yaml", shopPipeline + """
              by_customer_country:
                sink: out/paid
                from: paid
                format: csv
                partition_by: customer
              customers_by_country:
                sink: out/customers
                from: customers
                partition_by: country
                format: csv

            """)
        let (report, _) = try s.run()
        #expect(report.succeeded)
        #expect(s.files(under: "out/paid") == ["customer=1.csv", "customer=2.csv", "customer=3.csv"])
        #expect(s.read("out/paid/customer=2.csv") == "id,customer,amount\n2,2,20.0\n5,2,2.75\n")
        #expect(s.files(under: "out/customers") == ["country=DE.csv", "country=FR.csv"])
        #expect(s.read("out/customers/country=DE.csv") == "id,country\n1,DE\n3,DE\n")
    }
}
