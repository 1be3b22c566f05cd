import Columns
import Kernels

/// A bound, type-checked expression over the columns of a batch, evaluated a batch at a time.
///
/// Built by the planner after every name is resolved and every type checked, so evaluation
/// never meets a type error; what it can still meet are data errors (an integer overflow, a
/// string that does not cast), which come back with the row they happened in.
public indirect enum PhysicalExpression: Sendable, CustomStringConvertible {
    /// The batch's column at `index`.
    case column(Int, DataType, name: String)
    case literal(Value, DataType)
    case arithmetic(ArithmeticOperator, PhysicalExpression, PhysicalExpression, DataType)
    case negate(PhysicalExpression)
    /// date / timestamp plus a signed interval.
    case dateAdd(PhysicalExpression, amount: Int64, unit: IntervalUnitKind)
    case comparison(ComparisonOperator, PhysicalExpression, PhysicalExpression)
    case and(PhysicalExpression, PhysicalExpression)
    case or(PhysicalExpression, PhysicalExpression)
    case not(PhysicalExpression)
    case isNull(PhysicalExpression, negated: Bool)
    case inList(PhysicalExpression, [Value], negated: Bool)
    case like(PhysicalExpression, pattern: String, escape: UInt8?, caseInsensitive: Bool, negated: Bool)
    case concat(PhysicalExpression, PhysicalExpression)
    case caseWhen(conditions: [PhysicalExpression], results: [PhysicalExpression], otherwise: PhysicalExpression, DataType)
    case coalesce([PhysicalExpression], DataType)
    case cast(PhysicalExpression, DataType, tryCast: Bool)
    case function(ScalarFunction, [PhysicalExpression])

    public var type: DataType {
        switch self {
        case .column(_, let type, _), .literal(_, let type), .arithmetic(_, _, _, let type), .caseWhen(_, _, _, let type),
             .coalesce(_, let type), .cast(_, let type, _):
            type
        case .negate(let e), .dateAdd(let e, _, _): e.type
        case .comparison, .and, .or, .not, .isNull, .inList, .like: .bool
        case .concat: .string
        case .function(let f, _): f.returnType
        }
    }

    /// Evaluates over every physical row of `batch` (its selection, if any, is left to the
    /// caller: kernels run branch-free over whole buffers, and a filter's selection is
    /// applied where rows are finally gathered).
    ///
    /// A row the batch's selection drops can still make a kernel fail (a CAST of text that a
    /// WHERE clause filtered out): then the expression is evaluated again on the selected rows
    /// only, so only a row that is really part of the result can fail the query.
    public func evaluate(_ batch: Batch) throws(BatonError) -> Vector {
        do {
            return try evaluateAll(batch)
        } catch {
            guard let selection = batch.selection, selection.count < batch.physicalCount else { throw error }
            var mask = Bitmap(repeating: false, count: batch.physicalCount)
            for i in selection.indices { mask[Int(i)] = true }
            return try evaluate(batch, rows: mask)
        }
    }

    /// `evaluate` without the retry on the selected rows (the recursion below the root).
    func evaluateAll(_ batch: Batch) throws(BatonError) -> Vector {
        let n = batch.physicalCount
        switch self {
        case .column(let index, _, _): return .column(batch.columns[index])
        case .literal(let value, let type): return .constant(value, type)
        case .arithmetic(let op, let l, let r, _):
            return try Arithmetic.apply(op, l.evaluateAll(batch), r.evaluateAll(batch), count: n)
        case .negate(let e): return try Arithmetic.negate(e.evaluateAll(batch), count: n)
        case .dateAdd(let e, let amount, let unit):
            return try Arithmetic.dateAdd(e.evaluateAll(batch), amount: amount, unit: unit, count: n)
        case .comparison(let op, let l, let r):
            return Comparison.apply(op, try l.evaluateAll(batch), try r.evaluateAll(batch), count: n)
        case .and(let l, let r):
            do { return Logic.and(try l.evaluateAll(batch), try r.evaluateAll(batch), count: n) } catch {
                return try lazyLogic(batch, l, r, and: true)
            }
        case .or(let l, let r):
            do { return Logic.or(try l.evaluateAll(batch), try r.evaluateAll(batch), count: n) } catch {
                return try lazyLogic(batch, l, r, and: false)
            }
        case .not(let e): return Logic.not(try e.evaluateAll(batch), count: n)
        case .isNull(let e, let negated): return Logic.isNull(try e.evaluateAll(batch), negated: negated, count: n)
        case .inList(let e, let list, let negated): return Logic.inList(try e.evaluateAll(batch), list, negated: negated, count: n)
        case .like(let e, let pattern, let escape, let caseInsensitive, let negated):
            return Pattern.like(try e.evaluateAll(batch), pattern: pattern, escape: escape, caseInsensitive: caseInsensitive,
                                negated: negated, count: n)
        case .concat(let l, let r): return ScalarFunction.concatOperator(try l.evaluateAll(batch), try r.evaluateAll(batch), count: n)
        case .caseWhen(let conditions, let results, let otherwise, let type):
            do {
                var c: [Vector] = []
                var v: [Vector] = []
                for condition in conditions { c.append(try condition.evaluateAll(batch)) }
                for result in results { v.append(try result.evaluateAll(batch)) }
                return Conditional.caseWhen(conditions: c, results: v, otherwise: try otherwise.evaluateAll(batch), type: type, count: n)
            } catch {
                return try lazyCase(batch, conditions: conditions, results: results, otherwise: otherwise, type: type)
            }
        case .coalesce(let arguments, let type):
            var values: [Vector] = []
            for argument in arguments { values.append(try argument.evaluateAll(batch)) }
            return Conditional.coalesce(values, type: type, count: n)
        case .cast(let e, let type, let tryCast):
            let value = try e.evaluateAll(batch)
            if value.type == type { return value }
            do {
                return try Casts.cast(value, to: type, tryCast: tryCast, count: n)
            } catch {
                // Say what was being cast: the column, or the expression.
                var located = error
                if located.location.column == nil { located.location.column = e.description }
                throw located
            }
        case .function(let function, let arguments):
            var values: [Vector] = []
            for argument in arguments { values.append(try argument.evaluateAll(batch)) }
            return try function.evaluate(values, n)
        }
    }

    /// Evaluates to a column of the batch's physical length.
    public func column(_ batch: Batch) throws(BatonError) -> Column {
        switch try evaluate(batch) {
        case .column(let column): column
        case let constant: constant.materialize(count: batch.physicalCount)
        }
    }

    /// Whether the expression reads no column (it can be folded to a constant once).
    public var isConstant: Bool {
        switch self {
        case .column: false
        case .literal: true
        case .arithmetic(_, let l, let r, _), .comparison(_, let l, let r), .and(let l, let r), .or(let l, let r),
             .concat(let l, let r):
            l.isConstant && r.isConstant
        case .negate(let e), .dateAdd(let e, _, _), .not(let e), .isNull(let e, _), .inList(let e, _, _),
             .like(let e, _, _, _, _), .cast(let e, _, _):
            e.isConstant
        case .caseWhen(let c, let r, let o, _): c.allSatisfy(\.isConstant) && r.allSatisfy(\.isConstant) && o.isConstant
        case .coalesce(let a, _), .function(_, let a): a.allSatisfy(\.isConstant)
        }
    }

    /// The indices of the batch columns the expression reads.
    public var columnsRead: Set<Int> {
        var found = Set<Int>()
        visit { if case .column(let i, _, _) = $0 { found.insert(i) } }
        return found
    }

    /// Calls `body` on this node and every node below it.
    public func visit(_ body: (PhysicalExpression) -> Void) {
        body(self)
        switch self {
        case .column, .literal: break
        case .arithmetic(_, let l, let r, _), .comparison(_, let l, let r), .and(let l, let r), .or(let l, let r),
             .concat(let l, let r):
            l.visit(body)
            r.visit(body)
        case .negate(let e), .dateAdd(let e, _, _), .not(let e), .isNull(let e, _), .inList(let e, _, _),
             .like(let e, _, _, _, _), .cast(let e, _, _):
            e.visit(body)
        case .caseWhen(let c, let r, let o, _):
            c.forEach { $0.visit(body) }
            r.forEach { $0.visit(body) }
            o.visit(body)
        case .coalesce(let a, _), .function(_, let a): a.forEach { $0.visit(body) }
        }
    }

    /// The same expression with every column index passed through `map`.
    public func remapped(_ map: (Int) -> Int) -> PhysicalExpression {
        switch self {
        case .column(let i, let t, let name): return .column(map(i), t, name: name)
        case .literal: return self
        case .arithmetic(let op, let l, let r, let t): return .arithmetic(op, l.remapped(map), r.remapped(map), t)
        case .negate(let e): return .negate(e.remapped(map))
        case .dateAdd(let e, let a, let u): return .dateAdd(e.remapped(map), amount: a, unit: u)
        case .comparison(let op, let l, let r): return .comparison(op, l.remapped(map), r.remapped(map))
        case .and(let l, let r): return .and(l.remapped(map), r.remapped(map))
        case .or(let l, let r): return .or(l.remapped(map), r.remapped(map))
        case .not(let e): return .not(e.remapped(map))
        case .isNull(let e, let n): return .isNull(e.remapped(map), negated: n)
        case .inList(let e, let l, let n): return .inList(e.remapped(map), l, negated: n)
        case .like(let e, let p, let esc, let ci, let n):
            return .like(e.remapped(map), pattern: p, escape: esc, caseInsensitive: ci, negated: n)
        case .concat(let l, let r): return .concat(l.remapped(map), r.remapped(map))
        case .caseWhen(let c, let r, let o, let t):
            return .caseWhen(conditions: c.map { $0.remapped(map) }, results: r.map { $0.remapped(map) }, otherwise: o.remapped(map), t)
        case .coalesce(let a, let t): return .coalesce(a.map { $0.remapped(map) }, t)
        case .cast(let e, let t, let tc): return .cast(e.remapped(map), t, tryCast: tc)
        case .function(let f, let a): return .function(f, a.map { $0.remapped(map) })
        }
    }

    /// SQL-like text for plans (`explain`).
    public var description: String {
        switch self {
        case .column(_, _, let name): return name
        case .literal(let v, let t):
            if case .string(let s) = v { return "'\(s)'" }
            if t == .date || t == .timestamp { return "\(t.description.uppercased()) '\(v)'" }
            return v.description
        case .arithmetic(let op, let l, let r, _):
            let symbol = switch op { case .add: "+"; case .subtract: "-"; case .multiply: "*"; case .divide: "/"; case .modulo: "%" }
            return "(\(l) \(symbol) \(r))"
        case .negate(let e): return "-\(e)"
        case .dateAdd(let e, let a, let u): return "(\(e) + INTERVAL \(a) \(u))"
        case .comparison(let op, let l, let r):
            let symbol = switch op {
            case .equal: "="; case .notEqual: "<>"; case .less: "<"; case .lessOrEqual: "<="; case .greater: ">"
            case .greaterOrEqual: ">="; case .isDistinctFrom: "IS DISTINCT FROM"; case .isNotDistinctFrom: "IS NOT DISTINCT FROM"
            }
            return "(\(l) \(symbol) \(r))"
        case .and(let l, let r): return "(\(l) AND \(r))"
        case .or(let l, let r): return "(\(l) OR \(r))"
        case .not(let e): return "NOT \(e)"
        case .isNull(let e, let n): return "(\(e) IS \(n ? "NOT " : "")NULL)"
        case .inList(let e, let l, let n): return "(\(e) \(n ? "NOT " : "")IN (\(l.map(\.description).joined(separator: ", "))))"
        case .like(let e, let p, _, let ci, let n): return "(\(e) \(n ? "NOT " : "")\(ci ? "ILIKE" : "LIKE") '\(p)')"
        case .concat(let l, let r): return "(\(l) || \(r))"
        case .caseWhen(let c, let r, let o, _):
            return "CASE " + zip(c, r).map { "WHEN \($0) THEN \($1)" }.joined(separator: " ") + " ELSE \(o) END"
        case .coalesce(let a, _): return "coalesce(\(a.map(\.description).joined(separator: ", ")))"
        case .cast(let e, let t, let tc): return "\(tc ? "TRY_CAST" : "CAST")(\(e) AS \(t))"
        case .function(let f, let a): return "\(f.name)(\(a.map(\.description).joined(separator: ", ")))"
        }
    }
}
