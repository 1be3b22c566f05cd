import Columns

/// `+ - * / %` and unary minus over Int64, Float64, Date and Timestamp.
///
/// Integer overflow is an error, never a wrap: the loops compute with the overflow-reporting
/// operations and OR the flags together (no branch per row), and only when a flag is set do
/// they look for the first non-null row that overflowed. Overflow in a null row's unspecified
/// slot is ignored. Division and modulo by zero give null (DuckDB), for floats too.
public enum Arithmetic {
    /// Integer overflow is an error ("integer overflow in …"), never a wrap. Division or modulo by zero yields null (DuckDB).
    public static func apply(_ op: ArithmeticOperator, _ l: Vector, _ r: Vector, count: Int) throws(BatonError) -> Vector {
        guard let type = TypeRules.arithmetic(op, l.type, r.type) else {
            throw invalid("operator \(op.symbol) is not defined for (\(l.type), \(r.type))")
        }
        let allConstant = l.isConstant && r.isConstant
        let n = allConstant ? 1 : count
        let nulls = Nulls.of(l) & Nulls.of(r)
        if case .all = nulls { return .null(type, count: count, constant: allConstant) }
        let validity = nulls.validity(count: n)

        let column: Column
        switch (l.type, r.type) {
        case (.int64, .int64) where op == .divide:
            column = floatOp(op, l.asFloat64Operand, r.asFloat64Operand, validity: validity, count: n)
        case (.int64, .int64):
            column = try intOp(op, l.int64Operand, r.int64Operand, validity: validity, count: n)
        case (.int64, .float64), (.float64, .int64), (.float64, .float64):
            column = floatOp(op, l.asFloat64Operand, r.asFloat64Operand, validity: validity, count: n)
        case (.date, .int64), (.int64, .date):
            let (days, delta) = l.type == .date ? (l.int32Operand, r.int64Operand) : (r.int32Operand, l.int64Operand)
            column = try dateShift(days, delta, negate: op == .subtract, validity: validity, count: n)
        case (.date, .date):
            let result = map2(l.int32Operand, r.int32Operand, count: n) { Int64($0) &- Int64($1) }
            column = Column(.int64, .int64(result), validity: validity)
        default:  // (.timestamp, .timestamp), subtract
            column = try intOp(.subtract, l.int64Operand, r.int64Operand, validity: validity, count: n)
        }
        return allConstant ? .constant(column.value(at: 0), type) : .column(column)
    }

    public static func negate(_ v: Vector, count: Int) throws(BatonError) -> Vector {
        switch v.type {
        case .int64:
            return try apply(.subtract, .constant(.int64(0), .int64), v, count: count)
        case .float64:
            if case .constant(let value, _) = v {
                if case .float64(let x) = value { return .constant(.float64(-x), .float64) }
                return v
            }
            guard case .column(let c) = v, case .float64(let x) = c.storage else { return v }
            return .column(Column(.float64, .float64(map1(x) { -$0 }), validity: c.validity))
        default:
            throw invalid("unary - is not defined for \(v.type)")
        }
    }

    // MARK: - Loops

    static func intOp(_ op: ArithmeticOperator, _ a: Operand<Int64>, _ b: Operand<Int64>, validity: Bitmap?, count: Int) throws(BatonError) -> Column {
        var overflow: UInt8 = 0
        var validity = validity
        let result: [Int64]
        switch op {
        case .add:
            result = map2(a, b, count: count) { x, y in
                let (r, o) = x.addingReportingOverflow(y)
                overflow |= unsafeBitCast(o, to: UInt8.self)
                return r
            }
        case .subtract:
            result = map2(a, b, count: count) { x, y in
                let (r, o) = x.subtractingReportingOverflow(y)
                overflow |= unsafeBitCast(o, to: UInt8.self)
                return r
            }
        case .multiply:
            result = map2(a, b, count: count) { x, y in
                let (r, o) = x.multipliedReportingOverflow(by: y)
                overflow |= unsafeBitCast(o, to: UInt8.self)
                return r
            }
        case .divide, .modulo:
            // Only modulo reaches here (Int64 / Int64 is float division). Int64.min % -1 is 0.
            result = map2(a, b, count: count) { x, y in
                let (r, _) = x.remainderReportingOverflow(dividingBy: y)
                return y == 0 ? 0 : r
            }
            if let zeros = zeroDivisors(b, count: count) { validity = Words.and(validity, zeros) }
        }
        if overflow != 0 {
            for i in 0..<count where validity?[i] ?? true {
                let x = a.at(i), y = b.at(i)
                let o = switch op {
                case .add: x.addingReportingOverflow(y).overflow
                case .subtract: x.subtractingReportingOverflow(y).overflow
                default: x.multipliedReportingOverflow(by: y).overflow
                }
                if o { throw invalid("integer overflow in \(op.noun)", row: i, text: "\(x) \(op.symbol) \(y)") }
            }
        }
        return Column(.int64, .int64(result), validity: validity)
    }

    /// Rows whose divisor is not zero, or nil when none is zero.
    static func zeroDivisors<T: Numeric>(_ b: Operand<T>, count: Int) -> Bitmap? {
        switch b {
        case .scalar(let y): return y == 0 ? Bitmap(repeating: false, count: count) : nil
        case .array(let y):
            let bits = y.withUnsafeBufferPointer { y in Words.build(count: count) { y[$0] != 0 } }
            return bits.setCount == count ? nil : bits
        }
    }

    static func floatOp(_ op: ArithmeticOperator, _ a: Operand<Double>, _ b: Operand<Double>, validity: Bitmap?, count: Int) -> Column {
        var validity = validity
        let result: [Double]
        switch op {
        case .add: result = map2(a, b, count: count) { $0 + $1 }
        case .subtract: result = map2(a, b, count: count) { $0 - $1 }
        case .multiply: result = map2(a, b, count: count) { $0 * $1 }
        case .divide:
            result = map2(a, b, count: count) { $0 / $1 }
            if let zeros = zeroDivisors(b, count: count) { validity = Words.and(validity, zeros) }
        case .modulo:
            result = map2(a, b, count: count) { $0.truncatingRemainder(dividingBy: $1) }
            if let zeros = zeroDivisors(b, count: count) { validity = Words.and(validity, zeros) }
        }
        return Column(.float64, .float64(result), validity: validity)
    }

    /// A date moved by a number of days; the result must be a date (Int32 days).
    static func dateShift(_ days: Operand<Int32>, _ delta: Operand<Int64>, negate: Bool, validity: Bitmap?, count: Int) throws(BatonError) -> Column {
        var overflow: UInt8 = 0
        let result = map2(days, delta, count: count) { d, n in
            let (s, o1) = Int64(d).addingReportingOverflow(negate ? 0 &- n : n)
            let narrowed = Int32(truncatingIfNeeded: s)
            overflow |= unsafeBitCast(o1 || Int64(narrowed) != s || (negate && n == .min), to: UInt8.self)
            return narrowed
        }
        if overflow != 0 {
            for i in 0..<count where validity?[i] ?? true {
                let d = days.at(i), n = delta.at(i)
                let s = negate ? Int64(d).subtractingReportingOverflow(n) : Int64(d).addingReportingOverflow(n)
                if s.overflow || Int32(exactly: s.partialValue) == nil {
                    throw invalid("date out of range in \(negate ? "subtraction" : "addition")", row: i,
                                  text: "\(Temporal.formatDate(d)) \(negate ? "-" : "+") \(n)")
                }
            }
        }
        return Column(.date, .int32(result), validity: validity)
    }
}

extension Operand {
    @inline(__always)
    func at(_ i: Int) -> T {
        switch self {
        case .array(let a): a[i]
        case .scalar(let x): x
        }
    }
}
