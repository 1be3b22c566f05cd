import Foundation
import Testing

/// `baton convert`, `baton schema` and `baton cat` on CSV input, run as a user would.
@Suite struct CSVCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/csv").path

    @Test func raggedRowFailsWithLineAndHint() throws {
        let w = Workspace()
        let result = try w.run("cat", Self.fixtures + "/errors/ragged_rows.csv")
        #expect(result.status == 10)
        #expect(result.stderr == "baton: error: \(Self.fixtures)/errors/ragged_rows.csv:3: expected 2 fields, found 1 (hint: check --delimiter and --quote, or --on-error skip)\n")
    }

    @Test func declaredTypeMismatchNamesColumnAndText() throws {
        let w = Workspace()
        w.write(Array("columns:\n  - name: fare\n    type: Float64\n  - name: city\n    type: String\n".utf8), "fare.yaml")
        let result = try w.run("convert", Self.fixtures + "/errors/bad_value_with_schema.csv", "out.baton", "--schema", "fare.yaml")
        #expect(result.status == 10)
        #expect(result.stderr == "baton: error: \(Self.fixtures)/errors/bad_value_with_schema.csv:3: column \"fare\": expected Float64, found \"n/a\" (hint: --null n/a, or --on-error skip)\n")
        #expect(!w.files.contains("out.baton"))
        // The hint works.
        let fixed = try w.run("convert", Self.fixtures + "/errors/bad_value_with_schema.csv", "out.jsonl", "--schema", "fare.yaml", "--null", "n/a")
        #expect(fixed.status == 0)
        #expect(String(decoding: w.bytes("out.jsonl"), as: UTF8.self)
            == "{\"fare\":12.5,\"city\":\"Oslo\"}\n{\"fare\":null,\"city\":\"Bergen\"}\n{\"fare\":7.0,\"city\":\"Molde\"}\n")
    }

    @Test func rejectsFileListsLineOffsetReasonAndRecord() throws {
        let w = Workspace()
        let result = try w.run("convert", Self.fixtures + "/errors/ragged_rows.csv", "out.csv", "--on-error", "reject=rejects.csv")
        #expect(result.status == 0)
        #expect(result.stderr == "read 2 rows from \(Self.fixtures)/errors/ragged_rows.csv, rejected 2, widened none\n")
        #expect(String(decoding: w.bytes("rejects.csv"), as: UTF8.self) == """
            line,byte_offset,column,reason,record
            3,8,"","expected 2 fields, found 1",3
            4,10,"","expected 2 fields, found 3","4,5,6"

            """)
        #expect(String(decoding: w.bytes("out.csv"), as: UTF8.self) == "a,b\n1,2\n7,8\n")
    }

    @Test func maxErrorsFailsWithItsOwnExitCode() throws {
        let w = Workspace()
        let count = try w.run("convert", Self.fixtures + "/errors/ragged_rows.csv", "out.csv", "--on-error", "skip", "--max-errors", "1")
        #expect(count.status == 11)
        #expect(count.stderr.hasSuffix("more than 1 records were rejected (the last at line 4) (hint: fix the input, or raise --max-errors)\n"))
        let ratio = try w.run("convert", Self.fixtures + "/errors/ragged_rows.csv", "out.csv", "--on-error", "skip", "--max-errors", "10%")
        #expect(ratio.status == 11)
        #expect(ratio.stderr.hasSuffix("2 of 4 records were rejected, more than the 10% allowed (hint: fix the input, or raise --max-errors)\n"))
        #expect(w.files.isEmpty)
        let enough = try w.run("convert", Self.fixtures + "/errors/ragged_rows.csv", "out.csv", "--on-error", "skip", "--max-errors", "50%")
        #expect(enough.status == 0)
    }

    @Test func schemaLockThenReadAsDeclared() throws {
        let w = Workspace()
        let shown = try w.run("schema", Self.fixtures + "/types/every_type.csv", "--lock", "types.yaml")
        #expect(shown.status == 0)
        #expect(shown.stdout == """
            delimiter ',', quote '"', escape '"', header yes, null ''
            column  type
            a       Bool
            b       Int64
            c       Date
            d       Float64

            """)
        #expect(String(decoding: w.bytes("types.yaml"), as: UTF8.self).contains("type: Float64"))
        // A file where b holds text: with the locked schema that is a bad record, not a widening.
        w.write(Array("a,b,c,d\ntrue,x,2024-01-01,1\n".utf8), "later.csv")
        let later = try w.run("cat", "later.csv", "--schema", "types.yaml")
        #expect(later.status == 10)
        #expect(later.stderr == "baton: error: later.csv:2: column \"b\": expected Int64, found \"x\" (hint: --null x, or --on-error skip)\n")
    }

    @Test func convertRoundTripsCSVThroughBaton() throws {
        let w = Workspace()
        _ = try w.run("generate", "groupby", "--rows", "3000", "--nas", "5", "--output", "g.csv")
        let toBaton = try w.run("convert", "g.csv", "g.baton", "--threads", "3")
        #expect(toBaton.status == 0)
        #expect(toBaton.stderr == "read 3000 rows from g.csv, rejected 0, widened none\n")
        let back = try w.run("convert", "g.baton", "-")
        #expect(Array(back.stdout.utf8) == w.bytes("g.csv"))
    }

    @Test func stdinAndCompressedInput() throws {
        let w = Workspace()
        _ = try w.run("generate", "groupby", "--rows", "2000", "--output", "g.csv")
        for (tool, name) in [("gzip", "g.csv.gz"), ("zstd", "g.csv.zst"), ("lz4", "g.csv.lz4")] {
            let compress = Process()
            compress.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            compress.arguments = [tool, "-q", "-k", "-c", w.path + "/g.csv"]
            let out = FileManager.default.createFile(atPath: w.path + "/" + name, contents: nil)
            #expect(out)
            compress.standardOutput = FileHandle(forWritingAtPath: w.path + "/" + name)
            try compress.run()
            compress.waitUntilExit()
            let result = try w.run("cat", name)
            #expect(result.status == 0, "\(name): \(result.stderr)")
            #expect(Array(result.stdout.utf8) == w.bytes("g.csv"), "\(name)")
        }
        let piped = try CLI.run(["cat", "-", "--limit", "2", "--columns", "id1,v3"], in: w.path, stdin: w.bytes("g.csv.gz"))
        #expect(piped.status == 0)
        #expect(piped.stdout == "id1,v3\nid039,60.4671\nid006,41.7736\n")
    }

    @Test func catFiltersCSVRows() throws {
        let w = Workspace()
        w.write(Array("city,pop\nOslo,709000\nBergen,291000\nMolde,32000\n".utf8), "c.csv")
        let result = try w.run("cat", "c.csv", "--where", "pop > 100000", "--columns", "city", "--format", "jsonl")
        #expect(result.status == 0)
        #expect(result.stdout == "{\"city\":\"Oslo\"}\n{\"city\":\"Bergen\"}\n")
    }

    @Test func lateWideningIsReported() throws {
        let w = Workspace()
        var text = "n\n"
        for i in 0..<200_000 { text += "\(i)\n" }
        text += "2.5\n"
        w.write(Array(text.utf8), "late.csv")
        let result = try w.run("convert", "late.csv", "late.baton")
        #expect(result.status == 0)
        #expect(result.stderr.contains("widened column \"n\" from Int64 to Float64 at line 200002 (found \"2.5\")"))
        let tail = try w.run("cat", "late.baton", "--where", "n < 2.6")
        #expect(tail.stdout == "n\n0.0\n1.0\n2.0\n2.5\n")
    }
}

@Suite struct CSVGlobTests {
    @Test func globReadsFilesInNameOrderAndChecksHeaders() throws {
        let w = Workspace()
        w.write(Array("a,b\n1,x\n".utf8), "p1.csv")
        w.write(Array("a,b\n2,y\n3,z\n".utf8), "p2.csv")
        let both = try w.run("cat", "p*.csv", "--format", "jsonl")
        #expect(both.status == 0)
        #expect(both.stdout == "{\"a\":1,\"b\":\"x\"}\n{\"a\":2,\"b\":\"y\"}\n{\"a\":3,\"b\":\"z\"}\n")
        w.write(Array("a,c\n4,w\n".utf8), "p3.csv")
        let mismatch = try w.run("cat", "p*.csv")
        #expect(mismatch.status == 2)
        #expect(mismatch.stderr == "baton: error: p3.csv:1: the header differs from the first file's (a,b), found \"a,c\" (hint: a pattern must name files with the same columns)\n")
        let none = try w.run("cat", "q*.csv")
        #expect(none.status == 3)
    }
}

@Suite struct CSVOutputOptionTests {
    @Test func delimiterNullAndHeaderOfCSVOutput() throws {
        let w = Workspace()
        w.write(Array("a,b\n1,\n2,NULL\n3,\"\"\n".utf8), "n.csv")
        let result = try w.run("convert", "n.csv", "-", "--output-delimiter", ";", "--output-null", "NULL", "--no-output-header")
        #expect(result.status == 0)
        // The null is NULL; the text "NULL" and the empty string are quoted so they read back as text.
        #expect(result.stdout == "1;NULL\n2;\"NULL\"\n3;\n")
        w.write(Array(result.stdout.utf8), "out.csv")
        let back = try w.run("cat", "out.csv", "--no-header", "--delimiter", ";", "--null", "NULL", "--format", "jsonl")
        #expect(back.stdout == "{\"column1\":1,\"column2\":null}\n{\"column1\":2,\"column2\":\"NULL\"}\n{\"column1\":3,\"column2\":\"\"}\n")
    }
}

@Suite struct CSVRecordLimitTests {
    /// An unclosed quote would make the rest of the file one field: memory stays bounded and
    /// the error points at the line where the record starts.
    @Test func unbalancedQuoteHitsTheRecordLimit() throws {
        let w = Workspace()
        var text = "a,b\n1,\"oops\n"
        for i in 0..<1_500_000 { text += "\(i),x\n" }
        w.write(Array(text.utf8), "unbalanced.csv")
        let result = try w.run("convert", "unbalanced.csv", "out.baton", "--max-record-size", "1")
        #expect(result.status == 10)
        #expect(result.stderr == "baton: error: unbalanced.csv:2: a record is longer than 1 MiB (hint: check --quote (an unbalanced quote makes the rest of the file one field), or raise --max-record-size)\n")
        #expect(!w.files.contains("out.baton"))
    }
}

/// Regressions found in review: each once gave a wrong answer.
@Suite struct CSVReviewRegressionTests {
    /// A widening after rows went out restarts the output file and the rejects file alike.
    @Test func restartResetsRejectsAndTextOutput() throws {
        let w = Workspace()
        var text = "id,v\n1,2\n3\n"
        for i in 0..<1_200_000 { text += i == 1_150_000 ? "\(i),x7\n" : "\(i),\(i)\n" }
        w.write(Array(text.utf8), "big.csv")
        let result = try w.run("convert", "big.csv", "big.jsonl", "--on-error", "reject=rej.csv")
        #expect(result.status == 0)
        #expect(result.stderr.contains("widened column \"v\" from Int64 to String at line 1150004"))
        #expect(result.stderr.contains("re-read the input 1 time"))
        #expect(String(decoding: w.bytes("rej.csv"), as: UTF8.self) == "line,byte_offset,column,reason,record\n3,9,\"\",\"expected 2 fields, found 1\",3\n")
        let lines = String(decoding: w.bytes("big.jsonl"), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 1_200_001)
        #expect(lines[0] == "{\"id\":1,\"v\":\"2\"}")
        #expect(lines[1] == "{\"id\":0,\"v\":\"0\"}")
    }

    @Test func oneColumnFileWithLeadingBlankLineKeepsItsHeader() throws {
        let w = Workspace()
        w.write(Array("\nname\nalice\n\nbob\n".utf8), "names.csv")
        let result = try w.run("cat", "names.csv", "--format", "jsonl")
        #expect(result.stdout == "{\"name\":\"alice\"}\n{\"name\":null}\n{\"name\":\"bob\"}\n")
    }

    @Test func underflowIsNotSilentlyZero() throws {
        let w = Workspace()
        w.write(Array("v\n1e-400\n0e-400\n".utf8), "u.csv")
        let result = try w.run("cat", "u.csv", "--format", "jsonl")
        #expect(result.stdout == "{\"v\":\"1e-400\"}\n{\"v\":\"0e-400\"}\n")
    }

    @Test func escapedQuotesInHeaderNamesAreUnescaped() throws {
        let w = Workspace()
        w.write(Array("\"a\"\"b\",c\n1,2\n".utf8), "qh.csv")
        _ = try w.run("convert", "qh.csv", "x.baton")
        let back = try w.run("convert", "x.baton", "-")
        #expect(back.stdout == "\"a\"\"b\",c\n1,2\n")
    }

    @Test func rejectsKeepTheWholeRecord() throws {
        let w = Workspace()
        w.write(Array("a,b\n1,\"x\"y\n2,3\n1,\"q\"w".utf8), "r.csv")
        _ = try w.run("cat", "r.csv", "--on-error", "reject=rej.csv")
        #expect(String(decoding: w.bytes("rej.csv"), as: UTF8.self) == """
            line,byte_offset,column,reason,record
            2,4,"",unexpected text after a closing quote,"1,""x""y"
            4,15,"",unexpected text after a closing quote,"1,""q""w"

            """)
    }

    @Test func firstRecordLongerThanTheSampleAndEmptyFirstFile() throws {
        let w = Workspace()
        w.write(Array(("\"" + String(repeating: "x", count: 2_000_000) + "\",1\nb,2\n").utf8), "huge.csv")
        let huge = try w.run("cat", "huge.csv", "--columns", "column2", "--no-header")
        #expect(huge.stdout == "column2\n1\n2\n")
        w.write([], "g1.csv")
        w.write(Array("a,b\n3,4\n".utf8), "g2.csv")
        let glob = try w.run("cat", "g*.csv")
        #expect(glob.stdout == "a,b\n3,4\n")
    }

    @Test func quoteEqualToDelimiterAndRepeatedColumnsAreRefused() throws {
        let w = Workspace()
        w.write(Array("a,b\n1,2\n".utf8), "q.csv")
        #expect(try w.run("cat", "q.csv", "--quote", ",").status == 2)
        let twice = try w.run("cat", "q.csv", "--columns", "a,a")
        #expect(twice.status == 2)
        #expect(twice.stderr == "baton: error: q.csv: column \"a\" is listed twice (hint: name each column once)\n")
    }
}
