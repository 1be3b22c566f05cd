import Columns
import Storage
import Testing

@Suite struct ScanTests {
    /// 100 rows, `n` = 0…99 ascending, `s` = "r000"…, 10 row groups of 10.
    func sortedFile(_ dir: TemporaryDirectory) throws -> String {
        let schema = try Schema([Field("n", .int64), Field("s", .string), Field("x", .float64)])
        let columns: [Column] = [
            .int64((0..<100).map { Int64($0) }),
            .string((0..<100).map { i in "r" + String(repeating: "0", count: 3 - String(i).count) + String(i) }),
            .float64((0..<100).map { $0 % 10 == 0 ? nil : Double($0) / 4 }),
        ]
        let path = dir.file("sorted.baton")
        try write(schema, columns, to: path, options: WriteOptions(rowGroupSize: 10))
        return path
    }

    @Test func pruningSkipsRowGroupsAndReportsHowMany() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let reader = try BatonReader(path: try sortedFile(dir))
        var seen: [Value] = []
        let summary = try reader.scan(columns: ["n"], where: [ColumnPredicate("n", .greaterOrEqual, .int64(95))]) {
            (batch) throws(BatonError) in seen += batch.compacted().columns[0].values
        }
        #expect(seen == (95..<100).map { .int64(Int64($0)) })
        #expect(summary.rowGroupsRead == 1)
        #expect(summary.rowGroupsSkipped == 9)
        #expect(summary.rowsRead == 10)
        #expect(summary.rowsReturned == 5)
    }

    @Test(arguments: [
        ("n = 42", 1, 1), ("n < 5", 1, 5), ("n <= 10", 2, 11), ("n > 89", 1, 10), ("n != 3", 10, 99),
        ("s = 'r055'", 1, 1), ("s >= r090", 1, 10), ("x IS NULL", 10, 10), ("x IS NOT NULL", 10, 90),
        ("n = 1000", 0, 0), ("x > 24.5", 1, 1), ("x >= 22.5", 1, 9), ("n > 2.5", 10, 97),
    ])
    func conditions(text: String, groupsRead: Int, rows: Int) throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let reader = try BatonReader(path: try sortedFile(dir))
        let predicate = try ColumnPredicate.parse(text, schema: reader.schema)
        let summary = try reader.scan(where: [predicate]) { (_) throws(BatonError) in }
        #expect(summary.rowGroupsRead == groupsRead, "\(text)")
        #expect(summary.rowsReturned == rows, "\(text)")
    }

    @Test func badConditionsNameTheProblem() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let schema = try BatonReader(path: try sortedFile(dir)).schema
        let unknown = thrownError { _ = try ColumnPredicate.parse("nope = 1", schema: schema) }
        #expect(unknown?.kind == .invalidInput)
        #expect(unknown?.message == "no column named \"nope\" in the condition")
        let badValue = thrownError { _ = try ColumnPredicate.parse("n = abc", schema: schema) }
        #expect(badValue?.description == "expected a Int64 value, found \"abc\" (hint: the condition was: n = abc)")
        #expect(thrownError { _ = try ColumnPredicate.parse("n ~ 3", schema: schema) }?.kind == .invalidInput)
    }

    /// Projection reads only the chunks of the requested columns.
    @Test func projectionReadsOnlyRequestedColumns() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let path = try sortedFile(dir)
        let reader = try BatonReader(path: path)
        let summary = try reader.scan(columns: ["s"]) { (_) throws(BatonError) in }
        let expected = reader.footer.rowGroups.reduce(0) { $0 + $1.chunks[1].storedSize }
        #expect(summary.bytesRead == expected)
        #expect(summary.bytesRead < reader.fileSize / 2)
        #expect(try readValues(path, columns: ["x", "n"])[1] == (0..<100).map { .int64(Int64($0)) })
    }

    @Test func limitStopsEarly() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let reader = try BatonReader(path: try sortedFile(dir))
        var rows = 0
        let summary = try reader.scan(limit: 15) { (batch) throws(BatonError) in rows += batch.count }
        #expect(rows == 15)
        #expect(summary.rowGroupsRead == 2)
    }

    @Test func statisticsAreExact() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let reader = try BatonReader(path: try sortedFile(dir))
        let group = reader.footer.rowGroups[3]
        #expect(group.chunks[0].statistics == Statistics(nullCount: 0, min: .int64(30), max: .int64(39)))
        #expect(group.chunks[1].statistics == Statistics(nullCount: 0, min: .string("r030"), max: .string("r039")))
        #expect(group.chunks[2].statistics == Statistics(nullCount: 1, min: .float64(7.75), max: .float64(9.75)))
    }

    @Test func longStringStatisticsAreBounds() throws {
        let long = String(repeating: "m", count: 100)
        let stats = Statistics(of: .string([long + "a", long + "z", "b"]))
        #expect(stats.min == .string("b") && stats.minExact)
        #expect(stats.max == .string(String(repeating: "m", count: 63) + "n"))
        #expect(!stats.maxExact)
        let predicate = ColumnPredicate("s", .equal, .string(long + "z"))
        #expect(predicate.mayMatch(stats, rowCount: 3))
        #expect(!ColumnPredicate("s", .greater, .string("n")).mayMatch(stats, rowCount: 3))
    }
}

@Suite struct PredicateEdgeTests {
    /// NaN sorts above every number and equals itself, in row filters and pruning alike, so
    /// pruning never changes an answer.
    @Test func nanLiteralAgreesWithPruning() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let schema = try Schema([Field("v", .float64)])
        try write(schema, [.float64([1.0, 2.0, 1.0, .nan])], to: dir.file("nan.baton"), options: WriteOptions(rowGroupSize: 2))
        let reader = try BatonReader(path: dir.file("nan.baton"))
        func rows(_ op: ColumnPredicate.Op, pruned: Bool) throws -> [Value] {
            var out: [Value] = []
            let predicate = ColumnPredicate("v", op, .float64(.nan))
            if pruned {
                try reader.scan(where: [predicate]) { (batch) throws(BatonError) in out += batch.compacted().columns[0].values }
            } else {
                for g in reader.footer.rowGroups.indices {
                    let column = try reader.readChunk(rowGroup: g, column: 0)
                    let bits = predicate.evaluate(column)
                    out += (0..<column.count).filter { bits[$0] }.map { column.value(at: $0) }
                }
            }
            return out
        }
        for op in [ColumnPredicate.Op.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual] {
            #expect(try rows(op, pruned: true) == rows(op, pruned: false), "\(op)")
        }
        #expect(try rows(.equal, pruned: true) == [.float64(.nan)])
        #expect(try rows(.less, pruned: true) == [.float64(1), .float64(2), .float64(1)])
        #expect(try rows(.greater, pruned: true) == [])
    }

    @Test func rowGroupsCloseAtTheByteCap() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let schema = try Schema([Field("s", .string)])
        let values = (0..<100).map { String(repeating: "x", count: 100 + $0 % 3) }
        var options = WriteOptions(rowGroupSize: 1000)
        options.maxRowGroupBytes = 2000
        try write(schema, [.string(values)], to: dir.file("s.baton"), options: options)
        let reader = try BatonReader(path: dir.file("s.baton"))
        #expect(reader.footer.rowGroups.count >= 5)
        #expect(reader.footer.rowGroups.allSatisfy { $0.chunks[0].plainSize < 2000 + 200 })
        #expect(try readValues(dir.file("s.baton")) == [values.map { .string($0) }])
    }

    @Test func canonicallyEquivalentNamesAreDistinctColumns() throws {
        let schema = try Schema([Field("é", .int64), Field("e\u{301}", .int64)])
        #expect(schema.index(of: "e\u{301}") == 1)
        #expect(schema.index(of: "é") == 0)
    }
}
