import Columns

/// One optional value of a column's type per group, for the aggregates that keep a value
/// (min, max, first, last).
final class ValueStore {
    let type: DataType
    var ints: [Int64] = []
    var floats: [Double] = []
    var dates: [Int32] = []
    var bools: [Bool] = []
    var strings: [[UInt8]] = []
    /// Whether group g holds a (non-null) value.
    var present: [Bool] = []

    init(_ type: DataType) { self.type = type }

    func grow(to groups: Int) {
        let extra = groups - present.count
        guard extra > 0 else { return }
        present += repeatElement(false, count: extra)
        switch type {
        case .int64, .timestamp: ints += repeatElement(0, count: extra)
        case .float64: floats += repeatElement(0, count: extra)
        case .date: dates += repeatElement(0, count: extra)
        case .bool: bools += repeatElement(false, count: extra)
        case .string: strings += repeatElement([], count: extra)
        }
    }

    /// Row `i` of `column` against group g's value: negative, zero or positive (SQL order:
    /// strings by bytes, NaN above every number).
    @inline(__always)
    func compare(_ column: Column, _ i: Int, _ g: Int) -> Int {
        switch column.storage {
        case .int64(let v): return v[i] < ints[g] ? -1 : (v[i] == ints[g] ? 0 : 1)
        case .int32(let v): return v[i] < dates[g] ? -1 : (v[i] == dates[g] ? 0 : 1)
        case .float64(let v): return Value.compareFloats(v[i], floats[g])
        case .bool(let v): return (v[i] ? 1 : 0) - (bools[g] ? 1 : 0)
        case .string, .dictionary:
            return withStringBytes(column, i) { a in
                strings[g].withUnsafeBytes { b in compareBytes(a, b) }
            }
        }
    }

    @inline(__always)
    func store(_ column: Column, _ i: Int, _ g: Int) {
        present[g] = true
        switch column.storage {
        case .int64(let v): ints[g] = v[i]
        case .int32(let v): dates[g] = v[i]
        case .float64(let v): floats[g] = v[i]
        case .bool(let v): bools[g] = v[i]
        case .string, .dictionary: strings[g] = withStringBytes(column, i) { Array($0) }
        }
    }

    /// `other`'s group f compared with this store's group t.
    func compare(_ other: ValueStore, _ f: Int, _ t: Int) -> Int {
        switch type {
        case .int64, .timestamp: other.ints[f] < ints[t] ? -1 : (other.ints[f] == ints[t] ? 0 : 1)
        case .date: other.dates[f] < dates[t] ? -1 : (other.dates[f] == dates[t] ? 0 : 1)
        case .float64: Value.compareFloats(other.floats[f], floats[t])
        case .bool: (other.bools[f] ? 1 : 0) - (bools[t] ? 1 : 0)
        case .string: other.strings[f].withUnsafeBytes { a in strings[t].withUnsafeBytes { b in compareBytes(a, b) } }
        }
    }

    func copy(from other: ValueStore, _ f: Int, to t: Int) {
        present[t] = other.present[f]
        switch type {
        case .int64, .timestamp: ints[t] = other.ints[f]
        case .date: dates[t] = other.dates[f]
        case .float64: floats[t] = other.floats[f]
        case .bool: bools[t] = other.bools[f]
        case .string: strings[t] = other.strings[f]
        }
    }

    func column(count: Int) -> Column {
        let validity = Bitmap(Array(present.prefix(count)))
        return switch type {
        case .int64, .timestamp: Column(type, .int64(Array(ints.prefix(count))), validity: validity)
        case .date: Column(type, .int32(Array(dates.prefix(count))), validity: validity)
        case .float64: Column(type, .float64(Array(floats.prefix(count))), validity: validity)
        case .bool: Column(type, .bool(Bitmap(Array(bools.prefix(count)))), validity: validity)
        case .string:
            Column(type, .string(StringArray(strings.prefix(count).map { String(decoding: $0, as: UTF8.self) })), validity: validity)
        }
    }
}

/// The bytes of row `i` of a string or dictionary column.
@inline(__always)
func withStringBytes<R>(_ column: Column, _ i: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    switch column.storage {
    case .string(let s): s.withBytes(at: i, body)
    case .dictionary(let codes, let values): values.withBytes(at: Int(codes[i]), body)
    default: preconditionFailure("not a string column")
    }
}

/// Byte-wise order (which is code point order for UTF-8).
@inline(__always)
func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let n = min(a.count, b.count)
    for k in 0..<n where a[k] != b[k] { return a[k] < b[k] ? -1 : 1 }
    return a.count < b.count ? -1 : (a.count == b.count ? 0 : 1)
}

/// min and max.
final class ExtremeState: AggregateState {
    let store: ValueStore
    let keepsMaximum: Bool
    init(_ type: DataType, keepsMaximum: Bool) {
        store = ValueStore(type)
        self.keepsMaximum = keepsMaximum
    }
    func grow(to groups: Int) { store.grow(to: groups) }
    func update(groups: [Int32], arguments: [Column]) {
        let column = arguments[0]
        let validity = column.validity
        switch column.storage {
        case .int64(let v): Self.fold(v, groups, validity, &store.ints, &store.present, keepsMaximum) { $0 < $1 }
        case .int32(let v): Self.fold(v, groups, validity, &store.dates, &store.present, keepsMaximum) { $0 < $1 }
        case .float64(let v):
            Self.fold(v, groups, validity, &store.floats, &store.present, keepsMaximum) { Value.compareFloats($0, $1) < 0 }
        default:
            let sign = keepsMaximum ? 1 : -1
            for (i, g32) in groups.enumerated() where validity?[i] ?? true {
                let g = Int(g32)
                if !store.present[g] || store.compare(column, i, g) * sign > 0 { store.store(column, i, g) }
            }
        }
    }

    /// The typed merge for fixed-width values.
    private static func combine<T>(_ values: [T], _ valuePresent: [Bool], _ from: [Int32], _ to: [Int32], _ best: inout [T],
                                   _ present: inout [Bool], _ keepsMaximum: Bool, _ less: (T, T) -> Bool) {
        best.withUnsafeMutableBufferPointer { b in
            present.withUnsafeMutableBufferPointer { p in
                for i in from.indices {
                    let f = Int(from[i]), t = Int(to[i])
                    guard valuePresent[f] else { continue }
                    let x = values[f]
                    if !p[t] || (keepsMaximum ? less(b[t], x) : less(x, b[t])) {
                        b[t] = x
                        p[t] = true
                    }
                }
            }
        }
    }

    /// The typed loop for fixed-width values: one pass, no per-row dispatch.
    private static func fold<T>(_ values: [T], _ groups: [Int32], _ validity: Bitmap?, _ best: inout [T], _ present: inout [Bool],
                                _ keepsMaximum: Bool, _ less: (T, T) -> Bool) {
        values.withUnsafeBufferPointer { v in
            best.withUnsafeMutableBufferPointer { b in
                present.withUnsafeMutableBufferPointer { p in
                    for (i, g32) in groups.enumerated() where validity?[i] ?? true {
                        let g = Int(g32)
                        let x = v[i]
                        if !p[g] || (keepsMaximum ? less(b[g], x) : less(x, b[g])) {
                            b[g] = x
                            p[g] = true
                        }
                    }
                }
            }
        }
    }
    func merge(_ other: any AggregateState, from: [Int32], to: [Int32]) {
        let o = (other as! ExtremeState).store
        switch store.type {
        case .int64, .timestamp:
            Self.combine(o.ints, o.present, from, to, &store.ints, &store.present, keepsMaximum) { $0 < $1 }
            return
        case .date:
            Self.combine(o.dates, o.present, from, to, &store.dates, &store.present, keepsMaximum) { $0 < $1 }
            return
        case .float64:
            Self.combine(o.floats, o.present, from, to, &store.floats, &store.present, keepsMaximum) { Value.compareFloats($0, $1) < 0 }
            return
        default:
            break
        }
        let sign = keepsMaximum ? 1 : -1
        for (f, t) in zip(from.map(Int.init), to.map(Int.init)) where o.present[f] {
            if !store.present[t] || store.compare(o, f, t) * sign > 0 { store.copy(from: o, f, to: t) }
        }
    }
    func finish(count: Int) -> Column { store.column(count: count) }
}

/// first and last: the value (null or not) of a group's first or last row in input order.
final class PositionalState: AggregateState {
    let store: ValueStore
    let keepsLast: Bool
    var set: [Bool] = []
    init(_ type: DataType, keepsLast: Bool) {
        store = ValueStore(type)
        self.keepsLast = keepsLast
    }
    func grow(to groups: Int) {
        store.grow(to: groups)
        if set.count < groups { set += repeatElement(false, count: groups - set.count) }
    }
    func update(groups: [Int32], arguments: [Column]) {
        let column = arguments[0]
        for (i, g32) in groups.enumerated() {
            let g = Int(g32)
            guard keepsLast || !set[g] else { continue }
            set[g] = true
            if column.isNull(i) { store.present[g] = false } else { store.store(column, i, g) }
        }
    }
    func merge(_ other: any AggregateState, from: [Int32], to: [Int32]) {
        let o = other as! PositionalState
        for (f, t) in zip(from.map(Int.init), to.map(Int.init)) where o.set[f] && (keepsLast || !set[t]) {
            set[t] = true
            store.copy(from: o.store, f, to: t)
        }
    }
    func finish(count: Int) -> Column { store.column(count: count) }
}

/// median and quantiles: every value is kept, then each group's values are brought together
/// once and the wanted order statistic selected. Continuous quantiles interpolate between the
/// two nearest values (numbers only); discrete ones return the value at index ⌈q·n⌉ − 1, as
/// DuckDB does.
///
/// Rows arrive one by one (`update`, with their group) or as a whole group of another state
/// (`merge`: a run of values). An order statistic does not depend on the order of the values,
/// so a state keeps both kinds side by side and groups them only when asked: `seal` (a partial
/// about to be merged) lays each group's values out contiguously, so a merge copies runs
/// instead of gathering values one by one; `finish` does the same and selects in place.
final class QuantileState: AggregateState {
    let type: DataType
    let fraction: Double
    let continuous: Bool
    private var groupCount = 0
    /// Values of single rows, and each one's group.
    private var owners: [Int32] = []
    private var rowInts: [Int64] = []
    private var rowFloats: [Double] = []
    private var rowStrings: [[UInt8]] = []
    /// Values merged as whole groups: each run is `count` values from `start` of the run arrays.
    private var runs: [(group: Int32, start: Int, count: Int)] = []
    private var runInts: [Int64] = []
    private var runFloats: [Double] = []
    private var runStrings: [[UInt8]] = []
    /// After `seal`: every value, grouped (group g's at `starts[g]..<starts[g + 1]`).
    private var starts: [Int] = []
    private var groupedInts: [Int64] = []
    private var groupedFloats: [Double] = []
    private var groupedStrings: [[UInt8]] = []

    init(_ type: DataType, fraction: Double, continuous: Bool) {
        self.type = type
        self.fraction = fraction
        self.continuous = continuous
    }

    func grow(to groups: Int) { groupCount = max(groupCount, groups) }

    /// Strings counted at a typical 40 bytes (array header and a short value).
    var extraBytes: Int {
        owners.count * 4 + runs.count * 24 + starts.count * 8
            + (rowInts.count + runInts.count + groupedInts.count + rowFloats.count + runFloats.count + groupedFloats.count) * 8
            + (rowStrings.count + runStrings.count + groupedStrings.count) * 40
    }

    func update(groups: [Int32], arguments: [Column]) {
        let column = arguments[0]
        let validity = column.validity
        var owners = self.owners
        self.owners = []
        defer { self.owners = owners }
        switch column.storage {
        case .int64(let v):
            var values = rowInts
            rowInts = []
            for (i, g) in groups.enumerated() where validity?[i] ?? true { owners.append(g); values.append(v[i]) }
            rowInts = values
        case .int32(let v):
            var values = rowInts
            rowInts = []
            for (i, g) in groups.enumerated() where validity?[i] ?? true { owners.append(g); values.append(Int64(v[i])) }
            rowInts = values
        case .float64(let v):
            var values = rowFloats
            rowFloats = []
            if validity == nil {
                owners.append(contentsOf: groups)
                values.append(contentsOf: v)
            } else {
                for (i, g) in groups.enumerated() where validity?[i] ?? true { owners.append(g); values.append(v[i]) }
            }
            rowFloats = values
        case .string, .dictionary:
            for (i, g) in groups.enumerated() where validity?[i] ?? true {
                owners.append(g)
                rowStrings.append(withStringBytes(column, i) { Array($0) })
            }
        case .bool: preconditionFailure()
        }
    }

    /// Every value held, laid out group by group, with where each group starts: a counting
    /// pass over groups, then runs copied whole and single rows put in place.
    private static func grouped<T>(groupCount: Int, owners: [Int32], rows: [T], runs: [(group: Int32, start: Int, count: Int)],
                                   runValues: [T], filler: T) -> (starts: [Int], values: [T]) {
        var starts = [Int](repeating: 0, count: groupCount + 1)
        for g in owners { starts[Int(g) + 1] += 1 }
        for run in runs { starts[Int(run.group) + 1] += run.count }
        for g in 0..<groupCount { starts[g + 1] += starts[g] }
        var next = starts
        var values = [T](repeating: filler, count: starts[groupCount])
        values.withUnsafeMutableBufferPointer { out in
            runValues.withUnsafeBufferPointer { source in
                for run in runs {
                    let at = next[Int(run.group)]
                    for k in 0..<run.count { out[at + k] = source[run.start + k] }
                    next[Int(run.group)] = at + run.count
                }
            }
            rows.withUnsafeBufferPointer { source in
                for (k, g) in owners.enumerated() {
                    out[next[Int(g)]] = source[k]
                    next[Int(g)] += 1
                }
            }
        }
        return (starts, values)
    }

    /// Lays the values out group by group (once the state takes no more rows).
    func seal() {
        guard starts.isEmpty else { return }
        switch type {
        case .float64:
            (starts, groupedFloats) = Self.grouped(groupCount: groupCount, owners: owners, rows: rowFloats, runs: runs,
                                                   runValues: runFloats, filler: 0)
            (rowFloats, runFloats) = ([], [])
        case .string:
            (starts, groupedStrings) = Self.grouped(groupCount: groupCount, owners: owners, rows: rowStrings, runs: runs,
                                                    runValues: runStrings, filler: [])
            (rowStrings, runStrings) = ([], [])
        default:
            (starts, groupedInts) = Self.grouped(groupCount: groupCount, owners: owners, rows: rowInts, runs: runs,
                                                 runValues: runInts, filler: 0)
            (rowInts, runInts) = ([], [])
        }
        (owners, runs) = ([], [])
    }

    func merge(_ other: any AggregateState, from: [Int32], to: [Int32]) {
        let o = other as! QuantileState
        precondition(!o.starts.isEmpty || o.groupCount == 0, "merging a quantile state that was not sealed")
        let starts = o.starts
        var runs = self.runs
        self.runs = []
        defer { self.runs = runs }
        func copy<T>(_ source: [T], into values: inout [T]) {
            for (f, t) in zip(from, to) {
                let range = starts[Int(f)]..<starts[Int(f) + 1]
                guard !range.isEmpty else { continue }
                runs.append((t, values.count, range.count))
                values.append(contentsOf: source[range])
            }
        }
        guard !starts.isEmpty else { return }
        switch type {
        case .float64:
            var values = runFloats
            runFloats = []
            copy(o.groupedFloats, into: &values)
            runFloats = values
        case .string:
            var values = runStrings
            runStrings = []
            copy(o.groupedStrings, into: &values)
            runStrings = values
        default:
            var values = runInts
            runInts = []
            copy(o.groupedInts, into: &values)
            runInts = values
        }
    }

    /// (lower index, upper index, fraction between them) for n sorted values.
    private func position(_ n: Int) -> (Int, Int, Double) {
        if continuous && (type == .int64 || type == .float64) {
            let rn = Double(n - 1) * fraction
            let lo = Int(rn.rounded(.down))
            return (lo, Int(rn.rounded(.up)), rn - Double(lo))
        }
        let index = max(1, Int((fraction * Double(n)).rounded(.up))) - 1
        return (index, index, 0)
    }

    func finish(count: Int) -> Column {
        grow(to: count)
        seal()
        var valid = [Bool](repeating: false, count: count)
        let starts = self.starts
        switch type {
        case .float64:
            var all = groupedFloats
            groupedFloats = []
            let below = { (a: Double, b: Double) -> Bool in a < b || (b.isNaN && !a.isNaN) }
            let values = all.withUnsafeMutableBufferPointer { all in
                (0..<count).map { g -> Double in
                    let members = UnsafeMutableBufferPointer(rebasing: all[starts[g]..<starts[g + 1]])
                    guard !members.isEmpty else { return 0 }
                    valid[g] = true
                    let (lo, hi, t) = position(members.count)
                    let low = select(members, lo, below)
                    // The next order statistic is the least value above position lo.
                    let high = hi == lo ? low : members[(lo + 1)...].min(by: below)!
                    return lo == hi ? low : low + (high - low) * t
                }
            }
            return Column(.float64, .float64(values), validity: Bitmap(valid))
        case .string:
            let values = (0..<count).map { g -> String in
                let members = groupedStrings[starts[g]..<starts[g + 1]]
                guard !members.isEmpty else { return "" }
                valid[g] = true
                let sorted = members.sorted { a, b in
                    a.withUnsafeBytes { x in b.withUnsafeBytes { y in compareBytes(x, y) < 0 } }
                }
                return String(decoding: sorted[position(sorted.count).0], as: UTF8.self)
            }
            return Column(.string, .string(StringArray(values)), validity: Bitmap(valid))
        default:
            var picked = [Int64](repeating: 0, count: count)
            var interpolated = [Double](repeating: 0, count: count)
            var all = groupedInts
            groupedInts = []
            all.withUnsafeMutableBufferPointer { all in
                for g in 0..<count {
                    let members = UnsafeMutableBufferPointer(rebasing: all[starts[g]..<starts[g + 1]])
                    guard !members.isEmpty else { continue }
                    valid[g] = true
                    let (lo, hi, t) = position(members.count)
                    let low = select(members, lo, <)
                    let high = hi == lo ? low : members[(lo + 1)...].min()!
                    picked[g] = low
                    interpolated[g] = lo == hi ? Double(low) : Double(low) + Double(high - low) * t
                }
            }
            switch type {
            case .int64 where continuous: return Column(.float64, .float64(interpolated), validity: Bitmap(valid))
            case .date: return Column(.date, .int32(picked.map { Int32(truncatingIfNeeded: $0) }), validity: Bitmap(valid))
            default: return Column(type, .int64(picked), validity: Bitmap(valid))
            }
        }
    }
}

/// The value that would be at position `k` if `values` were sorted (Hoare's quickselect,
/// median-of-three pivots): expected O(n), against O(n log n) for a sort. Afterwards
/// `values[..<k]` are at most it and `values[(k + 1)...]` at least it.
@inline(__always)
func select<T>(_ values: UnsafeMutableBufferPointer<T>, _ k: Int, _ less: (T, T) -> Bool) -> T {
    var lo = 0, hi = values.count - 1
    while lo < hi {
        let mid = lo + (hi - lo) / 2
        // Median of three as the pivot, moved to `hi`.
        if less(values[mid], values[lo]) { values.swapAt(mid, lo) }
        if less(values[hi], values[lo]) { values.swapAt(hi, lo) }
        if less(values[mid], values[hi]) { values.swapAt(mid, hi) }
        let pivot = values[hi]
        var store = lo
        for i in lo..<hi where less(values[i], pivot) {
            values.swapAt(i, store)
            store += 1
        }
        values.swapAt(store, hi)
        if store == k { return values[k] }
        if k < store { hi = store - 1 } else { lo = store + 1 }
    }
    return values[k]
}

/// count(DISTINCT x): the set of a group's distinct non-null values.
final class DistinctCountState: AggregateState {
    var words: [Set<UInt64>] = []
    var strings: [Set<[UInt8]>] = []
    /// Values held over all groups.
    private var held = 0
    /// About 16 bytes a number and 48 a string in a set.
    var extraBytes: Int { held * 24 }
    func grow(to groups: Int) {
        if words.count < groups {
            words += repeatElement([], count: groups - words.count)
            strings += repeatElement([], count: groups - strings.count)
        }
    }
    func update(groups: [Int32], arguments: [Column]) {
        let column = arguments[0]
        let validity = column.validity
        for (i, g32) in groups.enumerated() where validity?[i] ?? true {
            let g = Int(g32)
            switch column.storage {
            case .int64(let v): held += words[g].insert(UInt64(bitPattern: v[i])).inserted ? 1 : 0
            case .int32(let v): held += words[g].insert(UInt64(bitPattern: Int64(v[i]))).inserted ? 1 : 0
            case .float64(let v):
                let d = v[i]
                held += words[g].insert(d.isNaN ? Double.nan.bitPattern : (d == 0 ? 0 : d.bitPattern)).inserted ? 1 : 0
            case .bool(let v): held += words[g].insert(v[i] ? 1 : 0).inserted ? 1 : 0
            case .string, .dictionary: held += strings[g].insert(withStringBytes(column, i) { Array($0) }).inserted ? 2 : 0
            }
        }
    }
    func merge(_ other: any AggregateState, from: [Int32], to: [Int32]) {
        let o = other as! DistinctCountState
        for (f, t) in zip(from.map(Int.init), to.map(Int.init)) {
            let before = words[t].count + 2 * strings[t].count
            words[t].formUnion(o.words[f])
            strings[t].formUnion(o.strings[f])
            held += words[t].count + 2 * strings[t].count - before
        }
    }
    func finish(count: Int) -> Column {
        Column(.int64, .int64((0..<count).map { Int64(words[$0].count + strings[$0].count) }))
    }
}
