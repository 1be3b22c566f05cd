import Columns
import Kernels
import Operators
import SQL

/// Consulted at every node before the usual binding: aggregate and window contexts use it to
/// turn `sum(x)` or a GROUP BY expression into a reference to a column computed below.
typealias BindingHook = (Expression) throws(BatonError) -> PhysicalExpression?

extension Binder {
    /// Binds and type-checks an expression against `scope`.
    func bind(_ e: Expression, _ scope: Scope, hook: BindingHook? = nil) throws(BatonError) -> PhysicalExpression {
        if let hook, let bound = try hook(e) { return bound }
        // Decimal literals are exact in SQL: 0.06 + 0.01 is 0.07, not 0.06999999999999999.
        if let exact = exactDecimal(e), exact.scale > 0, let value = Double("\(exact.mantissa)e-\(exact.scale)") {
            return .literal(.float64(value), .float64)
        }
        let bound = try bindUnfolded(e, scope, hook: hook)
        // Constant parts are computed once, here, rather than once per batch.
        if bound.isConstant, !isLiteral(bound) {
            do throws(BatonError) {
                return .literal(try constantValue(bound), bound.type)
            } catch {
                throw text.error(error.message, at: e.range, hint: error.hint)
            }
        }
        return bound
    }

    private func isLiteral(_ e: PhysicalExpression) -> Bool {
        if case .literal = e { return true }
        return false
    }

    /// The exact value of a constant expression of integer and decimal literals joined by
    /// `+`, `-`, `*` and unary minus, as mantissa × 10^-scale; nil for anything else or when
    /// 64 bits do not hold it.
    func exactDecimal(_ e: Expression) -> (mantissa: Int64, scale: Int)? {
        switch e.kind {
        case .literal(.integer(let v)): return (v, 0)
        case .literal(.float):
            var digits = source(e.range).filter { $0 != "(" && $0 != ")" && $0 != " " }
            var negative = false
            if digits.hasPrefix("-") { negative = true; digits.removeFirst() }
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
                  digits.filter({ $0 == "." }).count == 1 else { return nil }
            let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
            let scale = parts[1].count
            guard let m = Int64(String(parts[0]) + String(parts[1])), scale <= 18 else { return nil }
            return (negative ? -m : m, scale)
        case .unary(.negate, let x):
            guard let v = exactDecimal(x), v.mantissa != Int64.min else { return nil }
            return (-v.mantissa, v.scale)
        case .binary(let op, let l, let r) where op == .add || op == .subtract || op == .multiply:
            guard let a = exactDecimal(l), let b = exactDecimal(r) else { return nil }
            if op == .multiply {
                let (m, o) = a.mantissa.multipliedReportingOverflow(by: b.mantissa)
                guard !o, a.scale + b.scale <= 18 else { return nil }
                return (m, a.scale + b.scale)
            }
            let scale = max(a.scale, b.scale)
            func scaled(_ v: (mantissa: Int64, scale: Int)) -> Int64? {
                var m = v.mantissa
                for _ in v.scale..<scale {
                    let (next, o) = m.multipliedReportingOverflow(by: 10)
                    if o { return nil }
                    m = next
                }
                return m
            }
            guard let x = scaled(a), let y = scaled(b) else { return nil }
            let (m, o) = op == .add ? x.addingReportingOverflow(y) : x.subtractingReportingOverflow(y)
            return o ? nil : (m, scale)
        default:
            return nil
        }
    }

    private func bindUnfolded(_ e: Expression, _ scope: Scope, hook: BindingHook?) throws(BatonError) -> PhysicalExpression {
        let sub = { (x: Expression) throws(BatonError) -> PhysicalExpression in try self.bind(x, scope, hook: hook) }
        switch e.kind {
        case .literal(let literal):
            return try bindLiteral(literal, e.range)
        case .column(let qualifier, let name, let quoted):
            let i = try scope.resolve(qualifier: qualifier, name: name, quoted: quoted, range: e.range, text: text)
            return .column(i, scope.columns[i].type, name: scope.columns[i].name)
        case .unary(let op, let operand):
            let x = try sub(operand)
            switch op {
            case .plus:
                guard x.type == .int64 || x.type == .float64 else { throw typeError("unary + needs a number", x, e.range) }
                return x
            case .negate:
                guard x.type == .int64 || x.type == .float64 else { throw typeError("unary - needs a number", x, e.range) }
                return .negate(x)
            case .not:
                return .not(try coerce(x, to: .bool, e.range, "NOT needs a Bool"))
            }
        case .binary(let op, let l, let r):
            return try bindBinary(op, l, r, e, sub)
        case .isNull(let operand, let negated):
            return .isNull(try sub(operand), negated: negated)
        case .inList(let operand, let items, let negated):
            let x = try sub(operand)
            var bound: [PhysicalExpression] = []
            for item in items { bound.append(try sub(item)) }
            guard let type = TypeRules.common([x.type] + bound.filter { !isNullLiteral($0) }.map(\.type)) else {
                throw text.error("IN list values do not match \(x.type)", at: e.range)
            }
            let left = try coerce(x, to: type, e.range, "IN")
            let values = try bound.map { (b) throws(BatonError) -> PhysicalExpression in try coerce(b, to: type, e.range, "IN") }
            if values.allSatisfy(\.isConstant) {
                var list: [Value] = []
                for v in values { list.append(try constantValue(v)) }
                return .inList(left, list, negated: negated)
            }
            // Column values in the list: a chain of equalities.
            var any: PhysicalExpression = .comparison(.equal, left, values[0])
            for v in values.dropFirst() { any = .or(any, .comparison(.equal, left, v)) }
            return negated ? .not(any) : any
        case .between(let operand, let low, let high, let negated):
            let x = try sub(operand)
            let lo = try comparison(.greaterOrEqual, x, try sub(low), e.range)
            let hi = try comparison(.lessOrEqual, x, try sub(high), e.range)
            return negated ? .not(.and(lo, hi)) : .and(lo, hi)
        case .like(let operand, let pattern, let negated, let caseInsensitive, let escape):
            let x = try sub(operand)
            guard x.type == .string else { throw typeError("LIKE needs a String", x, operand.range) }
            guard case .string(let p) = try constantValue(try sub(pattern)) else {
                throw text.error("a LIKE pattern must be a constant string", at: pattern.range)
            }
            var escapeByte: UInt8?
            if let escape {
                guard case .string(let s) = try constantValue(try sub(escape)), s.utf8.count == 1 else {
                    throw text.error("ESCAPE must be one character", at: escape.range)
                }
                escapeByte = s.utf8.first
            }
            return .like(x, pattern: p, escape: escapeByte, caseInsensitive: caseInsensitive, negated: negated)
        case .caseWhen(let operand, let branches, let otherwise):
            let base = try operand.map { (o) throws(BatonError) -> PhysicalExpression in try sub(o) }
            var conditions: [PhysicalExpression] = []
            var results: [PhysicalExpression] = []
            for branch in branches {
                let w = try sub(branch.condition)
                if let base {
                    conditions.append(try comparison(.equal, base, w, branch.condition.range))
                } else {
                    conditions.append(try coerce(w, to: .bool, branch.condition.range, "WHEN needs a Bool"))
                }
                results.append(try sub(branch.result))
            }
            var elseValue = try otherwise.map { (o) throws(BatonError) -> PhysicalExpression in try sub(o) }
            let typed = (results + (elseValue.map { [$0] } ?? [])).filter { !isNullLiteral($0) }.map(\.type)
            guard let type = typed.isEmpty ? .string : TypeRules.common(typed) else {
                throw text.error("CASE results have types that do not mix: \(Set(typed.map(\.description)).sorted().joined(separator: ", "))",
                                 at: e.range, hint: "CAST the results to one type")
            }
            results = try results.map { (r) throws(BatonError) -> PhysicalExpression in try coerce(r, to: type, e.range, "CASE") }
            elseValue = try coerce(elseValue ?? .literal(.null, type), to: type, e.range, "CASE")
            return .caseWhen(conditions: conditions, results: results, otherwise: elseValue!, type)
        case .cast(let operand, let type, let tryCast):
            let x = try sub(operand)
            if isNullLiteral(x) { return .literal(.null, type) }
            guard x.type == type || TypeRules.castable(x.type, type) else {
                throw text.error("cannot cast \(x.type) to \(type)", at: e.range)
            }
            return x.type == type ? x : .cast(x, type, tryCast: tryCast)
        case .function(let call):
            return try bindFunction(call, e, sub)
        }
    }

    func bindLiteral(_ literal: Literal, _ range: SourceRange) throws(BatonError) -> PhysicalExpression {
        switch literal {
        case .null: return .literal(.null, .string)
        case .integer(let v): return .literal(.int64(v), .int64)
        case .float(let v): return .literal(.float64(v), .float64)
        case .string(let s): return .literal(.string(s), .string)
        case .bool(let b): return .literal(.bool(b), .bool)
        case .date(let s):
            guard let days = Temporal.parseDate(Substring(s)) else {
                throw text.error("\"\(s)\" is not a date", at: range, hint: "write dates as YYYY-MM-DD")
            }
            return .literal(.date(days), .date)
        case .timestamp(let s):
            guard let micros = Temporal.parseTimestamp(Substring(s)) else {
                throw text.error("\"\(s)\" is not a timestamp", at: range, hint: "write timestamps as YYYY-MM-DD HH:MM:SS[.ffffff][Z|±HH:MM]")
            }
            return .literal(.timestamp(micros), .timestamp)
        case .interval:
            throw text.error("an interval can only be added to or subtracted from a date or timestamp", at: range)
        }
    }

    private func bindBinary(_ op: BinaryOperator, _ l: Expression, _ r: Expression, _ e: Expression,
                            _ sub: (Expression) throws(BatonError) -> PhysicalExpression) throws(BatonError) -> PhysicalExpression {
        // date ± INTERVAL
        if op == .add || op == .subtract, case .literal(.interval(let amount, let unit)) = r.kind {
            let x = try sub(l)
            guard x.type == .date || x.type == .timestamp else { throw typeError("an interval is added to a date or timestamp", x, l.range) }
            return .dateAdd(x, amount: op == .add ? amount : -amount, unit: intervalUnit(unit))
        }
        if op == .add, case .literal(.interval(let amount, let unit)) = l.kind {
            let x = try sub(r)
            guard x.type == .date || x.type == .timestamp else { throw typeError("an interval is added to a date or timestamp", x, r.range) }
            return .dateAdd(x, amount: amount, unit: intervalUnit(unit))
        }
        let a = try sub(l), b = try sub(r)
        switch op {
        case .and, .or:
            let x = try coerce(a, to: .bool, l.range, "\(op.rawValue) needs Bool operands")
            let y = try coerce(b, to: .bool, r.range, "\(op.rawValue) needs Bool operands")
            return op == .and ? .and(x, y) : .or(x, y)
        case .concat:
            let x = try stringify(a), y = try stringify(b)
            return .concat(x, y)
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .isDistinctFrom, .isNotDistinctFrom:
            let kind: ComparisonOperator = switch op {
            case .equal: .equal
            case .notEqual: .notEqual
            case .less: .less
            case .lessOrEqual: .lessOrEqual
            case .greater: .greater
            case .greaterOrEqual: .greaterOrEqual
            case .isDistinctFrom: .isDistinctFrom
            default: .isNotDistinctFrom
            }
            return try comparison(kind, a, b, e.range)
        case .add, .subtract, .multiply, .divide, .modulo:
            let kind: ArithmeticOperator = switch op {
            case .add: .add
            case .subtract: .subtract
            case .multiply: .multiply
            case .divide: .divide
            default: .modulo
            }
            var x = a, y = b
            if isNullLiteral(x) { x = .literal(.null, y.type == .string ? .int64 : y.type) }
            if isNullLiteral(y) { y = .literal(.null, x.type == .date ? .int64 : x.type) }
            guard let type = TypeRules.arithmetic(kind, x.type, y.type) else {
                throw text.error("cannot apply \(op.rawValue) to \(x.type) and \(y.type)", at: e.range)
            }
            if type == .float64 {
                if x.type == .int64 { x = .cast(x, .float64, tryCast: false) }
                if y.type == .int64 { y = .cast(y, .float64, tryCast: false) }
            }
            return .arithmetic(kind, x, y, type)
        }
    }

    /// A comparison after making both sides comparable: null literals take the other side's
    /// type, a string literal against a date or timestamp is parsed as one.
    func comparison(_ op: ComparisonOperator, _ a: PhysicalExpression, _ b: PhysicalExpression,
                    _ range: SourceRange) throws(BatonError) -> PhysicalExpression {
        var x = a, y = b
        if isNullLiteral(x) { x = .literal(.null, y.type) }
        if isNullLiteral(y) { y = .literal(.null, x.type) }
        if (x.type == .date || x.type == .timestamp), y.type == .string, y.isConstant { y = try parseTemporal(y, as: x.type, range) }
        if (y.type == .date || y.type == .timestamp), x.type == .string, x.isConstant { x = try parseTemporal(x, as: y.type, range) }
        guard TypeRules.comparable(x.type, y.type) else {
            throw text.error("cannot compare \(x.type) with \(y.type)", at: range, hint: "CAST one side to the other's type")
        }
        return .comparison(op, x, y)
    }

    private func parseTemporal(_ e: PhysicalExpression, as type: DataType, _ range: SourceRange) throws(BatonError) -> PhysicalExpression {
        guard case .string(let s) = try constantValue(e) else { return .literal(.null, type) }
        if type == .date, let d = Temporal.parseDate(Substring(s)) { return .literal(.date(d), .date) }
        if let t = Temporal.parseTimestamp(Substring(s)) { return .literal(.timestamp(t), .timestamp) }
        if let d = Temporal.parseDate(Substring(s)) { return .literal(.timestamp(Int64(d) * 86_400_000_000), .timestamp) }
        throw text.error("\"\(s)\" is not a \(type == .date ? "date" : "timestamp")", at: range)
    }

    private func stringify(_ e: PhysicalExpression) throws(BatonError) -> PhysicalExpression {
        if isNullLiteral(e) { return .literal(.null, .string) }
        return e.type == .string ? e : .cast(e, .string, tryCast: false)
    }

    /// `e` as `type`: a null literal takes the type; Int64 widens to Float64 and Date to
    /// Timestamp implicitly; anything else is an error naming `what`.
    func coerce(_ e: PhysicalExpression, to type: DataType, _ range: SourceRange, _ what: String) throws(BatonError) -> PhysicalExpression {
        if e.type == type { return e }
        if isNullLiteral(e) { return .literal(.null, type) }
        if (e.type == .int64 && type == .float64) || (e.type == .date && type == .timestamp) {
            return .cast(e, type, tryCast: false)
        }
        throw typeError(what, e, range)
    }

    func isNullLiteral(_ e: PhysicalExpression) -> Bool {
        if case .literal(.null, _) = e { return true }
        return false
    }

    func typeError(_ message: String, _ e: PhysicalExpression, _ range: SourceRange) -> BatonError {
        text.error("\(message), found \(e.type)", at: range)
    }

    /// The value of a constant expression, computed once.
    func constantValue(_ e: PhysicalExpression) throws(BatonError) -> Value {
        switch try e.evaluate(Binder.emptyBatch) {
        case .constant(let v, _): return v
        case .column(let c): return c.count > 0 ? c.value(at: 0) : .null
        }
    }

    static let emptyBatch = try! Batch(schema: Schema([]), columns: [])

    func intervalUnit(_ unit: IntervalUnit) -> IntervalUnitKind {
        switch unit {
        case .microsecond: .microsecond
        case .millisecond: .millisecond
        case .second: .second
        case .minute: .minute
        case .hour: .hour
        case .day: .day
        case .week: .week
        case .month: .month
        case .year: .year
        }
    }

    private func bindFunction(_ call: FunctionCall, _ e: Expression,
                              _ sub: (Expression) throws(BatonError) -> PhysicalExpression) throws(BatonError) -> PhysicalExpression {
        if call.over != nil {
            throw text.error("window function \(call.name) is not allowed here", at: e.range,
                             hint: "window functions belong in the SELECT list or ORDER BY")
        }
        if call.star || AggregateKind.named(call.name) != nil {
            throw text.error("aggregate function \(call.name) is not allowed here", at: e.range,
                             hint: "aggregates belong in the SELECT list, HAVING or ORDER BY of a query")
        }
        var arguments: [PhysicalExpression] = []
        for a in call.arguments { arguments.append(try sub(a)) }
        switch call.name {
        case "coalesce", "ifnull":
            guard !arguments.isEmpty else { throw text.error("\(call.name) needs at least one argument", at: e.range) }
            let typed = arguments.filter { !isNullLiteral($0) }.map(\.type)
            guard let type = typed.isEmpty ? .string : TypeRules.common(typed) else {
                throw text.error("\(call.name) arguments have types that do not mix", at: e.range)
            }
            return .coalesce(try arguments.map { (a) throws(BatonError) -> PhysicalExpression in try coerce(a, to: type, e.range, call.name) }, type)
        default:
            break
        }
        // Untyped nulls as the function's first overload wants them: try String, then Int64.
        let types = arguments.map { isNullLiteral($0) ? DataType.string : $0.type }
        switch ScalarFunction.resolve(name: call.name, argumentTypes: types) {
        case .success(let function):
            let cast = zip(arguments, function.argumentTypes).map { a, t -> PhysicalExpression in
                if isNullLiteral(a) { return .literal(.null, t) }
                return a.type == t ? a : .cast(a, t, tryCast: false)
            }
            return .function(function, cast)
        case .failure(let failure):
            if !ScalarFunction.exists(call.name) {
                throw text.error("no function named \(call.name)", at: e.range, hint: "see the function list in the README")
            }
            throw text.error(failure.message, at: e.range)
        }
    }
}

extension Expression {
    /// Whether an aggregate call (not inside a window) appears anywhere in the expression.
    var containsAggregate: Bool {
        var found = false
        walk { e in
            if case .function(let call) = e.kind, call.over == nil, call.star || AggregateKind.named(call.name) != nil {
                found = true
                return false
            }
            return true
        }
        return found
    }

    var containsWindow: Bool {
        var found = false
        walk { e in
            if case .function(let call) = e.kind, call.over != nil { found = true; return false }
            return true
        }
        return found
    }

    /// Visits nodes top-down; `body` returns whether to descend.
    func walk(_ body: (Expression) -> Bool) {
        guard body(self) else { return }
        switch kind {
        case .literal, .column: break
        case .unary(_, let x), .isNull(let x, _), .cast(let x, _, _): x.walk(body)
        case .binary(_, let l, let r): l.walk(body); r.walk(body)
        case .inList(let x, let items, _): x.walk(body); items.forEach { $0.walk(body) }
        case .between(let x, let lo, let hi, _): x.walk(body); lo.walk(body); hi.walk(body)
        case .like(let x, let p, _, _, let esc): x.walk(body); p.walk(body); esc?.walk(body)
        case .caseWhen(let o, let branches, let otherwise):
            o?.walk(body)
            for b in branches { b.condition.walk(body); b.result.walk(body) }
            otherwise?.walk(body)
        case .function(let call):
            call.arguments.forEach { $0.walk(body) }
            if let over = call.over {
                over.partitionBy.forEach { $0.walk(body) }
                over.orderBy.forEach { $0.expression.walk(body) }
            }
        }
    }
}
