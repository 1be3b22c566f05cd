import Columns

/// The running state of one aggregate for every group of a hash table, in arrays indexed by
/// group. `update` folds a batch in (one typed loop per call: dispatch is per batch);
/// `merge` folds another table's states in, group by group, which is how per-morsel partials
/// combine; `finish` gives the result column.
protocol AggregateState: AnyObject {
    func grow(to groups: Int)
    /// `groups[i]` is the group of row `i` of the dense `arguments`.
    func update(groups: [Int32], arguments: [Column]) throws(BatonError)
    /// Folds `other`'s group `from[i]` into this state's group `to[i]`, for every `i`.
    func merge(_ other: any AggregateState, from: [Int32], to: [Int32]) throws(BatonError)
    func finish(count: Int) -> Column
    /// Called once a partial takes no more rows, before other states merge it (concurrently,
    /// read-only): a chance to index what it holds.
    func seal()
    /// Bytes held beyond a few words per group, for the memory budget: the values kept by
    /// quantiles and count(DISTINCT).
    var extraBytes: Int { get }
}

extension AggregateState {
    func seal() {}
    var extraBytes: Int { 0 }
}

/// count(*) and count(x).
final class CountState: AggregateState {
    let star: Bool
    var counts: [Int64] = []
    init(star: Bool) { self.star = star }
    func grow(to groups: Int) { if counts.count < groups { counts += repeatElement(0, count: groups - counts.count) } }
    func update(groups: [Int32], arguments: [Column]) {
        counts.withUnsafeMutableBufferPointer { c in
            if star || arguments[0].validity == nil {
                for g in groups { c[Int(g)] &+= 1 }
            } else {
                let validity = arguments[0].validity!
                for (i, g) in groups.enumerated() where validity[i] { c[Int(g)] &+= 1 }
            }
        }
    }
    func merge(_ other: any AggregateState, from: [Int32], to: [Int32]) {
        let o = (other as! CountState).counts
        counts.withUnsafeMutableBufferPointer { c in
            for i in from.indices { c[Int(to[i])] &+= o[Int(from[i])] }
        }
    }
    func finish(count: Int) -> Column { Column(.int64, .int64(Array(counts.prefix(count)))) }
}

/// sum over Int64: exact, an error on overflow rather than a wrapped total.
final class SumIntState: AggregateState {
    var sums: [Int64] = []
    var seen: [Bool] = []
    func grow(to groups: Int) {
        if sums.count < groups {
            sums += repeatElement(0, count: groups - sums.count)
            seen += repeatElement(false, count: groups - seen.count)
        }
    }
    func update(groups: [Int32], arguments: [Column]) throws(BatonError) {
        guard case .int64(let values) = arguments[0].storage else { preconditionFailure() }
        let validity = arguments[0].validity
        var overflow = false
        sums.withUnsafeMutableBufferPointer { s in
            seen.withUnsafeMutableBufferPointer { seen in
                values.withUnsafeBufferPointer { v in
                    for (i, g) in groups.enumerated() where validity?[i] ?? true {
                        let (total, o) = s[Int(g)].addingReportingOverflow(v[i])
                        s[Int(g)] = total
                        overflow = overflow || o
                        seen[Int(g)] = true
                    }
                }
            }
        }
        if overflow { throw Self.overflowError }
    }
    static let overflowError = BatonError(.invalidInput, "sum overflowed Int64",
                                          hint: "sum a CAST(x AS DOUBLE) for an approximate total")
    func merge(_ other: any AggregateState, from: [Int32], to: [Int32]) throws(BatonError) {
        let o = other as! SumIntState
        let (oSums, oSeen) = (o.sums, o.seen)
        var overflow = false
        sums.withUnsafeMutableBufferPointer { s in
            seen.withUnsafeMutableBufferPointer { seen in
                for i in from.indices where oSeen[Int(from[i])] {
                    let t = Int(to[i])
                    let (total, o) = s[t].addingReportingOverflow(oSums[Int(from[i])])
                    s[t] = total
                    overflow = overflow || o
                    seen[t] = true
                }
            }
        }
        if overflow { throw Self.overflowError }
    }
    func finish(count: Int) -> Column {
        Column(.int64, .int64(Array(sums.prefix(count))), validity: Bitmap(Array(seen.prefix(count))))
    }
}

/// sum over Float64, added in row order within a morsel and in morsel order across them.
final class SumFloatState: AggregateState {
    var sums: [Double] = []
    var seen: [Bool] = []
    func grow(to groups: Int) {
        if sums.count < groups {
            sums += repeatElement(0, count: groups - sums.count)
            seen += repeatElement(false, count: groups - seen.count)
        }
    }
    func update(groups: [Int32], arguments: [Column]) {
        guard case .float64(let values) = arguments[0].storage else { preconditionFailure() }
        let validity = arguments[0].validity
        sums.withUnsafeMutableBufferPointer { s in
            seen.withUnsafeMutableBufferPointer { seen in
                values.withUnsafeBufferPointer { v in
                    if validity == nil {
                        for (i, g) in groups.enumerated() { s[Int(g)] += v[i]; seen[Int(g)] = true }
                    } else {
                        for (i, g) in groups.enumerated() where validity![i] { s[Int(g)] += v[i]; seen[Int(g)] = true }
                    }
                }
            }
        }
    }
    func merge(_ other: any AggregateState, from: [Int32], to: [Int32]) {
        let o = other as! SumFloatState
        let (oSums, oSeen) = (o.sums, o.seen)
        sums.withUnsafeMutableBufferPointer { s in
            seen.withUnsafeMutableBufferPointer { seen in
                for i in from.indices where oSeen[Int(from[i])] {
                    s[Int(to[i])] += oSums[Int(from[i])]
                    seen[Int(to[i])] = true
                }
            }
        }
    }
    func finish(count: Int) -> Column {
        Column(.float64, .float64(Array(sums.prefix(count))), validity: Bitmap(Array(seen.prefix(count))))
    }
}

/// avg: an exact Int64 total for integers (then one division), a Float64 total otherwise.
final class AvgState: AggregateState {
    let integer: Bool
    var intSums: [Int64] = []
    var sums: [Double] = []
    var counts: [Int64] = []
    init(integer: Bool) { self.integer = integer }
    func grow(to groups: Int) {
        if counts.count < groups {
            let extra = groups - counts.count
            counts += repeatElement(0, count: extra)
            if integer { intSums += repeatElement(0, count: extra) } else { sums += repeatElement(0, count: extra) }
        }
    }
    func update(groups: [Int32], arguments: [Column]) throws(BatonError) {
        let validity = arguments[0].validity
        switch arguments[0].storage {
        case .int64(let values):
            var overflow = false
            intSums.withUnsafeMutableBufferPointer { s in
                counts.withUnsafeMutableBufferPointer { c in
                    for (i, g) in groups.enumerated() where validity?[i] ?? true {
                        let (total, o) = s[Int(g)].addingReportingOverflow(values[i])
                        s[Int(g)] = total
                        overflow = overflow || o
                        c[Int(g)] &+= 1
                    }
                }
            }
            if overflow { throw SumIntState.overflowError }
        case .float64(let values):
            sums.withUnsafeMutableBufferPointer { s in
                counts.withUnsafeMutableBufferPointer { c in
                    for (i, g) in groups.enumerated() where validity?[i] ?? true {
                        s[Int(g)] += values[i]
                        c[Int(g)] &+= 1
                    }
                }
            }
        default: preconditionFailure()
        }
    }
    func merge(_ other: any AggregateState, from: [Int32], to: [Int32]) throws(BatonError) {
        let o = other as! AvgState
        let (oInts, oSums, oCounts) = (o.intSums, o.sums, o.counts)
        var overflow = false
        counts.withUnsafeMutableBufferPointer { c in
            if integer {
                intSums.withUnsafeMutableBufferPointer { s in
                    for i in from.indices {
                        let t = Int(to[i]), f = Int(from[i])
                        let (total, o) = s[t].addingReportingOverflow(oInts[f])
                        s[t] = total
                        overflow = overflow || o
                        c[t] &+= oCounts[f]
                    }
                }
            } else {
                sums.withUnsafeMutableBufferPointer { s in
                    for i in from.indices {
                        let t = Int(to[i]), f = Int(from[i])
                        s[t] += oSums[f]
                        c[t] &+= oCounts[f]
                    }
                }
            }
        }
        if overflow { throw SumIntState.overflowError }
    }
    func finish(count: Int) -> Column {
        let values = (0..<count).map { g in
            counts[g] == 0 ? 0 : (integer ? Double(intSums[g]) : sums[g]) / Double(counts[g])
        }
        return Column(.float64, .float64(values), validity: Bitmap((0..<count).map { counts[$0] > 0 }))
    }
}

/// variance and standard deviation by Welford's update, merged with Chan's formula.
final class MomentState: AggregateState {
    let kind: AggregateKind
    var n: [Double] = []
    var mean: [Double] = []
    var m2: [Double] = []
    init(_ kind: AggregateKind) { self.kind = kind }
    func grow(to groups: Int) {
        if n.count < groups {
            let extra = groups - n.count
            n += repeatElement(0, count: extra)
            mean += repeatElement(0, count: extra)
            m2 += repeatElement(0, count: extra)
        }
    }
    func update(groups: [Int32], arguments: [Column]) {
        let validity = arguments[0].validity
        let xs = doubles(arguments[0])
        n.withUnsafeMutableBufferPointer { n in
            mean.withUnsafeMutableBufferPointer { mean in
                m2.withUnsafeMutableBufferPointer { m2 in
                    for (i, g32) in groups.enumerated() where validity?[i] ?? true {
                        let g = Int(g32)
                        let x = xs[i]
                        n[g] += 1
                        let d = x - mean[g]
                        mean[g] += d / n[g]
                        m2[g] += d * (x - mean[g])
                    }
                }
            }
        }
    }
    func merge(_ other: any AggregateState, from: [Int32], to: [Int32]) {
        let o = other as! MomentState
        for (f, t) in zip(from.map(Int.init), to.map(Int.init)) where o.n[f] > 0 {
            let total = n[t] + o.n[f]
            let d = o.mean[f] - mean[t]
            m2[t] += o.m2[f] + d * d * n[t] * o.n[f] / total
            mean[t] += d * o.n[f] / total
            n[t] = total
        }
    }
    func finish(count: Int) -> Column {
        let sample = kind == .stddevSamp || kind == .varSamp
        let root = kind == .stddevSamp || kind == .stddevPop
        var valid = [Bool](repeating: false, count: count)
        let values = (0..<count).map { g -> Double in
            let divisor = sample ? n[g] - 1 : n[g]
            guard divisor > 0 else { return 0 }
            valid[g] = true
            let variance = max(0, m2[g] / divisor)
            return root ? variance.squareRoot() : variance
        }
        return Column(.float64, .float64(values), validity: Bitmap(valid))
    }
}

/// corr(y, x): Pearson's coefficient from co-moments, updated and merged like MomentState.
final class CorrelationState: AggregateState {
    var n: [Double] = [], meanX: [Double] = [], meanY: [Double] = []
    var m2x: [Double] = [], m2y: [Double] = [], cxy: [Double] = []
    func grow(to groups: Int) {
        if n.count < groups {
            let extra = repeatElement(0.0, count: groups - n.count)
            n += extra; meanX += extra; meanY += extra; m2x += extra; m2y += extra; cxy += extra
        }
    }
    func update(groups: [Int32], arguments: [Column]) {
        let ys = doubles(arguments[0]), xs = doubles(arguments[1])
        let vy = arguments[0].validity, vx = arguments[1].validity
        n.withUnsafeMutableBufferPointer { n in
        meanX.withUnsafeMutableBufferPointer { meanX in
        meanY.withUnsafeMutableBufferPointer { meanY in
        m2x.withUnsafeMutableBufferPointer { m2x in
        m2y.withUnsafeMutableBufferPointer { m2y in
        cxy.withUnsafeMutableBufferPointer { cxy in
            for i in groups.indices where (vy?[i] ?? true) && (vx?[i] ?? true) {
                let g = Int(groups[i])
                let y = ys[i], x = xs[i]
                n[g] += 1
                let dx = x - meanX[g]
                meanX[g] += dx / n[g]
                let dy = y - meanY[g]
                meanY[g] += dy / n[g]
                m2x[g] += dx * (x - meanX[g])
                m2y[g] += dy * (y - meanY[g])
                cxy[g] += dx * (y - meanY[g])
            }
        }
        }
        }
        }
        }
        }
    }
    func merge(_ other: any AggregateState, from: [Int32], to: [Int32]) {
        let o = other as! CorrelationState
        for (f, t) in zip(from.map(Int.init), to.map(Int.init)) where o.n[f] > 0 {
            let total = n[t] + o.n[f]
            let dx = o.meanX[f] - meanX[t], dy = o.meanY[f] - meanY[t]
            let w = n[t] * o.n[f] / total
            m2x[t] += o.m2x[f] + dx * dx * w
            m2y[t] += o.m2y[f] + dy * dy * w
            cxy[t] += o.cxy[f] + dx * dy * w
            meanX[t] += dx * o.n[f] / total
            meanY[t] += dy * o.n[f] / total
            n[t] = total
        }
    }
    func finish(count: Int) -> Column {
        var valid = [Bool](repeating: false, count: count)
        let values = (0..<count).map { g -> Double in
            // As DuckDB: null without rows, NaN when either side has no variance (0 / 0).
            guard n[g] > 0 else { return 0 }
            valid[g] = true
            return cxy[g] / (m2x[g] * m2y[g]).squareRoot()
        }
        return Column(.float64, .float64(values), validity: Bitmap(valid))
    }
}

/// bool_and / bool_or.
final class BoolState: AggregateState {
    let all: Bool
    var values: [Bool] = []
    var seen: [Bool] = []
    init(all: Bool) { self.all = all }
    func grow(to groups: Int) {
        if values.count < groups {
            values += repeatElement(all, count: groups - values.count)
            seen += repeatElement(false, count: groups - seen.count)
        }
    }
    func update(groups: [Int32], arguments: [Column]) {
        guard case .bool(let bits) = arguments[0].storage else { preconditionFailure() }
        let validity = arguments[0].validity
        for (i, g) in groups.enumerated() where validity?[i] ?? true {
            values[Int(g)] = all ? values[Int(g)] && bits[i] : values[Int(g)] || bits[i]
            seen[Int(g)] = true
        }
    }
    func merge(_ other: any AggregateState, from: [Int32], to: [Int32]) {
        let o = other as! BoolState
        for (f, t) in zip(from.map(Int.init), to.map(Int.init)) where o.seen[f] {
            values[t] = all ? values[t] && o.values[f] : values[t] || o.values[f]
            seen[t] = true
        }
    }
    func finish(count: Int) -> Column {
        Column(.bool, .bool(Bitmap(Array(values.prefix(count)))), validity: Bitmap(Array(seen.prefix(count))))
    }
}

/// Calls `body(row, value)` with every value of an Int64 or Float64 column as a Double.
func forEachDouble(_ column: Column, _ body: (Int, Double) -> Void) {
    switch column.storage {
    case .int64(let v): for (i, x) in v.enumerated() { body(i, Double(x)) }
    case .float64(let v): for (i, x) in v.enumerated() { body(i, x) }
    default: preconditionFailure("not numeric")
    }
}

func doubles(_ column: Column) -> [Double] {
    switch column.storage {
    case .int64(let v): v.map(Double.init)
    case .float64(let v): v
    default: preconditionFailure("not numeric")
    }
}
