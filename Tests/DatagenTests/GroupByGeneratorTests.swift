import CSV
import Columns
import Datagen
import Testing

@Suite struct GroupByGeneratorTests {
    func rows(_ generator: GroupByGenerator, batchSize: Int = Batch.capacity) throws -> [[Value]] {
        var columns = [[Value]](repeating: [], count: 9)
        try generator.generate(batchSize: batchSize) { (batch) throws(BatonError) in
            for (i, column) in batch.columns.enumerated() { columns[i] += column.values }
        }
        return columns
    }

    @Test func schemaMatchesTheBenchmark() {
        #expect(GroupByGenerator.schema.names == ["id1", "id2", "id3", "id4", "id5", "id6", "v1", "v2", "v3"])
        #expect(GroupByGenerator.schema.fields.map(\.type) == [.string, .string, .string, .int64, .int64, .int64, .int64, .int64, .float64])
    }

    /// Pinned so that a change to the generator, which would change every benchmark, is seen.
    @Test func firstRowsOfSeed108AsCSV() throws {
        var text: [UInt8] = []
        var writer = CSVWriter(schema: GroupByGenerator.schema, sink: TextSink { (bytes) throws(BatonError) in text += bytes })
        var first = true
        try GroupByGenerator(rows: 100_000, groups: 100, seed: 108).generate { (batch) throws(BatonError) in
            if first { try writer.write(batch.narrowed(to: SelectionVector([0, 1, 2]))) }
            first = false
        }
        try writer.finish()
        #expect(String(decoding: text, as: UTF8.self) == """
            id1,id2,id3,id4,id5,id6,v1,v2,v3
            id039,id003,id0000000369,57,25,713,3,2,60.4671
            id006,id054,id0000000387,40,92,499,4,5,41.7736
            id027,id090,id0000000859,25,57,810,5,5,49.8841

            """)
    }

    @Test func valuesFollowTheDistributions() throws {
        let n = 20_000, k = 50
        let columns = try rows(try GroupByGenerator(rows: n, groups: k, seed: 7))
        let small = n / k
        func strings(_ c: Int) -> Set<String> { Set(columns[c].map { if case .string(let s) = $0 { s } else { "?" } }) }
        func ints(_ c: Int) -> [Int64] { columns[c].map { if case .int64(let v) = $0 { v } else { -1 } } }
        #expect(strings(0) == Set((1...k).map { "id" + String(repeating: "0", count: 3 - String($0).count) + String($0) }))
        #expect(strings(1).count == k)
        #expect(strings(2).allSatisfy { $0.count == 12 && $0.hasPrefix("id") })
        #expect(strings(2).count > small / 2 && strings(2).count <= small)
        #expect(Set(ints(3)) == Set((1...Int64(k))))
        #expect(Set(ints(4)) == Set((1...Int64(k))))
        #expect(ints(5).allSatisfy { (1...Int64(small)).contains($0) })
        #expect(Set(ints(6)) == [1, 2, 3, 4, 5])
        #expect(Set(ints(7)) == [1, 2, 3, 4, 5])
        let v3: [Double] = columns[8].map { if case .float64(let v) = $0 { v } else { -1 } }
        let fourDecimals = v3.allSatisfy { (v: Double) -> Bool in v >= 0 && v <= 100 && (v * 10_000).rounded() / 10_000 == v }
        #expect(fourDecimals)
        let mean = v3.reduce(0.0, +) / Double(n)
        #expect(abs(mean - 50) < 1.5)
    }

    @Test func nullsAreExactlyThePercentagePerColumn() throws {
        let columns = try rows(try GroupByGenerator(rows: 1000, groups: 10, nullPercent: 5, seed: 3))
        for column in columns { #expect(column.filter(\.isNull).count == 50) }
        // Chosen independently per column.
        #expect(columns[0].map(\.isNull) != columns[1].map(\.isNull))
    }

    @Test func sameSeedSameRowsWhateverTheBatchSize() throws {
        let generator = try GroupByGenerator(rows: 5000, groups: 20, nullPercent: 10, seed: 99)
        #expect(try rows(generator, batchSize: 4096) == rows(generator, batchSize: 777))
        #expect(try rows(generator) != rows(try GroupByGenerator(rows: 5000, groups: 20, nullPercent: 10, seed: 100)))
    }

    @Test func benchmarkNames() throws {
        #expect(try GroupByGenerator(rows: 10_000_000, groups: 100).benchmarkName == "G1_1e7_1e2_0_0")
        #expect(try GroupByGenerator(rows: 2_500_000, groups: 10, nullPercent: 5).benchmarkName == "G1_2.5e6_1e1_5_0")
    }

    @Test func rejectsBadParameters() {
        #expect(throws: BatonError.self) { try GroupByGenerator(rows: 10, groups: 0) }
        #expect(throws: BatonError.self) { try GroupByGenerator(rows: 10, nullPercent: 101) }
        #expect(throws: BatonError.self) { try GroupByGenerator(rows: -1) }
    }
}
