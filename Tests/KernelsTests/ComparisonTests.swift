import Columns
import Testing
@testable import Kernels
import TestSupport

/// The scalar twin, over `Value.compare` (which orders NaN above numbers and compares
/// Int64 against Float64 exactly), with dates promoted to timestamps.
func comparisonTwin(_ op: ComparisonOperator, _ a: Value, _ b: Value) -> Value {
    func promote(_ v: Value) -> Value { if case .date(let d) = v { .timestamp(Int64(d) * 86_400_000_000) } else { v } }
    func canonical(_ v: Value) -> Value { if case .float64(let x) = v, x == 0 { .float64(0) } else { v } }
    var (x, y) = (canonical(a), canonical(b))
    if case .timestamp = y { x = promote(x) }
    if case .timestamp = x { y = promote(y) }
    switch op {
    case .isDistinctFrom, .isNotDistinctFrom:
        let distinct: Bool = if x.isNull || y.isNull { x.isNull != y.isNull } else { Value.compare(x, y)! != 0 }
        return .bool(op == .isDistinctFrom ? distinct : !distinct)
    default:
        guard let c = Value.compare(x, y) else { return .null }
        switch op {
        case .equal: return .bool(c == 0)
        case .notEqual: return .bool(c != 0)
        case .less: return .bool(c < 0)
        case .lessOrEqual: return .bool(c <= 0)
        case .greater: return .bool(c > 0)
        default: return .bool(c >= 0)
        }
    }
}

@Suite struct ComparisonTests {
    static let ops: [ComparisonOperator] = [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .isDistinctFrom, .isNotDistinctFrom]

    @Test func matchesScalarTwinOnRandomInput() {
        var g = SeededGenerator(seed: 2)
        for n in counts {
            let pairs: [(Column, Column)] = [
                (g.int64s(n), g.int64s(n)), (g.int64s(n), g.float64s(n)), (g.float64s(n), g.int64s(n)),
                (g.float64s(n), g.float64s(n)), (g.dates(n), g.dates(n)), (g.dates(n), g.timestamps(n)),
                (g.timestamps(n), g.dates(n)), (g.bools(n), g.bools(n)), (g.strings(n), g.strings(n)),
                (g.dictionary(n), g.strings(n)), (g.strings(n), g.dictionary(n)), (g.dictionary(n), g.dictionary(n)),
            ]
            for (l, r) in pairs {
                for op in Self.ops {
                    for (a, b) in shapes(l, r, &g) {
                        let result = Comparison.apply(op, a, b, count: n)
                        #expect(result.type == .bool && result.isConstant == (a.isConstant && b.isConstant))
                        let expected = zip(rows(a, n), rows(b, n)).map { comparisonTwin(op, $0, $1) }
                        #expect(rows(result, n) == expected, "\(l.type) \(op) \(r.type)")
                    }
                }
            }
        }
    }

    @Test func nanOrdering() {
        let nan = Vector.column(.float64([.nan, .nan, 1, .infinity]))
        let other = Vector.column(.float64([.nan, .infinity, .nan, .nan]))
        #expect(rows(Comparison.apply(.equal, nan, other, count: 4), 4) == [.bool(true), .bool(false), .bool(false), .bool(false)])
        #expect(rows(Comparison.apply(.greater, nan, other, count: 4), 4) == [.bool(false), .bool(true), .bool(false), .bool(false)])
        #expect(rows(Comparison.apply(.less, .column(.int64([Int64.max])), .constant(.float64(.nan), .float64), count: 1), 1) == [.bool(true)])
    }

    @Test func int64AgainstFloatIsExact() {
        // 2^53 + 1 rounds to 2^53 as a double; the comparison must still see it as larger.
        let big = Int64(1) << 53 + 1
        let r = Comparison.apply(.greater, .column(.int64([big, Int64.max])), .constant(.float64(9_007_199_254_740_992), .float64), count: 2)
        #expect(rows(r, 2) == [.bool(true), .bool(true)])
        let e = Comparison.apply(.equal, .column(.int64([Int64.max])), .constant(.float64(9_223_372_036_854_775_808.0), .float64), count: 1)
        #expect(rows(e, 1) == [.bool(false)])
    }

    @Test func distinctFromIsNeverNull() {
        let r = Comparison.apply(.isDistinctFrom, .column(.int64([1, nil, nil])), .column(.int64([1, 2, nil])), count: 3)
        #expect(rows(r, 3) == [.bool(false), .bool(true), .bool(false)])
        let c = Comparison.apply(.isNotDistinctFrom, .constant(.null, .string), .constant(.null, .string), count: 3)
        #expect(c.constantValue == .bool(true))
    }

    @Test func stringsByBytes() {
        let r = Comparison.apply(.less, .column(.string(["a", "B", "é", ""])), .constant(.string("b"), .string), count: 4)
        #expect(rows(r, 4) == [.bool(true), .bool(true), .bool(false), .bool(true)])
    }
}
