import Testing
import Columns

@Suite struct BatchTests {
    static let schema = try! Schema([Field("id", .int64, nullable: false), Field("name", .string)])

    @Test func validBatch() throws {
        let batch = try Batch(schema: Self.schema, columns: [Column.int64([1, 2, 3]), Column.string(["a", nil, "c"])])
        #expect(batch.count == 3)
        #expect(batch.physicalCount == 3)
        #expect(batch.selection == nil)
        let empty = try Batch(schema: try Schema([]), columns: [])
        #expect(empty.count == 0)
    }

    @Test func mismatchedLengthsThrow() {
        let error = #expect(throws: BatonError.self) {
            try Batch(schema: Self.schema, columns: [Column.int64([1, 2, 3]), Column.string(["a", "b"])])
        }
        #expect(error?.kind == .invalidInput)
        #expect(error?.location.column == "name")
    }

    @Test func wrongColumnCountThrows() {
        let error = #expect(throws: BatonError.self) {
            try Batch(schema: Self.schema, columns: [Column.int64([1])])
        }
        #expect(error?.kind == .invalidInput)
    }

    @Test func wrongTypeThrows() {
        let error = #expect(throws: BatonError.self) {
            try Batch(schema: Self.schema, columns: [Column.timestamp([1]), Column.string(["a"])])
        }
        #expect(error?.kind == .invalidInput)
        #expect(error?.location.column == "id")
        #expect(throws: BatonError.self) {
            try Batch(schema: Self.schema, columns: [Column.int64([1]), Column.int64([1])])
        }
    }

    @Test func moreThanCapacityThrows() throws {
        let schema = try Schema([Field("x", .int64)])
        let full = Column(.int64, .int64([Int64](repeating: 1, count: Batch.capacity)))
        #expect(try Batch(schema: schema, columns: [full]).count == Batch.capacity)
        let over = Column(.int64, .int64([Int64](repeating: 1, count: Batch.capacity + 1)))
        let error = #expect(throws: BatonError.self) { try Batch(schema: schema, columns: [over]) }
        #expect(error?.kind == .invalidInput)
    }

    @Test func notNullColumnWithNullsThrows() throws {
        let error = #expect(throws: BatonError.self) {
            try Batch(schema: Self.schema, columns: [Column.int64([1, nil]), Column.string(["a", "b"])])
        }
        #expect(error?.kind == .invalidInput)
        #expect(error?.location.column == "id")
        // The same nulls are fine in a nullable column.
        #expect(try Batch(schema: Self.schema, columns: [Column.int64([1, 2]), Column.string([nil, nil])]).count == 2)
    }

    @Test func selectionPastTheEndThrows() {
        let error = #expect(throws: BatonError.self) {
            try Batch(schema: Self.schema, columns: [Column.int64([1, 2]), Column.string(["a", "b"])],
                      selection: SelectionVector([0, 2]))
        }
        #expect(error?.kind == .invalidInput)
    }

    @Test func narrowedComposesSelections() throws {
        let ids: [Int64?] = [10, 11, 12, 13, 14, 15]
        let names: [String?] = ["a", nil, "c", "d", nil, "f"]
        let batch = try Batch(schema: Self.schema, columns: [Column.int64(ids), Column.string(names)])
        let first = batch.narrowed(to: SelectionVector([1, 2, 4, 5]))
        #expect(first.count == 4)
        #expect(first.physicalCount == 6)
        #expect(first.selection?.indices == [1, 2, 4, 5])
        let second = first.narrowed(to: SelectionVector([0, 3]))
        #expect(second.count == 2)
        #expect(second.selection?.indices == [1, 5])

        let compacted = second.compacted()
        #expect(compacted.selection == nil)
        #expect(compacted.count == 2)
        #expect(compacted.physicalCount == 2)
        #expect(compacted.columns[0].values == [.int64(11), .int64(15)])
        #expect(compacted.columns[1].values == [.null, .string("f")])
    }

    @Test func compactedWithoutSelectionIsUnchanged() throws {
        let batch = try Batch(schema: Self.schema, columns: [Column.int64([1]), Column.string(["x"])])
        let compacted = batch.compacted()
        #expect(compacted.selection == nil)
        #expect(compacted.columns[0].values == [.int64(1)])
        #expect(compacted.columns[1].values == [.string("x")])
    }

    @Test func compactedToNothing() throws {
        let batch = try Batch(schema: Self.schema, columns: [Column.int64([1, 2]), Column.string(["x", "y"])])
        let empty = batch.narrowed(to: SelectionVector([])).compacted()
        #expect(empty.count == 0)
        #expect(empty.columns.allSatisfy { $0.count == 0 })
    }

    @Test func splitIntoCapacitySizedBatches() throws {
        let schema = try Schema([Field("x", .int64)])
        let column = Column.int64((0..<10).map { $0 % 4 == 0 ? nil : Int64($0) })
        let batches = try Batch.split(schema: schema, columns: [column], capacity: 3)
        #expect(batches.map(\.count) == [3, 3, 3, 1])
        #expect(batches.flatMap { $0.columns[0].values } == column.values)
        #expect(try Batch.split(schema: schema, columns: [column]).count == 1)
        let two = try Schema([Field("x", .int64), Field("y", .int64)])
        #expect(throws: BatonError.self) {
            try Batch.split(schema: two, columns: [column, Column.int64([1])], capacity: 3)
        }
    }
}

@Suite struct SchemaTests {
    @Test func duplicateNamesThrow() {
        let error = #expect(throws: BatonError.self) {
            try Schema([Field("a", .int64), Field("b", .string), Field("a", .float64)])
        }
        #expect(error?.kind == .invalidInput)
        #expect(error?.message.contains("\"a\"") == true)
    }

    @Test func emptyNameThrows() {
        let error = #expect(throws: BatonError.self) { try Schema([Field("", .int64)]) }
        #expect(error?.kind == .invalidInput)
    }

    @Test func lookups() throws {
        let schema = try Schema([Field("a", .int64), Field("b", .string, nullable: false), Field("c", .date)])
        #expect(schema.count == 3)
        #expect(schema.names == ["a", "b", "c"])
        #expect(schema.index(of: "c") == 2)
        #expect(schema.index(of: "z") == nil)
        #expect(try schema.indices(of: ["c", "a"]) == [2, 0])
        let error = #expect(throws: BatonError.self) { try schema.indices(of: ["a", "nope"]) }
        #expect(error?.kind == .invalidInput)
        #expect(schema.projected([2, 1]).names == ["c", "b"])
        #expect(schema.description == "a: Int64, b: String NOT NULL, c: Date")
        // Names are case-sensitive: "A" and "a" are distinct.
        #expect(try Schema([Field("a", .int64), Field("A", .int64)]).count == 2)
    }
}
