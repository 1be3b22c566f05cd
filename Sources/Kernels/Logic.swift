import Columns

/// AND, OR, NOT, IS NULL and IN over Bool vectors, a word (64 rows) at a time.
public enum Logic {
    /// A Bool vector as two words per 64 rows: known true, known false (neither: null).
    struct TruthWords {
        var isTrue: Bitmap
        var isFalse: Bitmap

        init(_ v: Vector, count: Int) {
            switch v {
            case .constant(let value, _):
                isTrue = Bitmap(repeating: value == .bool(true), count: count)
                isFalse = Bitmap(repeating: value == .bool(false), count: count)
            case .column(let c):
                guard case .bool(let bits) = c.storage else { preconditionFailure("expected a Bool vector, got \(c.type)") }
                if let validity = c.validity {
                    isTrue = Words.and(bits, validity)
                    isFalse = Words.andNot(validity, bits)
                } else {
                    isTrue = bits
                    isFalse = Words.not(bits)
                }
            }
        }
    }

    /// Three-valued logic: false AND null = false, true OR null = true.
    public static func and(_ l: Vector, _ r: Vector, count: Int) -> Vector {
        binary(l, r, count: count) { a, b in
            TruthWordsResult(isTrue: Words.and(a.isTrue, b.isTrue), isFalse: Words.or(a.isFalse, b.isFalse))
        }
    }

    public static func or(_ l: Vector, _ r: Vector, count: Int) -> Vector {
        binary(l, r, count: count) { a, b in
            TruthWordsResult(isTrue: Words.or(a.isTrue, b.isTrue), isFalse: Words.and(a.isFalse, b.isFalse))
        }
    }

    struct TruthWordsResult {
        var isTrue: Bitmap
        var isFalse: Bitmap
    }

    static func binary(_ l: Vector, _ r: Vector, count: Int, _ f: (TruthWords, TruthWords) -> TruthWordsResult) -> Vector {
        let allConstant = l.isConstant && r.isConstant
        let n = allConstant ? 1 : count
        let result = f(TruthWords(l, count: n), TruthWords(r, count: n))
        let column = Column(.bool, .bool(result.isTrue), validity: Words.or(result.isTrue, result.isFalse))
        return allConstant ? .constant(column.value(at: 0), .bool) : .column(column)
    }

    public static func not(_ v: Vector, count: Int) -> Vector {
        switch v {
        case .constant(let value, _):
            if case .bool(let b) = value { return .constant(.bool(!b), .bool) }
            return v
        case .column(let c):
            guard case .bool(let bits) = c.storage else { preconditionFailure("expected a Bool vector, got \(c.type)") }
            return .column(Column(.bool, .bool(Words.not(bits)), validity: c.validity))
        }
    }

    /// IS [NOT] NULL: never null.
    public static func isNull(_ v: Vector, negated: Bool, count: Int) -> Vector {
        switch v {
        case .constant(let value, _):
            return .constant(.bool(value.isNull != negated), .bool)
        case .column(let c):
            let present = c.validity ?? Bitmap(repeating: true, count: c.count)
            return .column(Column(.bool, .bool(negated ? present : Words.not(present))))
        }
    }

    /// The rows where a Bool vector is true (false and null rows are dropped), as a mask of `count` bits.
    public static func trueMask(_ v: Vector, count: Int) -> Bitmap {
        switch v {
        case .constant(let value, _):
            return Bitmap(repeating: value == .bool(true), count: count)
        case .column(let c):
            guard case .bool(let bits) = c.storage else { preconditionFailure("expected a Bool vector, got \(c.type)") }
            return c.validity.map { Words.and(bits, $0) } ?? bits
        }
    }

    /// x [NOT] IN (constants): null if x is null, or if no match and the list holds a null. `list` values already of x's type (or int64/float64 mixed).
    ///
    /// Short lists OR together one vectorised equality per item; long ones (over 16 items) of
    /// numbers and dates probe a hash set per row. A dictionary input is tested once per
    /// distinct value.
    public static func inList(_ v: Vector, _ list: [Value], negated: Bool, count: Int) -> Vector {
        let constant = v.isConstant
        let n = constant ? 1 : count
        if case .all = Nulls.of(v) { return .null(.bool, count: count, constant: constant) }
        let listHasNull = list.contains(where: \.isNull)
        let items = list.filter { !$0.isNull }

        if case .column(let c) = v, case .dictionary(let codes, let values) = c.storage {
            let perValue = matches(.column(Column(.string, .string(values))), items, count: values.count)
            return .column(finish(Comparison.lookup(codes, table: perValue), validity: c.validity, listHasNull: listHasNull, negated: negated))
        }
        let found = matches(constant ? .column(v.materialize(count: 1)) : v, items, count: n)
        let validity: Bitmap? = if case .column(let c) = v { c.validity } else { nil }
        let column = finish(found, validity: validity, listHasNull: listHasNull, negated: negated)
        return constant ? .constant(column.value(at: 0), .bool) : .column(column)
    }

    /// found → true; not found → false, or null when the list held a null. Then NOT if negated.
    static func finish(_ found: Bitmap, validity: Bitmap?, listHasNull: Bool, negated: Bool) -> Column {
        let value = negated ? Words.not(found) : found
        var valid = validity
        if listHasNull { valid = Words.and(valid, found) }
        return Column(.bool, .bool(value), validity: valid)
    }

    /// Bit i set when row i's value equals an item (nulls' slots give arbitrary bits).
    static func matches(_ v: Vector, _ items: [Value], count: Int) -> Bitmap {
        if items.isEmpty { return Bitmap(repeating: false, count: count) }
        if items.count > 16, case .column(let c) = v {
            switch c.storage {
            case .int64(let values) where c.type == .int64 || c.type == .timestamp:
                var set = Set<Int64>()
                for item in items {
                    switch item {
                    case .int64(let x), .timestamp(let x): set.insert(x)
                    case .date(let d): set.insert(dateToMicros(d))
                    case .float64(let x): if let i = Int64(exactly: x) { set.insert(i) }
                    default: break
                    }
                }
                return values.withUnsafeBufferPointer { b in Words.build(count: count) { set.contains(b[$0]) } }
            case .int32(let values):
                var set = Set<Int32>()
                for item in items {
                    switch item {
                    case .date(let d): set.insert(d)
                    case .timestamp(let t) where t % microsPerDay == 0: if let d = Int32(exactly: t / microsPerDay) { set.insert(d) }
                    default: break
                    }
                }
                return values.withUnsafeBufferPointer { b in Words.build(count: count) { set.contains(b[$0]) } }
            case .float64(let values):
                // Canonical bits: every NaN alike, -0.0 as 0.0.
                func key(_ x: Double) -> UInt64 { x.isNaN ? Double.nan.bitPattern : (x + 0.0).bitPattern }
                var set = Set<UInt64>()
                var exact = true
                for item in items {
                    switch item {
                    case .float64(let x): set.insert(key(x))
                    case .int64(let i):
                        if let d = Double(exactly: i) { set.insert(key(d)) } else { exact = false }
                    default: break
                    }
                }
                if exact {
                    return values.withUnsafeBufferPointer { b in Words.build(count: count) { set.contains(key(b[$0])) } }
                }
            default:
                break
            }
        }
        var found = Bitmap(repeating: false, count: count)
        for item in items {
            guard let type = item.dataType else { continue }
            found = Words.or(found, Comparison.values(.equal, v, .constant(item, type), count: count))
        }
        return found
    }
}
