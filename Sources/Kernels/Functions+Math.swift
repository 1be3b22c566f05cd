import Columns

#if canImport(Glibc)
import Glibc
#endif

/// Math functions and the conditional ones (coalesce, ifnull, nullif, greatest, least).
/// Integer arguments of the floating-point functions convert to Float64 (`argumentTypes`
/// tells the caller).
enum MathFunctions {
    static var definitions: [([String], FunctionDefinition)] {
        let i = DataType.int64, f = DataType.float64
        func floatUnary(_ name: String, _ op: @escaping @Sendable (Double) -> Double, check: (@Sendable (Double) -> String?)? = nil) -> FunctionDefinition {
            Signatures.fixed("(Float64)", [([f], f, lift { a, n throws(BatonError) in try unary(a[0], n, op, check: check) })])
        }
        return [
            (["abs"], Signatures.fixed("(Int64 | Float64)", [
                ([i], i, lift { a, n throws(BatonError) in try intUnary(a[0], n, "abs") { $0 < 0 ? 0 &- $0 : $0 } overflow: { $0 == .min } }),
                ([f], f, lift { a, n throws(BatonError) in try unary(a[0], n) { Swift.abs($0) } }),
            ])),
            (["round"], Signatures.fixed("(Int64 | Float64[, Int64])", [
                ([i], i, lift { a, n throws(BatonError) in try intUnary(a[0], n, "round") { $0 } overflow: { _ in false } }),
                ([f], f, lift { a, n throws(BatonError) in try unary(a[0], n) { $0.rounded(.toNearestOrAwayFromZero) } }),
                ([i, i], i, lift { a, n throws(BatonError) in try roundInt(a, n) }),
                ([f, i], f, lift { a, n throws(BatonError) in try roundFloat(a, n) }),
            ])),
            (["floor"], Signatures.fixed("(Int64 | Float64)", [
                ([i], i, lift { a, n throws(BatonError) in try intUnary(a[0], n, "floor") { $0 } overflow: { _ in false } }),
                ([f], f, lift { a, n throws(BatonError) in try unary(a[0], n) { $0.rounded(.down) } }),
            ])),
            (["ceil", "ceiling"], Signatures.fixed("(Int64 | Float64)", [
                ([i], i, lift { a, n throws(BatonError) in try intUnary(a[0], n, "ceil") { $0 } overflow: { _ in false } }),
                ([f], f, lift { a, n throws(BatonError) in try unary(a[0], n) { $0.rounded(.up) } }),
            ])),
            (["sqrt"], floatUnary("sqrt", { $0.squareRoot() }, check: { $0 < 0 ? "cannot take square root of a negative number" : nil })),
            (["ln"], floatUnary("ln", { Glibc.log($0) }, check: logCheck)),
            (["log10", "log"], floatUnary("log10", { Glibc.log10($0) }, check: logCheck)),
            (["log2"], floatUnary("log2", { Glibc.log2($0) }, check: logCheck)),
            (["exp"], floatUnary("exp", { Glibc.exp($0) })),
            (["power", "pow"], Signatures.fixed("(Float64, Float64)", [([f, f], f, lift { a, n throws(BatonError) in
                binaryFloat(a, n) { Glibc.pow($0, $1) }
            })])),
            (["sign"], Signatures.fixed("(Int64 | Float64)", [
                ([i], i, lift { a, n throws(BatonError) in try intUnary(a[0], n, "sign") { $0.signum() } overflow: { _ in false } }),
                ([f], i, lift { a, n throws(BatonError) in
                    try fixedResult(a, count: n, .int64, wrap: { .int64($0) }) { _, r in
                        let x = a[0].float64Operand.at(r)
                        return x > 0 ? 1 : (x < 0 ? -1 : 0)
                    }
                }),
            ])),
            (["mod"], Signatures.fixed("(Int64 | Float64, Int64 | Float64)", [
                ([i, i], i, { a, n throws(BatonError) in try Arithmetic.apply(.modulo, a[0], a[1], count: n) }),
                ([f, f], f, { a, n throws(BatonError) in try Arithmetic.apply(.modulo, a[0], a[1], count: n) }),
            ])),
            (["greatest"], Signatures.variadicCommon("(T, ...) of one common type", minimum: 1) { _ in
                { a, n throws(BatonError) in extreme(a, n, greatest: true) }
            }),
            (["least"], Signatures.variadicCommon("(T, ...) of one common type", minimum: 1) { _ in
                { a, n throws(BatonError) in extreme(a, n, greatest: false) }
            }),
            (["coalesce"], Signatures.variadicCommon("(T, ...) of one common type", minimum: 1) { type in
                { a, n throws(BatonError) in Conditional.coalesce(a, type: type, count: n) }
            }),
            (["ifnull"], FunctionDefinition(signature: "(T, T)") { types in
                guard types.count == 2, let type = TypeRules.common(types) else { return nil }
                return ([type, type], type, { a, n throws(BatonError) in Conditional.coalesce(a, type: type, count: n) })
            }),
            (["nullif"], FunctionDefinition(signature: "(T, T)") { types in
                guard types.count == 2, let type = TypeRules.common(types) else { return nil }
                return ([type, type], type, { a, n throws(BatonError) in nullIf(a[0], a[1], count: n) })
            }),
        ]
    }

    static let logCheck: @Sendable (Double) -> String? = {
        $0 == 0 ? "cannot take logarithm of zero" : ($0 < 0 ? "cannot take logarithm of a negative number" : nil)
    }

    static func validity(_ v: Vector, _ count: Int) -> Bitmap?? {
        switch Nulls.of(v) {
        case .all: nil
        case .none: .some(nil)
        case .some(let bits): .some(bits)
        }
    }

    /// A Float64 function; `check` names the error of a value outside its domain (null rows
    /// are not checked).
    static func unary(_ v: Vector, _ count: Int, _ op: (Double) -> Double, check: ((Double) -> String?)? = nil) throws(BatonError) -> Column {
        guard let validity = validity(v, count) else { return .nulls(.float64, count: count) }
        let operand = v.asFloat64Operand
        if let check {
            for r in 0..<count where validity?[r] ?? true {
                let x = operand.at(r)
                if let message = check(x) { throw invalid(message, row: r, text: formatDouble(x)) }
            }
        }
        let values: [Double] = switch operand {
        case .array(let a): map1(a, op)
        case .scalar(let x): Array(repeating: op(x), count: count)
        }
        return Column(.float64, .float64(values), validity: validity)
    }

    static func intUnary(_ v: Vector, _ count: Int, _ name: String, _ op: (Int64) -> Int64, overflow: (Int64) -> Bool) throws(BatonError) -> Column {
        guard let validity = validity(v, count) else { return .nulls(.int64, count: count) }
        let operand = v.int64Operand
        for r in 0..<count where overflow(operand.at(r)) && (validity?[r] ?? true) {
            throw invalid("integer overflow in \(name)", row: r, text: String(operand.at(r)))
        }
        let values: [Int64] = switch operand {
        case .array(let a): map1(a, op)
        case .scalar(let x): Array(repeating: op(x), count: count)
        }
        return Column(.int64, .int64(values), validity: validity)
    }

    static func binaryFloat(_ a: [Vector], _ count: Int, _ op: (Double, Double) -> Double) -> Column {
        let nulls = Nulls.of(a)
        if case .all = nulls { return .nulls(.float64, count: count) }
        return Column(.float64, .float64(map2(a[0].asFloat64Operand, a[1].asFloat64Operand, count: count, op)), validity: nulls.validity(count: count))
    }

    static func power10(_ k: Int64) -> Double {
        var p = 1.0
        for _ in 0..<min(k, 400) { p *= 10 }
        return p
    }

    /// round(x, d) for floats: half away from zero at 10^-d.
    static func roundFloat(_ a: [Vector], _ count: Int) throws(BatonError) -> Column {
        let nulls = Nulls.of(a)
        if case .all = nulls { return .nulls(.float64, count: count) }
        let values = map2(a[0].asFloat64Operand, a[1].int64Operand, count: count) { x, d -> Double in
            if !x.isFinite { return x }
            if d >= 0 {
                let scale = power10(d)
                let scaled = x * scale
                return scaled.isFinite ? scaled.rounded(.toNearestOrAwayFromZero) / scale : x
            }
            let scale = power10(-d)
            return (x / scale).rounded(.toNearestOrAwayFromZero) * scale
        }
        return Column(.float64, .float64(values), validity: nulls.validity(count: count))
    }

    /// round(n, d) for integers: unchanged for d >= 0, else half away from zero at 10^-d.
    static func roundInt(_ a: [Vector], _ count: Int) throws(BatonError) -> Column {
        try fixedResult(a, count: count, .int64, wrap: { .int64($0) }) { (_, r) throws(BatonError) in
            let x = a[0].int64Operand.at(r), d = a[1].int64Operand.at(r)
            if d >= 0 { return x }
            if d < -18 { return 0 }
            var scale: Int64 = 1
            for _ in 0..<(-d) { scale *= 10 }
            let q = x / scale, rest = x % scale
            let away = Swift.abs(rest) * 2 >= scale ? (x < 0 ? -1 : 1) : 0
            let (result, o) = (q + Int64(away)).multipliedReportingOverflow(by: scale)
            if o { throw invalid("integer overflow in round", row: r, text: String(x)) }
            return result
        }
    }

    /// greatest / least: nulls are skipped; null only when every argument is null (DuckDB).
    static func extreme(_ args: [Vector], _ count: Int, greatest: Bool) -> Vector {
        var result = args[0]
        for next in args.dropFirst() {
            // Take `next` where it is present and either beats `result` or `result` is null.
            let beats = Comparison.apply(greatest ? .greater : .less, next, result, count: count)
            let resultNull = Logic.isNull(result, negated: false, count: count)
            let nextPresent = Logic.isNull(next, negated: true, count: count)
            let take = Logic.and(nextPresent, Logic.or(beats, resultNull, count: count), count: count)
            result = Conditional.caseWhen(conditions: [take], results: [next], otherwise: result, type: result.type, count: count)
        }
        return result
    }

    /// nullif(a, b): null where a = b, else a.
    static func nullIf(_ a: Vector, _ b: Vector, count: Int) -> Vector {
        let equal = Comparison.apply(.equal, a, b, count: count)
        return Conditional.caseWhen(conditions: [equal], results: [.constant(.null, a.type)], otherwise: a, type: a.type, count: count)
    }
}
