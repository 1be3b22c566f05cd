import Columns
import Testing
@testable import Kernels
import TestSupport

/// Scalar twins of three-valued logic.
func andTwin(_ a: Value, _ b: Value) -> Value {
    if a == .bool(false) || b == .bool(false) { return .bool(false) }
    if a.isNull || b.isNull { return .null }
    return .bool(true)
}

func orTwin(_ a: Value, _ b: Value) -> Value {
    if a == .bool(true) || b == .bool(true) { return .bool(true) }
    if a.isNull || b.isNull { return .null }
    return .bool(false)
}

func inTwin(_ x: Value, _ list: [Value], negated: Bool) -> Value {
    if x.isNull { return .null }
    let found = list.contains { Value.compare(x, $0) == 0 }
    if !found && list.contains(where: \.isNull) { return .null }
    return .bool(found != negated)
}

@Suite struct LogicTests {
    @Test func andOrNotMatchTwins() {
        var g = SeededGenerator(seed: 3)
        for n in counts {
            for (a, b) in shapes(g.bools(n), g.bools(n), &g) {
                let ra = rows(a, n), rb = rows(b, n)
                #expect(rows(Logic.and(a, b, count: n), n) == zip(ra, rb).map(andTwin))
                #expect(rows(Logic.or(a, b, count: n), n) == zip(ra, rb).map(orTwin))
                #expect(Logic.and(a, b, count: n).isConstant == (a.isConstant && b.isConstant))
                #expect(rows(Logic.not(a, count: n), n) == ra.map { if case .bool(let x) = $0 { .bool(!x) } else { .null } })
                #expect(rows(Logic.isNull(a, negated: false, count: n), n) == ra.map { .bool($0.isNull) })
                #expect(rows(Logic.isNull(a, negated: true, count: n), n) == ra.map { .bool(!$0.isNull) })
                let mask = Logic.trueMask(a, count: n)
                #expect((0..<n).map { mask[$0] } == ra.map { $0 == .bool(true) })
            }
        }
    }

    @Test func inListMatchesTwin() {
        var g = SeededGenerator(seed: 4)
        for n in counts {
            let columns: [Column] = [g.int64s(n, range: -30...30), g.float64s(n), g.strings(n), g.dictionary(n), g.dates(n)]
            for c in columns {
                for size in [0, 1, 3, 20] {
                    var list = (0..<size).map { _ in g.constant(like: c).constantValue! }
                    if c.type == .int64 && size > 2 { list.append(.float64(3)); list.append(.float64(2.5)) }
                    if c.type == .float64 && size > 2 { list.append(.int64(4)) }
                    for negated in [false, true] {
                        for v in [Vector.column(c), g.constant(like: c)] {
                            let result = Logic.inList(v, list, negated: negated, count: n)
                            let expected = rows(v, n).map { inTwin($0, list, negated: negated) }
                            #expect(rows(result, n) == expected, "\(c.type) \(size) \(negated)")
                        }
                    }
                }
            }
        }
    }

    @Test func inListNullSemantics() {
        let x = Vector.column(.int64([1, 2, nil]))
        #expect(rows(Logic.inList(x, [.int64(1), .null], negated: false, count: 3), 3) == [.bool(true), .null, .null])
        #expect(rows(Logic.inList(x, [.int64(1), .null], negated: true, count: 3), 3) == [.bool(false), .null, .null])
        #expect(rows(Logic.inList(x, [], negated: false, count: 3), 3) == [.bool(false), .bool(false), .null])
    }

    @Test func threeValuedExamples() {
        let f = Vector.constant(.bool(false), .bool), t = Vector.constant(.bool(true), .bool), n = Vector.constant(.null, .bool)
        #expect(Logic.and(f, n, count: 1).constantValue == .bool(false))
        #expect(Logic.and(t, n, count: 1).constantValue == .null)
        #expect(Logic.or(t, n, count: 1).constantValue == .bool(true))
        #expect(Logic.or(f, n, count: 1).constantValue == .null)
        #expect(Logic.not(n, count: 1).constantValue == .null)
        #expect(Logic.isNull(n, negated: false, count: 1).constantValue == .bool(true))
    }
}
