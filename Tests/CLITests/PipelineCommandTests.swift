import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct PipelineCommandTests {
    static let pipeline = """
        name: shop
        stages:
          orders:
            source: orders.csv
          paid:
            from: orders
            filter: amount > 0
            checks:
              - expression: amount < 100
          report:
            sink: out/paid.csv
            from: paid

        """

    func shop() -> Workspace {
        let w = Workspace()
        w.write(Array(Self.pipeline.utf8), "pipeline.yaml")
        w.write(Array("id,amount\n1,10\n2,0\n3,30\n".utf8), "orders.csv")
        return w
    }

    @Test func validateRunAndExitCodes() throws {
        let w = shop()
        let validate = try w.run("validate", "pipeline.yaml")
        #expect(validate.status == 0)
        #expect(validate.stdout == "pipeline.yaml: 3 stages, no problems\n")
        let run = try w.run("run", "pipeline.yaml", "--progress", "plain")
        #expect(run.status == 0)
        #expect(String(decoding: w.bytes("out/paid.csv"), as: UTF8.self) == "id,amount\n1,10\n3,30\n")
        #expect(run.stderr.contains("paid: ran in "))
        #expect(run.stderr.contains("\nsucceeded in "))

        // A failed check: exit code 13, the message names the stage and the check.
        w.write(Array("id,amount\n1,10\n2,0\n3,300\n".utf8), "orders.csv")
        let failed = try w.run("run", "pipeline.yaml", "--progress", "none")
        #expect(failed.status == 13)
        #expect(failed.stderr.hasPrefix("baton: error: stage paid: check expression(amount < 100) failed: 1 failing row"))
        #expect(String(decoding: w.bytes("out/paid.csv"), as: UTF8.self) == "id,amount\n1,10\n3,30\n")

        // An invalid pipeline: exit code 12, every problem with its line.
        w.write(Array(Self.pipeline.replacingOccurrences(of: "amount > 0", with: "amont > 0").utf8), "pipeline.yaml")
        let invalid = try w.run("validate", "pipeline.yaml")
        #expect(invalid.status == 12)
        #expect(invalid.stderr.hasPrefix("baton: error: 1 problem in the pipeline:\npipeline.yaml:5: stage paid: in the SQL built from its keys"))
    }

    /// A pipeline named by a relative path in another directory: its paths are taken from
    /// its own directory, and its workspace sits beside it.
    @Test func pipelineInAnotherDirectory() throws {
        let w = Workspace()
        try FileManager.default.createDirectory(atPath: w.path + "/etl", withIntermediateDirectories: true)
        w.write(Array(Self.pipeline.utf8), "etl/pipeline.yaml")
        w.write(Array("id,amount\n1,10\n2,0\n3,30\n".utf8), "etl/orders.csv")
        let run = try w.run("run", "etl/pipeline.yaml", "--progress", "none")
        #expect(run.status == 0)
        #expect(String(decoding: w.bytes("etl/out/paid.csv"), as: UTF8.self) == "id,amount\n1,10\n3,30\n")
        #expect(FileManager.default.fileExists(atPath: w.path + "/etl/.baton/shop/stages/paid.baton"))
        let plan = try w.run("plan", "etl/pipeline.yaml")
        #expect(plan.status == 0)
        #expect(plan.stdout.hasPrefix("pipeline shop: 3 stages\n\n1. orders (source)\n   Read CSV etl/orders.csv → workspace, as a Baton file\n"))
    }

    /// `baton stage --pipeline`: standard input is the table input of the pipeline's
    /// transforms (with its sources and checks); the output stage's rows go to stdout.
    @Test func stageRunsAPipelineOverStandardInput() throws {
        let w = Workspace()
        w.write(Array("""
            stages:
              dims:
                source: dims.csv
              big:
                from: input
                filter: v > 1
                checks:
                  - not_null: k
              summary:
                sql: SELECT d.label, count(*) AS n, sum(b.v) AS s FROM big b JOIN dims d USING (k) GROUP BY d.label ORDER BY d.label

            """.utf8), "p.yaml")
        w.write(Array("k,label\n1,one\n2,two\n".utf8), "dims.csv")
        let ok = try CLI.run(["stage", "--pipeline", "p.yaml", "--format", "csv"], in: w.path,
                             stdin: Array("k,v\n1,5\n2,1\n2,7\n1,3\n".utf8))
        #expect(ok.status == 0)
        #expect(ok.stdout == "label,n,s\none,2,8\ntwo,1,7\n")
        let big = try CLI.run(["stage", "--pipeline", "p.yaml", "--output-stage", "big", "--format", "csv"], in: w.path,
                              stdin: Array("k,v\n1,5\n2,1\n".utf8))
        #expect(big.stdout == "k,v\n1,5\n")
        let failed = try CLI.run(["stage", "--pipeline", "p.yaml", "--format", "csv"], in: w.path, stdin: Array("k,v\n1,5\n,2\n".utf8))
        #expect(failed.status == 13)
        #expect(failed.stdout.isEmpty)
        #expect(failed.stderr == "baton: error: stage big: check not_null(k) failed: 1 failing row (hint: failing rows: ,2)\n")
        #expect(w.files == ["dims.csv", "p.yaml"])
    }

    /// A run while another holds the workspace: exit code 14, nothing written.
    @Test func concurrentRunRefused() throws {
        let w = shop()
        try FileManager.default.createDirectory(atPath: w.path + "/.baton/shop/stages", withIntermediateDirectories: true)
        let fd = open(w.path + "/.baton/shop/lock", O_RDWR | O_CREAT, 0o644)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        defer { close(fd) }
        let run = try w.run("run", "pipeline.yaml")
        #expect(run.status == 14)
        #expect(run.stderr.contains("another run of this pipeline is in progress"))
        #expect(!w.files.contains("out"))
    }

    /// --progress json: every line of stderr is a JSON event.
    @Test func jsonProgress() throws {
        let w = shop()
        let run = try w.run("run", "pipeline.yaml", "--progress", "json")
        #expect(run.status == 0)
        let events = run.stderr.split(separator: "\n").map { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
        #expect(events.allSatisfy { $0 != nil })
        #expect(events.compactMap { $0?["event"] as? String }.filter { $0 == "stage_finished" }.count == 3)
    }

    /// A run killed (SIGKILL) in the middle of a stage resumes: the stage that had finished
    /// is not run again, the killed one and those after it run, and nothing is left behind.
    @Test func killedRunResumes() throws {
        let w = Workspace()
        w.write(Array("""
            name: resume
            stages:
              first:
                source: first.csv
              streamed:
                source: "-"
                options:
                  schema: streamed.schema.yaml
                  sample_size: 16
              joined:
                sql: SELECT f.k, s.v FROM first f JOIN streamed s USING (k) ORDER BY f.k
              out:
                sink: out.csv
                from: joined

            """.utf8), "pipeline.yaml")
        w.write(Array("k\n1\n2\n3\n".utf8), "first.csv")
        w.write(Array("""
            dialect:
              delimiter: ","
              header: true
            columns:
              - name: k
                type: Int64
              - name: v
                type: String

            """.utf8), "streamed.schema.yaml")
        let stages = w.path + "/.baton/resume/stages"

        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.executable)
        process.arguments = ["run", "pipeline.yaml", "--jobs", "1", "--progress", "none"]
        process.currentDirectoryURL = URL(fileURLWithPath: w.path)
        let input = Pipe()
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Half of the streamed input, and the pipe left open: the stage waits mid-read.
        input.fileHandleForWriting.write(Data("k,v\n1,one\n2,two\n".utf8))
        var waited = 0
        func inProgress() -> Bool {
            ((try? FileManager.default.contentsOfDirectory(atPath: stages)) ?? []).contains { $0.hasPrefix(".streamed.baton.tmp-") }
        }
        while !inProgress() && waited < 1000 {
            usleep(10_000)
            waited += 1
        }
        #expect(inProgress())
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(!w.files.contains("out.csv"))

        let resumed = try CLI.run(["run", "pipeline.yaml", "--jobs", "1", "--progress", "plain"], in: w.path,
                                  stdin: Array("k,v\n1,one\n3,three\n".utf8))
        #expect(resumed.status == 0)
        #expect(resumed.stderr.contains("first: skipped (unchanged)"))
        #expect(resumed.stderr.contains("streamed: ran in "))
        #expect(String(decoding: w.bytes("out.csv"), as: UTF8.self) == "k,v\n1,one\n3,three\n")
        let left = try FileManager.default.contentsOfDirectory(atPath: stages).sorted()
        #expect(left == ["first.baton", "joined.baton", "streamed.baton"])
    }
}
