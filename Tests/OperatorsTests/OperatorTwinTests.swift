import Columns
@testable import Operators
import Testing

/// Each operator against a plain twin written over `Value`s, on seeded random tables with
/// nulls, NaN, -0.0, repeated keys, and plain and dictionary strings, with 1, 2 and 7 threads.
@Suite struct OperatorTwinTests {
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// Columns: k1 Int64 (few values, nulls), k2 String (dictionary, nulls), k3 Float64 (NaN,
    /// -0.0, nulls), k4 String (plain), v Int64, d Date; split into batches of `batchRows`.
    static func table(rows: Int, seed: UInt64, batchRows: Int = 97) -> Table {
        var g = Generator(state: seed)
        let words = ["oslo", "lima", "", "rome", "Zürich", "a"]
        var k1: [Int64?] = [], k2: [Int32?] = [], k3: [Double?] = [], k4: [String?] = [], v: [Int64?] = [], d: [Int32?] = []
        for _ in 0..<rows {
            k1.append(g.below(7) == 0 ? nil : Int64(g.below(5)) - 2)
            k2.append(g.below(9) == 0 ? nil : Int32(g.below(words.count)))
            let floats: [Double] = [.nan, -0.0, 0.0, 1.5, -2.25, .infinity]
            k3.append(g.below(8) == 0 ? nil : floats[g.below(floats.count)])
            k4.append(g.below(10) == 0 ? nil : words[g.below(words.count)] + String(g.below(3)))
            v.append(g.below(11) == 0 ? nil : Int64(g.below(1000)) - 500)
            d.append(g.below(12) == 0 ? nil : Int32(g.below(40)) - 20)
        }
        let schema = try! Schema([Field("k1", .int64), Field("k2", .string), Field("k3", .float64), Field("k4", .string),
                                  Field("v", .int64), Field("d", .date)])
        let columns = [Column.int64(k1), Column.dictionary(k2, values: words), Column.float64(k3), Column.string(k4),
                       Column.int64(v), Column.date(d)]
        var batches: [Batch] = []
        var start = 0
        while start < rows {
            let end = min(rows, start + batchRows)
            batches.append(try! Batch(schema: schema, columns: columns.map { $0.slice(start..<end) }))
            start = end
        }
        return Table(schema: schema, batches: batches)
    }

    static func rows(_ table: Table) -> [[Value]] {
        let columns = table.columns
        return (0..<table.rowCount).map { r in columns.map { $0.value(at: r) } }
    }

    /// SQL order of two values: nulls by `nullsFirst`, then `Value.compare` (NaN above all,
    /// -0.0 = 0.0).
    static func order(_ a: Value, _ b: Value, descending: Bool, nullsFirst: Bool) -> Int {
        switch (a.isNull, b.isNull) {
        case (true, true): return 0
        case (true, false): return nullsFirst ? -1 : 1
        case (false, true): return nullsFirst ? 1 : -1
        default:
            var c = Value.compare(a, b)!
            if case .float64(let x) = a, case .float64(let y) = b, x == 0, y == 0 { c = 0 }
            return descending ? -c : c
        }
    }

    @Test(arguments: [1, 2, 7])
    func sortMatchesAStableReferenceSort(threads: Int) throws {
        let table = Self.table(rows: 1500, seed: 11)
        let keys = [SortKey(column: 1, descending: true), SortKey(column: 2, nullsFirst: true), SortKey(column: 3),
                    SortKey(column: 0, descending: true, nullsFirst: false)]
        let sorted = try Sort(TableScan(table, name: "t"), keys: keys).collect(ExecutionContext(threads: threads))
        let input = Self.rows(table)
        let expected = input.indices.sorted { a, b in
            for key in keys {
                let c = Self.order(input[a][key.column], input[b][key.column], descending: key.descending, nullsFirst: key.nullsFirst)
                if c != 0 { return c < 0 }
            }
            return a < b
        }.map { input[$0] }
        #expect(Self.rows(sorted) == expected)
        let top = try Sort(TableScan(table, name: "t"), keys: keys, limit: 37).collect(ExecutionContext(threads: threads))
        #expect(Self.rows(top) == Array(expected.prefix(37)))
    }

    /// A canonical text of a value for grouping in the twin: NaN one key, -0.0 as 0.0.
    static func groupKey(_ v: Value) -> String {
        if case .float64(let x) = v { return x.isNaN ? "f:nan" : "f:\(x == 0 ? 0 : x)" }
        return "\(v)|\(v.isNull ? "null" : "")"
    }

    @Test(arguments: [1, 2, 7])
    func aggregateMatchesADictionaryTwin(threads: Int) throws {
        let table = Self.table(rows: 2000, seed: 5)
        func call(_ kind: AggregateKind, _ arguments: [Int], _ types: [DataType]) throws -> AggregateCall {
            try AggregateCall.resolve(kind, arguments: arguments, types: types, text: kind.rawValue).get()
        }
        let calls = [try call(.countStar, [], []), try call(.count, [4], [.int64]), try call(.sum, [4], [.int64]),
                     try call(.min, [3], [.string]), try call(.max, [5], [.date]), try call(.first, [4], [.int64]),
                     try call(.last, [3], [.string])]
        let node = try HashAggregate(TableScan(table, name: "t"), keys: [0, 1, 2], aggregates: calls,
                                     names: ["k1", "k2", "k3", "n", "c", "s", "mn", "mx", "f", "l"])
        let result = Self.rows(try node.collect(ExecutionContext(threads: threads)))
        // The twin.
        var groups: [String: (key: [Value], rows: [[Value]])] = [:]
        var firstSeen: [String] = []
        for row in Self.rows(table) {
            let k = row[0...2].map(Self.groupKey).joined(separator: ";")
            if groups[k] == nil { groups[k] = (Array(row[0...2]), []); firstSeen.append(k) }
            groups[k]!.rows.append(row)
        }
        var expected: [String: [Value]] = [:]
        for (k, group) in groups {
            let v = group.rows.map { $0[4] }.filter { !$0.isNull }
            let s = group.rows.map { $0[3] }.filter { !$0.isNull }
            let d = group.rows.map { $0[5] }.filter { !$0.isNull }
            let sum: Value = v.isEmpty ? .null : .int64(v.reduce(Int64(0)) { if case .int64(let x) = $1 { return $0 + x }; return $0 })
            let mn = s.min { Value.compare($0, $1)! < 0 } ?? .null
            let mx = d.max { Value.compare($0, $1)! < 0 } ?? .null
            expected[k] = [.int64(Int64(group.rows.count)), .int64(Int64(v.count)), sum, mn, mx, group.rows.first![4], group.rows.last![3]]
        }
        #expect(result.count == groups.count)
        for row in result {
            let k = row[0...2].map(Self.groupKey).joined(separator: ";")
            #expect(expected[k] != nil, "unexpected group \(row[0...2])")
            if let e = expected[k] { #expect(Array(row[3...]) == e, "group \(row[0...2])") }
        }
    }

    @Test(arguments: [JoinType.inner, .left, .right, .full, .semi, .anti])
    func joinMatchesANestedLoopTwin(type: JoinType) throws {
        let left = Self.table(rows: 300, seed: 3, batchRows: 41)
        let right = Self.table(rows: 200, seed: 4, batchRows: 53)
        // On k1 and k2 (nulls never match).
        let node = try HashJoin(left: TableScan(left, name: "l"), right: TableScan(right, name: "r"), type: type,
                                leftKeys: [0, 1], rightKeys: [0, 1], residual: nil)
        let result = Self.rows(try node.collect(ExecutionContext(threads: 2)))
        let l = Self.rows(left), r = Self.rows(right)
        func matches(_ a: [Value], _ b: [Value]) -> Bool {
            !a[0].isNull && !a[1].isNull && a[0] == b[0] && a[1] == b[1]
        }
        let nulls = [Value](repeating: .null, count: 6)
        var expected: [[Value]] = []
        for a in l {
            let partners = r.filter { matches(a, $0) }
            switch type {
            case .semi: if !partners.isEmpty { expected.append(a) }
            case .anti: if partners.isEmpty { expected.append(a) }
            default:
                expected += partners.map { a + $0 }
                if partners.isEmpty && (type == .left || type == .full) { expected.append(a + nulls) }
            }
        }
        if type == .right || type == .full {
            for b in r where !l.contains(where: { matches($0, b) }) { expected.append(nulls + b) }
        }
        func text(_ rows: [[Value]]) -> [String] { rows.map { $0.map(\.description).joined(separator: "|") }.sorted() }
        #expect(text(result) == text(expected))
    }
}

extension OperatorTwinTests {
    /// Enough rows (70,000) that partitions are dealt into parallel buckets.
    @Test(arguments: [1, 2, 7])
    func windowMatchesAPerPartitionTwin(threads: Int) throws {
        let table = Self.table(rows: 70_000, seed: 9, batchRows: 4096)
        let sum = try AggregateCall.resolve(.sum, arguments: [4], types: [.int64], text: "sum(v)").get()
        let functions = [WindowFunction(kind: .rowNumber, frame: .runningWithPeers, text: "row_number()"),
                         WindowFunction(kind: .rank, frame: .runningWithPeers, text: "rank()"),
                         WindowFunction(kind: .aggregate(sum), frame: .runningWithPeers, text: "sum(v)")]
        let node = try Window(TableScan(table, name: "t"), partitionKeys: [0, 1], orderKeys: [SortKey(column: 4, descending: true)],
                              functions: functions, names: ["rn", "rk", "running"])
        let result = Self.rows(try node.collect(ExecutionContext(threads: threads)))
        var partitions: [String: [[Value]]] = [:]
        for row in Self.rows(table) {
            let key: String = Self.groupKey(row[0]) + ";" + Self.groupKey(row[1])
            partitions[key, default: []].append(row)
        }
        var expected: [[Value]] = []
        for rows in partitions.values {
            let positions: [Int] = rows.indices.sorted { (a: Int, b: Int) -> Bool in
                let c = Self.order(rows[a][4], rows[b][4], descending: true, nullsFirst: false)
                return c != 0 ? c < 0 : a < b
            }
            let sorted: [[Value]] = positions.map { rows[$0] }
            var running: Int64 = 0
            var seen = false
            var start = 0
            while start < sorted.count {
                // Peers (equal v) share rank and running sum: the frame runs to the last peer.
                var end = start
                while end < sorted.count && sorted[end][4] == sorted[start][4] { end += 1 }
                for peer in sorted[start..<end] {
                    if case .int64(let x) = peer[4] {
                        running += x
                        seen = true
                    }
                }
                let total: Value = seen ? Value.int64(running) : Value.null
                for i in start..<end {
                    let extra: [Value] = [Value.int64(Int64(i + 1)), Value.int64(Int64(start + 1)), total]
                    expected.append(sorted[i] + extra)
                }
                start = end
            }
        }
        let got: [String] = result.map { $0.map(\.description).joined(separator: "|") }.sorted()
        let want: [String] = expected.map { $0.map(\.description).joined(separator: "|") }.sorted()
        #expect(got == want)
    }
}

extension OperatorTwinTests {
    /// Rows whose keys hardly repeat take the raw path (kept as rows, aggregated once in the
    /// partition merge); the answers must match the twin's, whatever the thread count.
    @Test(arguments: [1, 2, 7])
    func aggregateOfNearlyUniqueKeys(threads: Int) throws {
        var g = Generator(state: 77)
        let n = 80_000
        var ids: [Int64?] = [], names: [String?] = [], values: [Double?] = []
        for i in 0..<n {
            ids.append(g.below(50) == 0 ? nil : Int64(g.below(n * 4)))
            names.append(i % 3 == 0 ? nil : "n\(g.below(3))")
            values.append(g.below(20) == 0 ? nil : Double(g.below(1000)) / 8)
        }
        let schema = try Schema([Field("id", .int64), Field("name", .string), Field("v", .float64)])
        let columns = [Column.int64(ids), Column.string(names), Column.float64(values)]
        let split = stride(from: 0, to: n, by: 20_000).map { start in
            try! Batch(schema: schema, columns: columns.map { $0.slice(start..<min(n, start + 20_000)) })
        }
        let table = Table(schema: schema, batches: split)
        let sum = try AggregateCall.resolve(.sum, arguments: [2], types: [.float64], text: "sum(v)").get()
        let count = try AggregateCall.resolve(.countStar, arguments: [], types: [], text: "count(*)").get()
        let node = try HashAggregate(OneMorselScan(table), keys: [0, 1], aggregates: [sum, count], names: ["id", "name", "s", "n"])
        let result = Self.rows(try node.collect(ExecutionContext(threads: threads)))
        // The first two batches (40,000 rows, nearly all new keys) switch the morsel to raw rows.
        #expect(try Self.partialWentRaw(node))
        var expected: [String: (Double?, Int64)] = [:]
        for i in 0..<n {
            let key = "\(ids[i].map(String.init) ?? "NULL")|\(names[i] ?? "NULL")"
            var entry = expected[key] ?? (nil, 0)
            if let v = values[i] { entry.0 = (entry.0 ?? 0) + v }
            entry.1 += 1
            expected[key] = entry
        }
        #expect(result.count == expected.count)
        for row in result {
            let key = "\(row[0].isNull ? "NULL" : row[0].description)|\(row[1].isNull ? "NULL" : row[1].description)"
            let want = expected[key]
            #expect(want != nil)
            #expect(row[2] == (want?.0.map { Value.float64($0) } ?? .null), "\(key)")
            #expect(row[3] == .int64(want?.1 ?? -1), "\(key)")
        }
    }

    static func partialWentRaw(_ node: HashAggregate) throws -> Bool {
        let partial = HashAggregate.Partial(major: [0], keyTypes: [.int64, .string], aggregates: node.aggregates)
        let table = (node.input as! OneMorselScan).table
        for batch in table.batches { try partial.add(batch, keys: node.keys, aggregates: node.aggregates) }
        return partial.raw && partial.rawRows == 40_000
    }

    @Test func contentHashesEqualTheTablesHashes() {
        let table = Self.table(rows: 3000, seed: 21, batchRows: 3000)
        let keys = Array(table.batches[0].columns[0..<4])
        let groups = GroupTable(types: keys.map(\.type))
        let ids = groups.insert(keys, count: 3000)
        let hashes = GroupTable.contentHashes(keys, count: 3000)
        #expect(ids.indices.allSatisfy { groups.hash(of: Int(ids[$0])) == hashes[$0] })
    }
}

/// Emits a table's batches as the parts of one major morsel, in order, from one task.
final class OneMorselScan: ExecutionNode, @unchecked Sendable {
    let table: Table
    let metrics = OperatorMetrics()
    var schema: Schema { table.schema }
    var children: [any ExecutionNode] { [] }
    var label: String { "OneMorselScan" }
    init(_ table: Table) { self.table = table }
    func run(_ context: ExecutionContext, _ consume: @escaping Consumer) throws(BatonError) {
        for (k, batch) in table.batches.enumerated() { try consume(batch, MorselID([0, k])) }
    }
}

extension OperatorTwinTests {
    /// One string key arriving as a dictionary in one batch and plain in the next (the CSV
    /// reader does that, range by range), nulls included, in one morsel and across morsels.
    @Test(arguments: [true, false])
    func oneStringKeyMixingDictionaryAndPlainBatches(oneMorsel: Bool) throws {
        let schema = try Schema([Field("k", .string)])
        let dictionary = try Batch(schema: schema, columns: [Column.dictionary([0, 1, nil, 1, 2], values: ["a", "b", "c"])])
        let plain = try Batch(schema: schema, columns: [Column.string(["b", "d", nil, "a", "d", "c"])])
        let table = Table(schema: schema, batches: [dictionary, plain, dictionary])
        let count = try AggregateCall.resolve(.countStar, arguments: [], types: [], text: "count(*)").get()
        let input: any ExecutionNode = oneMorsel ? OneMorselScan(table) : TableScan(table, name: "t")
        let node = try HashAggregate(input, keys: [0], aggregates: [count], names: ["k", "n"])
        let rows = Self.rows(try node.collect(ExecutionContext(threads: 2)))
        let counts = Dictionary(uniqueKeysWithValues: rows.map { ($0[0].description, $0[1]) })
        #expect(rows.count == 5)
        #expect(counts == ["a": .int64(3), "b": .int64(5), "c": .int64(3), "d": .int64(2), "NULL": .int64(3)])
    }
}
