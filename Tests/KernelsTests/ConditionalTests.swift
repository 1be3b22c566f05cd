import Columns
import Testing
@testable import Kernels
import TestSupport

@Suite struct ConditionalTests {
    @Test func caseWhenMatchesTwin() {
        var g = SeededGenerator(seed: 6)
        for n in counts {
            let makers: [(inout SeededGenerator) -> Column] = [
                { $0.int64s(n) }, { $0.float64s(n) }, { $0.strings(n) }, { $0.dictionary(n) }, { $0.bools(n) }, { $0.dates(n) },
            ]
            for make in makers {
                let sample = make(&g)
                let conditions: [Vector] = [.column(g.bools(n)), g.constant(like: .bool([])), .column(g.bools(n))]
                let results: [Vector] = [.column(make(&g)), g.constant(like: sample), .column(sample)]
                let otherwise: Vector = Bool.random(using: &g) ? g.constant(like: sample) : .column(make(&g))
                let result = Conditional.caseWhen(conditions: conditions, results: results, otherwise: otherwise, type: sample.type, count: n)
                let cs = conditions.map { rows($0, n) }, rs = results.map { rows($0, n) }, o = rows(otherwise, n)
                let expected = (0..<n).map { i in (0..<3).first { cs[$0][i] == .bool(true) }.map { rs[$0][i] } ?? o[i] }
                #expect(same(rows(result, n), expected))

                let values: [Vector] = [.column(make(&g)), .column(sample), g.constant(like: sample)]
                let coalesced = Conditional.coalesce(values, type: sample.type, count: n)
                let vs = values.map { rows($0, n) }
                #expect(same(rows(coalesced, n), (0..<n).map { i in vs.map { $0[i] }.first { !$0.isNull } ?? .null }))
            }
        }
    }

    @Test func constantsStayConstant() {
        let r = Conditional.caseWhen(conditions: [.constant(.null, .bool), .constant(.bool(true), .bool)],
                                     results: [.constant(.int64(1), .int64), .constant(.int64(2), .int64)],
                                     otherwise: .constant(.int64(3), .int64), type: .int64, count: 5)
        #expect(r.constantValue == .int64(2))
        #expect(Conditional.coalesce([.constant(.null, .string), .constant(.string("x"), .string)], type: .string, count: 2).constantValue == .string("x"))
    }

    @Test func stringConstantsBuildADictionary() {
        let r = Conditional.caseWhen(conditions: [.column(.bool([true, false, nil]))], results: [.constant(.string("yes"), .string)],
                                     otherwise: .constant(.string("no"), .string), type: .string, count: 3)
        guard case .column(let c) = r, case .dictionary = c.storage else { Issue.record("not a dictionary"); return }
        #expect(c.values == [.string("yes"), .string("no"), .string("no")])
    }

    @Test func materialize() {
        #expect(Vector.constant(.null, .date).materialize(count: 2).values == [.null, .null])
        #expect(Vector.constant(.string("a"), .string).materialize(count: 2).values == [.string("a"), .string("a")])
        #expect(Vector.constant(.float64(1), .float64).materialize(count: 0).values == [])
        #expect(Vector.constant(.bool(true), .bool).materialize(count: 70).values.allSatisfy { $0 == .bool(true) })
    }
}
