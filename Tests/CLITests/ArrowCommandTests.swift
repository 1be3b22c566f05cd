import Foundation
import Testing

/// `baton stage`, and Arrow files through convert, cat and query, run as the real executable.
@Suite struct ArrowCommandTests {
    static let people = "id,name,born\n1,Ann,1990-05-01\n2,,\n3,Cid,2001-12-31\n"

    @Test func stageReadsCSVOnStdinAndWritesCSV() throws {
        let w = Workspace()
        let result = try CLI.run(["stage", "SELECT id * 10 AS id, name FROM input WHERE id <> 2", "--format", "csv"],
                                 in: w.path, stdin: Array(Self.people.utf8))
        #expect(result.status == 0)
        #expect(result.stdout == "id,name\n10,Ann\n30,Cid\n")
        #expect(result.stderr == "")
    }

    @Test func stageReadsAnArrowStream() throws {
        let w = Workspace()
        w.write(Array(Self.people.utf8), "people.csv")
        #expect(try w.run("convert", "people.csv", "people.arrows").status == 0)
        let stream = w.bytes("people.arrows")
        #expect(Array(stream.prefix(4)) == [0xFF, 0xFF, 0xFF, 0xFF])
        let result = try CLI.run(["stage", "SELECT name, born FROM input ORDER BY id DESC", "--format", "csv"], in: w.path, stdin: stream)
        #expect(result.status == 0)
        #expect(result.stdout == "name,born\nCid,2001-12-31\n,\nAnn,1990-05-01\n")
        #expect(result.stderr == "")
        // An IPC file on stdin (Baton writes its dictionaries after the batches): read via its footer.
        #expect(try w.run("convert", "people.csv", "people.arrow").status == 0)
        let file = try CLI.run(["stage", "SELECT name FROM input WHERE id > 1", "--format", "csv"], in: w.path, stdin: w.bytes("people.arrow"))
        #expect(file.status == 0)
        #expect(file.stdout == "name\n\nCid\n")
    }

    @Test func stageOnEmptyInput() throws {
        let w = Workspace()
        let count = try CLI.run(["stage", "SELECT count(*) AS n FROM input", "--format", "csv"], in: w.path, stdin: [])
        #expect(count.stdout == "n\n0\n")
        let unknown = try CLI.run(["stage", "SELECT id FROM input"], in: w.path, stdin: [])
        #expect(unknown.status == 2)
        #expect(unknown.stdout == "")
        #expect(unknown.stderr == """
            baton: error: standard input is empty, so table input has no columns: no column named "id" at line 1, column 8
              SELECT id FROM input
                     ^^ (hint: declare the input's columns with --schema FILE (see baton schema --lock))

            """)
        w.write(Array("columns:\n  - name: id\n    type: Int64\n".utf8), "schema.yaml")
        let declared = try CLI.run(["stage", "SELECT id FROM input", "--schema", "schema.yaml", "--format", "csv"], in: w.path, stdin: [])
        #expect(declared.status == 0)
        #expect(declared.stdout == "id\n")
    }

    @Test func stageRejectsADamagedStream() throws {
        let w = Workspace()
        let result = try CLI.run(["stage", "SELECT * FROM input"], in: w.path,
                                 stdin: [0xFF, 0xFF, 0xFF, 0xFF, 0x10, 0, 0, 0] + Array("abcdefgh".utf8))
        #expect(result.status == 7)
        #expect(result.stdout == "")
        #expect(result.stderr == "baton: error: <stdin>: message 0 at byte 0: the input ends inside the 16-byte metadata (hint: the producer stopped mid-stream or the data was cut; check the upstream process)\n")
    }

    @Test func arrowFilesThroughConvertCatAndQuery() throws {
        let w = Workspace()
        w.write(Array(Self.people.utf8), "people.csv")
        for (name, codec) in [("people.arrow", "none"), ("people.feather", "lz4"), ("people.arrows", "zstd")] {
            let convert = try w.run("convert", "people.csv", name, "--codec", codec)
            #expect(convert.status == 0)
            let cat = try w.run("cat", name)
            #expect(cat.stdout == Self.people)
            let query = try w.run("query", "SELECT count(name) AS named, max(born) AS last FROM '\(name)'")
            #expect(query.stdout == "named,last\n2,2001-12-31\n")
        }
        #expect(Array(w.bytes("people.arrow").prefix(6)) == Array("ARROW1".utf8))
        #expect(Array(w.bytes("people.arrows").prefix(4)) == [0xFF, 0xFF, 0xFF, 0xFF])
        let back = try w.run("convert", "people.feather", "back.csv")
        #expect(back.status == 0)
        #expect(back.stderr == "read 3 rows from people.feather\n")
        #expect(w.bytes("back.csv") == Array(Self.people.utf8))
    }

    @Test func pipelineReadsAndWritesArrow() throws {
        let w = Workspace()
        w.write(Array(Self.people.utf8), "people.csv")
        #expect(try w.run("convert", "people.csv", "people.feather", "--codec", "zstd").status == 0)
        w.write(Array("""
            name: arrows
            stages:
              people:
                source: people.feather
                options:
                  columns: [id, name]
              named:
                sql: SELECT id, upper(name) AS name FROM people WHERE name IS NOT NULL
              out:
                sink: out.arrows
                from: named

            """.utf8), "p.yaml")
        let run = try w.run("run", "p.yaml", "--progress", "none")
        #expect(run.status == 0)
        #expect(Array(w.bytes("out.arrows").prefix(4)) == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try w.run("cat", "out.arrows").stdout == "id,name\n1,ANN\n3,CID\n")
    }
}
