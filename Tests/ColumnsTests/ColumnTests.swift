import Testing
import Columns
import TestSupport

@Suite struct ColumnTests {
    @Test func valueAtForEveryType() {
        #expect(Column.int64([1, nil, -3]).values == [.int64(1), .null, .int64(-3)])
        #expect(Column.timestamp([5, nil]).values == [.timestamp(5), .null])
        #expect(Column.timestamp([5]).value(at: 0) != .int64(5))
        #expect(Column.date([-1, nil, 19_782]).values == [.date(-1), .null, .date(19_782)])
        #expect(Column.float64([1.5, nil, -0.0]).values == [.float64(1.5), .null, .float64(-0.0)])
        #expect(Column.bool([true, false, nil]).values == [.bool(true), .bool(false), .null])
        #expect(Column.string(["a", nil, ""]).values == [.string("a"), .null, .string("")])
        #expect(Column.dictionary([1, nil, 0, 1], values: ["x", "y"]).values
                == [.string("y"), .null, .string("x"), .string("y")])
    }

    @Test func typesAndStorage() {
        #expect(Column.int64([1]).type == .int64)
        #expect(Column.timestamp([1]).type == .timestamp)
        #expect(Column.date([1]).type == .date)
        #expect(Column.float64([1]).type == .float64)
        #expect(Column.bool([true]).type == .bool)
        #expect(Column.string(["a"]).type == .string)
        #expect(Column.dictionary([0], values: ["a"]).type == .string)
        #expect(Column.int64([1, nil, 3]).storage == .int64([1, 0, 3]))
        #expect(Column.date([nil, 4]).storage == .int32([0, 4]))
        #expect(Column.string([nil, "b"]).storage == .string(StringArray(["", "b"])))
        #expect(Column.dictionary([nil, 1], values: ["a", "b"]).storage
                == .dictionary(codes: [0, 1], values: StringArray(["a", "b"])))
    }

    @Test func nullCountAndValidity() {
        let column = Column.int64([nil, 2, nil, nil])
        #expect(column.nullCount == 3)
        #expect(column.validity == Bitmap([false, true, false, false]))
        #expect(column.isNull(0))
        #expect(!column.isNull(1))
        let allNull = Column.string([nil, nil])
        #expect(allNull.nullCount == 2)
        #expect(allNull.values == [.null, .null])
    }

    @Test func validityDroppedWhenNoNulls() {
        #expect(Column.int64([1, 2, 3]).validity == nil)
        #expect(Column.int64([1, 2, 3]).nullCount == 0)
        #expect(Column.bool([]).validity == nil)
        let explicit = Column(.float64, .float64([1, 2]), validity: Bitmap([true, true]))
        #expect(explicit.validity == nil)
        #expect(explicit.nullCount == 0)
        #expect(!explicit.isNull(1))
    }

    @Test func sliceKeepsValuesAndRecountsNulls() {
        let values: [Int64?] = [1, nil, 3, 4, nil, 6, 7, 8, 9, nil]
        let column = Column.int64(values)
        for lo in 0...values.count {
            for hi in lo...values.count {
                let slice = column.slice(lo..<hi)
                #expect(slice.count == hi - lo)
                #expect(slice.values == Column.int64(Array(values[lo..<hi])).values)
                let nulls = values[lo..<hi].filter { $0 == nil }.count
                #expect(slice.nullCount == nulls)
                #expect((slice.validity == nil) == (nulls == 0))
            }
        }
    }

    @Test func sliceEveryStorage() {
        let bools: [Bool?] = (0..<150).map { $0 % 7 == 0 ? nil : $0 % 3 == 0 }
        let boolColumn = Column.bool(bools)
        #expect(boolColumn.slice(65..<140).values == Column.bool(Array(bools[65..<140])).values)
        let strings: [String?] = ["a", nil, "ü", "", "xyz", nil]
        #expect(Column.string(strings).slice(1..<5).values == Column.string(Array(strings[1..<5])).values)
        #expect(Column.date([1, 2, 3]).slice(1..<3).values == [.date(2), .date(3)])
        #expect(Column.float64([1, -0.0, 3]).slice(1..<2).values == [.float64(-0.0)])
        #expect(Column.timestamp([1, 2, 3]).slice(0..<0).values == [])
    }

    @Test func sliceOfDictionarySharesTheDictionary() {
        let column = Column.dictionary([0, 1, nil, 2, 1], values: ["a", "b", "c"])
        let slice = column.slice(1..<4)
        #expect(slice.values == [.string("b"), .null, .string("c")])
        guard case .dictionary(let codes, let values) = slice.storage else {
            Issue.record("slice lost the dictionary encoding")
            return
        }
        #expect(codes == [1, 0, 2])
        #expect(values == StringArray(["a", "b", "c"]))
    }

    @Test func gatherInSelectionOrder() {
        let selection = SelectionVector([0, 2, 3, 5])
        #expect(Column.int64([10, nil, 30, nil, 50, 60]).gather(selection).values
                == [.int64(10), .int64(30), .null, .int64(60)])
        let gathered = Column.string(["a", "b", nil, "d", "e", "f"]).gather(SelectionVector([1, 3, 4]))
        #expect(gathered.values == [.string("b"), .string("d"), .string("e")])
        #expect(gathered.validity == nil)
        #expect(Column.bool([true, false, nil, true]).gather(SelectionVector([1, 2])).values == [.bool(false), .null])
        #expect(Column.date([7, 8]).gather(SelectionVector([])).values == [])
        let dictionary = Column.dictionary([2, 0, nil, 1], values: ["x", "y", "z"]).gather(SelectionVector([0, 2, 3]))
        #expect(dictionary.values == [.string("z"), .null, .string("y")])
        if case .dictionary = dictionary.storage {} else { Issue.record("gather lost the dictionary encoding") }
    }

    @Test func gatherOfRandomColumnMatchesNaive() {
        var rng = SeededGenerator(seed: 11)
        let values: [Double?] = (0..<700).map { _ in
            Bool.random(using: &rng) ? nil : Double(bitPattern: rng.next())
        }
        let column = Column.float64(values)
        let indices = (0..<700).filter { _ in Bool.random(using: &rng) }.map { UInt32($0) }
        let gathered = column.gather(SelectionVector(indices))
        #expect(gathered.values == indices.map { column.value(at: Int($0)) })
        #expect(gathered.nullCount == indices.filter { values[Int($0)] == nil }.count)
    }

    @Test func decodedRemovesDictionaryEncoding() {
        let column = Column.dictionary([1, nil, 0, 1, 2], values: ["é", "b", ""])
        let decoded = column.decoded()
        #expect(decoded.values == column.values)
        #expect(decoded.nullCount == 1)
        #expect(decoded.type == .string)
        #expect(decoded.storage == .string(StringArray(["b", "", "é", "b", ""])))
        let plain = Column.int64([1, 2])
        #expect(plain.decoded().storage == plain.storage)
    }

    @Test func concatenateFixedWidthPreservesNulls() {
        let parts = [Column.int64([1, nil]), Column.int64([3, 4, 5]), Column.int64([nil]), Column.int64([])]
        let joined = Column.concatenate(parts)
        #expect(joined.values == [.int64(1), .null, .int64(3), .int64(4), .int64(5), .null])
        #expect(joined.nullCount == 2)
        #expect(Column.concatenate([Column.int64([1]), Column.int64([2])]).validity == nil)
        #expect(Column.concatenate([Column.float64([-0.0]), Column.float64([.nan, nil])]).values
                == [.float64(-0.0), .float64(.nan), .null])
        #expect(Column.concatenate([Column.date([1]), Column.date([nil, 3])]).values == [.date(1), .null, .date(3)])
        #expect(Column.concatenate([Column.timestamp([nil]), Column.timestamp([9])]).values == [.null, .timestamp(9)])
        let single = Column.int64([nil, 7])
        #expect(Column.concatenate([single]).values == single.values)
    }

    @Test func concatenateBoolsAtUnalignedOffsets() {
        var rng = SeededGenerator(seed: 12)
        var all: [Bool?] = []
        var parts: [Column] = []
        for size in [3, 64, 61, 1, 0, 130, 7] {
            let piece: [Bool?] = (0..<size).map { _ in
                Int.random(in: 0..<4, using: &rng) == 0 ? nil : Bool.random(using: &rng)
            }
            all += piece
            parts.append(Column.bool(piece))
        }
        let joined = Column.concatenate(parts)
        #expect(joined.values == Column.bool(all).values)
        #expect(joined.nullCount == all.filter { $0 == nil }.count)
    }

    @Test func concatenatePlainStrings() {
        let joined = Column.concatenate([Column.string(["a", nil]), Column.string(["日本", ""])])
        #expect(joined.values == [.string("a"), .null, .string("日本"), .string("")])
        #expect(joined.storage == .string(StringArray(["a", "", "日本", ""])))
    }

    @Test func concatenateSharedDictionaryStaysDictionaryEncoded() {
        let values = ["red", "green", "blue"]
        let joined = Column.concatenate([
            Column.dictionary([0, nil, 2], values: values),
            Column.dictionary([1, 1], values: values),
            Column.dictionary([nil], values: values),
        ])
        #expect(joined.values == [.string("red"), .null, .string("blue"), .string("green"), .string("green"), .null])
        #expect(joined.nullCount == 2)
        #expect(joined.storage == .dictionary(codes: [0, 0, 2, 1, 1, 0], values: StringArray(values)))
    }

    /// Different dictionaries are merged (each distinct value once, in order of first
    /// appearance) and the codes renumbered; the column stays dictionary-encoded.
    @Test func concatenateDifferentDictionariesMerges() {
        let joined = Column.concatenate([
            Column.dictionary([0, 1], values: ["a", "b"]),
            Column.dictionary([0, nil], values: ["b", "a"]),
        ])
        #expect(joined.values == [.string("a"), .string("b"), .string("b"), .null])
        guard case .dictionary(let codes, let values) = joined.storage else {
            Issue.record("expected a dictionary column, got \(joined.storage)")
            return
        }
        #expect(values == StringArray(["a", "b"]))
        #expect(Array(codes.prefix(3)) == [0, 1, 1])  // the null row's code is unspecified
    }

    @Test func concatenateMixedDictionaryAndPlain() {
        let dictionaryFirst = Column.concatenate([
            Column.dictionary([1, nil, 0], values: ["x", "y"]),
            Column.string(["z", nil]),
        ])
        #expect(dictionaryFirst.values == [.string("y"), .null, .string("x"), .string("z"), .null])
        #expect(dictionaryFirst.nullCount == 2)
        if case .string = dictionaryFirst.storage {} else { Issue.record("mixed parts should decode to plain strings") }

        let plainFirst = Column.concatenate([
            Column.string(["p"]),
            Column.dictionary([0, 0, nil], values: ["q"]),
        ])
        #expect(plainFirst.values == [.string("p"), .string("q"), .string("q"), .null])
        if case .string = plainFirst.storage {} else { Issue.record("mixed parts should decode to plain strings") }
    }
}
