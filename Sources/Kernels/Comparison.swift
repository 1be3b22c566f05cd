import Columns

/// `= <> < <= > >=` and `IS [NOT] DISTINCT FROM`, producing Bool vectors.
///
/// Values are compared over the whole buffer, nulls' slots included, into result words built
/// 64 rows at a time without branches; validity is the AND of the inputs' validities. The
/// distinct-from operators fold the validities into the value instead and are never null.
public enum Comparison {
    /// Bool result. Int64 vs Float64 compared exactly (no rounding of the integer); Float64 NaN equals NaN and is greater than everything (SQL/DuckDB/Postgres order);
    /// -0.0 equals 0.0. Strings by UTF-8 bytes; date vs timestamp by promoting the date to midnight. isDistinctFrom/isNotDistinctFrom never return null.
    public static func apply(_ op: ComparisonOperator, _ l: Vector, _ r: Vector, count: Int) -> Vector {
        let allConstant = l.isConstant && r.isConstant
        let n = allConstant ? 1 : count
        let nl = Nulls.of(l), nr = Nulls.of(r)
        let column: Column
        switch op {
        case .isDistinctFrom, .isNotDistinctFrom:
            let equal = values(.equal, l, r, count: n)
            let vl = nl.validity(count: n) ?? Bitmap(repeating: true, count: n)
            let vr = nr.validity(count: n) ?? Bitmap(repeating: true, count: n)
            // Not distinct: both present and equal, or both null.
            let same = Words.combine(Words.and(vl, vr), equal) { $0 & $1 }
            let bothNull = Words.combine(vl, vr) { ~($0 | $1) }
            let notDistinct = Words.or(same, bothNull)
            column = Column(.bool, .bool(op == .isNotDistinctFrom ? notDistinct : Words.not(notDistinct)))
        default:
            let nulls = nl & nr
            if case .all = nulls { return .null(.bool, count: count, constant: allConstant) }
            column = Column(.bool, .bool(values(op, l, r, count: n)), validity: nulls.validity(count: n))
        }
        return allConstant ? .constant(column.value(at: 0), .bool) : .column(column)
    }

    /// The comparison of every row's values, ignoring validity (null rows get some bit).
    static func values(_ op: ComparisonOperator, _ l: Vector, _ r: Vector, count: Int) -> Bitmap {
        switch (l.type, r.type) {
        case (.int64, .int64), (.timestamp, .timestamp):
            return ordered(op, l.int64Operand, r.int64Operand, count: count, less: { $0 < $1 }, equal: { $0 == $1 })
        case (.date, .date):
            return ordered(op, l.int32Operand, r.int32Operand, count: count, less: { $0 < $1 }, equal: { $0 == $1 })
        case (.date, .timestamp), (.timestamp, .date):
            return ordered(op, micros(l), micros(r), count: count, less: { $0 < $1 }, equal: { $0 == $1 })
        case (.float64, .float64):
            return ordered(op, l.float64Operand, r.float64Operand, count: count, less: floatLess, equal: floatEqual)
        case (.int64, .float64):
            return ordered(op, l.int64Operand, r.float64Operand, count: count,
                           less: { Value.compareMixed($0, $1) < 0 }, equal: { Value.compareMixed($0, $1) == 0 })
        case (.float64, .int64):
            return ordered(op, l.float64Operand, r.int64Operand, count: count,
                           less: { Value.compareMixed($1, $0) > 0 }, equal: { Value.compareMixed($1, $0) == 0 })
        case (.bool, .bool):
            return bools(op, l, r, count: count)
        case (.string, .string):
            return strings(op, l, r, count: count)
        default:
            preconditionFailure("cannot compare \(l.type) with \(r.type)")
        }
    }

    @inline(__always)
    static func ordered<A, B>(_ op: ComparisonOperator, _ a: Operand<A>, _ b: Operand<B>, count: Int,
                              less: (A, B) -> Bool, equal: (A, B) -> Bool) -> Bitmap {
        switch op {
        case .equal, .isDistinctFrom, .isNotDistinctFrom: compare2(a, b, count: count, equal)
        case .notEqual: compare2(a, b, count: count) { !equal($0, $1) }
        case .less: compare2(a, b, count: count, less)
        case .lessOrEqual: compare2(a, b, count: count) { less($0, $1) || equal($0, $1) }
        case .greater: compare2(a, b, count: count) { !(less($0, $1) || equal($0, $1)) }
        case .greaterOrEqual: compare2(a, b, count: count) { !less($0, $1) }
        }
    }

    static func micros(_ v: Vector) -> Operand<Int64> {
        guard v.type == .date else { return v.int64Operand }
        return switch v.int32Operand {
        case .array(let a): .array(map1(a, dateToMicros))
        case .scalar(let x): .scalar(dateToMicros(x))
        }
    }

    static func bools(_ op: ComparisonOperator, _ l: Vector, _ r: Vector, count: Int) -> Bitmap {
        func bits(_ v: Vector) -> Bitmap {
            switch v {
            case .column(let c):
                guard case .bool(let b) = c.storage else { preconditionFailure("expected bool storage") }
                return b
            case .constant(let value, _):
                return Bitmap(repeating: value == .bool(true), count: count)
            }
        }
        let a = bits(l), b = bits(r)
        return switch op {
        case .equal, .isDistinctFrom, .isNotDistinctFrom: Words.combine(a, b) { ~($0 ^ $1) }
        case .notEqual: Words.combine(a, b) { $0 ^ $1 }
        case .less: Words.combine(a, b) { ~$0 & $1 }
        case .lessOrEqual: Words.combine(a, b) { ~$0 | $1 }
        case .greater: Words.combine(a, b) { $0 & ~$1 }
        case .greaterOrEqual: Words.combine(a, b) { $0 | ~$1 }
        }
    }

    @inline(__always)
    static func accepts(_ op: ComparisonOperator, _ order: Int) -> Bool {
        switch op {
        case .equal, .isDistinctFrom, .isNotDistinctFrom: order == 0
        case .notEqual: order != 0
        case .less: order < 0
        case .lessOrEqual: order <= 0
        case .greater: order > 0
        case .greaterOrEqual: order >= 0
        }
    }

    static func strings(_ op: ComparisonOperator, _ l: Vector, _ r: Vector, count: Int) -> Bitmap {
        // Dictionary against a constant: compare each distinct value once, then look codes up.
        if case .column(let c) = l, case .dictionary(let codes, let values) = c.storage, r.isConstant {
            return lookup(codes, table: strings(op, .column(Column(.string, .string(values))), r, count: values.count))
        }
        if case .column(let c) = r, case .dictionary(let codes, let values) = c.storage, l.isConstant {
            return lookup(codes, table: strings(op, l, .column(Column(.string, .string(values))), count: values.count))
        }
        // Two columns over one dictionary: equality is equality of codes.
        if op == .equal || op == .notEqual || op == .isDistinctFrom || op == .isNotDistinctFrom,
           case .column(let a) = l, case .dictionary(let x, let dx) = a.storage,
           case .column(let b) = r, case .dictionary(let y, let dy) = b.storage, dx == dy {
            return ordered(op, .array(x), .array(y), count: count, less: { $0 < $1 }, equal: { $0 == $1 })
        }
        let left = StringRows(l), right = StringRows(r)
        return left.with { a in
            right.with { b in
                switch op {
                case .equal, .isDistinctFrom, .isNotDistinctFrom:
                    Words.build(count: count) { equalBytes(a.row($0), b.row($0)) }
                case .notEqual:
                    Words.build(count: count) { !equalBytes(a.row($0), b.row($0)) }
                default:
                    Words.build(count: count) { accepts(op, compareBytes(a.row($0), b.row($0))) }
                }
            }
        }
    }

    /// Bit i is `table[codes[i]]`.
    static func lookup(_ codes: [Int32], table: Bitmap) -> Bitmap {
        let bools = (0..<table.count).map { table[$0] }
        return bools.withUnsafeBufferPointer { t in
            codes.withUnsafeBufferPointer { c in Words.build(count: c.count) { t[Int(c[$0])] } }
        }
    }
}

/// NaN is above every number and equal to itself; -0.0 equals 0.0.
@inline(__always)
func floatLess(_ a: Double, _ b: Double) -> Bool { a < b || (a == a && b != b) }

@inline(__always)
func floatEqual(_ a: Double, _ b: Double) -> Bool { a == b || (a != a && b != b) }

