import Foundation
import Testing

/// Runs the real `baton` executable and compares stdout, stderr and the exit code.
struct CLI {
    static let executable: String = {
        // The test bundle sits beside the products of the same build.
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundleDir.appendingPathComponent("baton").path,
                          bundleDir.deletingLastPathComponent().appendingPathComponent("baton").path] {
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/baton").path
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    @discardableResult
    static func run(_ arguments: [String], in directory: String, stdin: [UInt8]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            let writer = input.fileHandleForWriting
            DispatchQueue.global().async {
                writer.write(Data(stdin))
                try? writer.close()
            }
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }
}

final class Workspace {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "baton-cli-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    func run(_ arguments: String...) throws -> CLI.Result { try CLI.run(arguments, in: path) }
    func bytes(_ name: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path + "/" + name) ?? Data()) }
    func write(_ bytes: [UInt8], _ name: String) { FileManager.default.createFile(atPath: path + "/" + name, contents: Data(bytes)) }
    var files: [String] { (try? FileManager.default.contentsOfDirectory(atPath: path).sorted()) ?? [] }
}

@Suite struct CLITests {
    @Test func generateWritesTheSameRowsAsCSVAndBaton() throws {
        let w = Workspace()
        let baton = try w.run("generate", "groupby", "--rows", "5000", "--groups", "10", "--nas", "2", "--output", "g.baton")
        #expect(baton.status == 0)
        #expect(baton.stderr.hasPrefix("wrote 5000 rows in 1 row group"))
        let csv = try w.run("generate", "groupby", "--rows", "5000", "--groups", "10", "--nas", "2", "--output", "g.csv")
        #expect(csv.status == 0)
        #expect(csv.stderr.hasPrefix("wrote 5000 rows to g.csv"))
        let cat = try w.run("cat", "g.baton")
        #expect(cat.status == 0)
        #expect(Array(cat.stdout.utf8) == w.bytes("g.csv"))
        #expect(w.files == ["g.baton", "g.csv"])
    }

    @Test func catProjectsLimitsAndFormats() throws {
        let w = Workspace()
        _ = try w.run("generate", "groupby", "--rows", "100000", "--output", "g.baton")
        let csv = try w.run("cat", "g.baton", "--columns", "v3,id1", "--limit", "2")
        #expect(csv.stdout == "v3,id1\n60.4671,id039\n41.7736,id006\n")
        let jsonl = try w.run("cat", "g.baton", "--columns", "id4,v3", "--limit", "1", "--format", "jsonl")
        #expect(jsonl.stdout == "{\"id4\":57,\"v3\":60.4671}\n")
        let none = try w.run("cat", "g.baton", "--limit", "0", "--no-output-header")
        #expect(none.stdout == "" && none.status == 0)
    }

    @Test func whereReportsSkippedRowGroups() throws {
        let w = Workspace()
        _ = try w.run("generate", "groupby", "--rows", "3000", "--groups", "10", "--row-group-size", "1000", "--output", "g.baton")
        let all = try w.run("cat", "g.baton", "--where", "id4 = 3", "--stats", "--columns", "id4")
        #expect(all.status == 0)
        let matches = all.stdout.split(separator: "\n").dropFirst()
        #expect(matches.allSatisfy { $0 == "3" })
        #expect(all.stderr.hasPrefix("row groups: 3 read, 0 skipped by statistics; rows: 3000 read, \(matches.count) returned"))
        let none = try w.run("cat", "g.baton", "--where", "v1 > 5", "--stats")
        #expect(none.stdout == "id1,id2,id3,id4,id5,id6,v1,v2,v3\n")
        #expect(none.stderr == "row groups: 0 read, 3 skipped by statistics; rows: 0 read, 0 returned; bytes read: 0\n")
    }

    @Test func inspectShowsSchemaEncodingsAndStatistics() throws {
        let w = Workspace()
        _ = try w.run("generate", "groupby", "--rows", "2000", "--groups", "10", "--row-group-size", "1000", "--output", "g.baton")
        let result = try w.run("inspect", "g.baton")
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("rows: 2000 in 2 row groups"))
        #expect(lines.contains { $0.hasPrefix("v1      Int64    yes       0      15.6 KiB") })
        #expect(lines.contains { $0.hasPrefix("0      id4     bitpacked") && $0.hasSuffix("1             10") })
        #expect(lines.contains { $0.hasPrefix("1      v3      decimal") })
    }

    @Test func errorsHaveDistinctExitCodesAndMessages() throws {
        let w = Workspace()
        _ = try w.run("generate", "groupby", "--rows", "1000", "--output", "g.baton")
        let good = w.bytes("g.baton")

        let missing = try w.run("cat", "missing.baton")
        #expect(missing.status == 3)
        #expect(missing.stderr == "baton: error: missing.baton: no such file (hint: check the path)\n")

        w.write(Array("a,b\n1,2\n".utf8), "data.csv")
        let foreign = try w.run("inspect", "data.csv")
        #expect(foreign.status == 4)
        #expect(foreign.stderr.hasPrefix("baton: error: data.csv: not a Baton file"))

        var future = good
        future[good.count - 8] = 9
        w.write(future, "future.baton")
        let newer = try w.run("cat", "future.baton")
        #expect(newer.status == 5)
        #expect(newer.stderr == "baton: error: future.baton: written in format version 9; this baton 0.1.0 reads up to version 1 (hint: upgrade baton)\n")

        var damaged = good
        damaged[20] ^= 0xFF  // inside the first chunk: row group 0, column id1
        w.write(damaged, "damaged.baton")
        let checksum = try w.run("cat", "damaged.baton")
        #expect(checksum.status == 6)
        #expect(checksum.stderr == "baton: error: damaged.baton: row group 0: column \"id1\": chunk checksum mismatch: the file is damaged (hint: restore the file from its source or write it again)\n")

        w.write(Array(good.prefix(good.count / 2)), "cut.baton")
        let truncated = try w.run("cat", "cut.baton")
        #expect(truncated.status == 7)
        #expect(truncated.stderr.hasPrefix("baton: error: cut.baton: file is cut short"))

        let badColumn = try w.run("cat", "g.baton", "--columns", "id1,nope")
        #expect(badColumn.status == 2)
        #expect(badColumn.stderr == "baton: error: g.baton: no column named \"nope\" (hint: the columns are: id1, id2, id3, id4, id5, id6, v1, v2, v3)\n")

        let badCodec = try w.run("generate", "groupby", "--rows", "10", "--codec", "brotli", "--output", "x.baton")
        #expect(badCodec.status == 2)
        #expect(badCodec.stderr == "baton: error: unknown codec, found \"brotli\" (hint: use auto, none, lz4, zstd or zstd:LEVEL)\n")

        let badExtension = try w.run("generate", "groupby", "--rows", "10", "--output", "x.parquet")
        #expect(badExtension.status == 2)
        #expect(!w.files.contains("x.parquet") && !w.files.contains("x.baton"))
    }

    @Test func failedGenerateLeavesNoFile() throws {
        let w = Workspace()
        let result = try w.run("generate", "groupby", "--rows", "10", "--output", "no-such-dir/g.baton")
        #expect(result.status == 9)
        #expect(result.stderr == "baton: error: no-such-dir/g.baton: the directory does not exist (hint: create it first)\n")
        #expect(w.files.isEmpty)
    }
}

@Suite struct InterruptTests {
    /// A generate killed by SIGTERM mid-write leaves neither the output nor a temporary file.
    @Test func terminatedWriteLeavesNothing() throws {
        let w = Workspace()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.executable)
        process.arguments = ["generate", "groupby", "--rows", "20000000", "--output", "big.baton"]
        process.currentDirectoryURL = URL(fileURLWithPath: w.path)
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until the temporary file exists, so the signal lands mid-write.
        var waited = 0
        while !w.files.contains(where: { $0.hasPrefix(".big.baton.tmp-") }) && waited < 500 {
            usleep(10_000)
            waited += 1
        }
        #expect(w.files.contains { $0.hasPrefix(".big.baton.tmp-") })
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 128 + SIGTERM)
        #expect(w.files.isEmpty)
    }
}
