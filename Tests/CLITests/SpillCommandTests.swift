import Foundation
import Testing

/// `--memory-limit`, `--temp-dir` and `--max-temp-size`, run as a user would: the same output
/// as an unlimited run, a summary of what spilled on stderr, distinct exit codes for the disk
/// cap and for a budget no spill can meet, and an empty temp directory afterwards.
@Suite struct SpillCommandTests {
    static func workspace() throws -> Workspace {
        let w = Workspace()
        _ = try w.run("generate", "groupby", "--rows", "100000", "--groups", "2000", "--output", "g.csv")
        try FileManager.default.createDirectory(atPath: w.path + "/tmp", withIntermediateDirectories: false)
        return w
    }

    @Test func spilledQueriesPrintWhatAnUnlimitedRunPrints() throws {
        let w = try Self.workspace()
        for sql in ["SELECT id3, count(*) AS n, sum(v1) AS s, min(id1) AS m FROM 'g.csv' GROUP BY id3 ORDER BY id3",
                    "SELECT id1, id4, v3 FROM 'g.csv' ORDER BY id1 DESC, v3, id4",
                    "SELECT DISTINCT id2, id5 FROM 'g.csv' ORDER BY id2, id5"] {
            let free = try w.run("query", sql, "--memory-limit", "unlimited")
            let tight = try w.run("query", sql, "--memory-limit", "1MB", "--temp-dir", "tmp")
            #expect(free.status == 0 && tight.status == 0)
            #expect(tight.stdout == free.stdout)
            #expect(free.stderr == "")
            #expect(tight.stderr.hasPrefix("spilled: "))
            #expect(tight.stderr.contains("of the 1 MiB limit; peak temporary disk"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: w.path + "/tmp").isEmpty)
        }
    }

    @Test func explainAnalyzeShowsSpillsPerOperator() throws {
        let w = try Self.workspace()
        let result = try w.run("explain", "--analyze", "SELECT id3, sum(v1) AS s FROM 'g.csv' GROUP BY id3",
                               "--memory-limit", "1MB", "--temp-dir", "tmp")
        #expect(result.status == 0)
        let aggregate = result.stdout.split(separator: "\n").first { $0.contains("HashAggregate keys=[id3]") }
        #expect(aggregate?.contains(" spilled=") == true)
        #expect(aggregate?.hasSuffix(" files]") == true)
        #expect(result.stdout.contains("\npeak memory "))
    }

    @Test func diskCapAndImpossibleBudgetHaveTheirOwnExitCodes() throws {
        let w = try Self.workspace()
        let capped = try w.run("query", "SELECT * FROM 'g.csv' ORDER BY id3", "--memory-limit", "1MB", "--temp-dir", "tmp",
                               "--max-temp-size", "100KB")
        #expect(capped.status == 16)
        #expect(capped.stderr.hasPrefix("baton: error: tmp: Sort needs "))
        #expect(capped.stderr.contains("of the 100 KiB allowed by --max-temp-size (hint: raise --max-temp-size"))
        let starved = try w.run("query", "SELECT id3, count(*) FROM 'g.csv' GROUP BY id3", "--memory-limit", "2KB", "--temp-dir", "tmp")
        #expect(starved.status == 15)
        #expect(starved.stderr.hasPrefix("baton: error: HashAggregate[partition "))
        #expect(starved.stderr.contains("of the 2 KiB memory limit is free (hint: raise --memory-limit"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: w.path + "/tmp").isEmpty)
        let bad = try w.run("query", "SELECT 1", "--memory-limit", "lots")
        #expect(bad.status == 64)
        #expect(bad.stderr.hasPrefix("Error: --memory-limit: not a size, a percentage or \"unlimited\", found \"lots\""))
    }

    @Test func sigtermMidSpillLeavesNothingBehind() throws {
        let w = try Self.workspace()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.executable)
        process.arguments = ["query", "SELECT * FROM 'g.csv' ORDER BY id3, v3", "--memory-limit", "1MB", "--temp-dir", "tmp",
                             "--threads", "1"]
        process.currentDirectoryURL = URL(fileURLWithPath: w.path)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(300_000)
        process.terminate()
        process.waitUntilExit()
        #expect(try FileManager.default.contentsOfDirectory(atPath: w.path + "/tmp").isEmpty)
    }
}
