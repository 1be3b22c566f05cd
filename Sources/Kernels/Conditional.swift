import Columns

/// CASE WHEN and COALESCE: each row takes its value from one of several sources.
///
/// Both first turn the inputs into one disjoint row mask per source (word operations), then
/// copy each source's rows under its mask. A string result whose sources are all constants
/// is built as a dictionary (codes only, no text copied per row).
public enum Conditional {
    /// CASE WHEN: for each row the first condition that is true (null counts as false) picks its result, else `otherwise`. All vectors already of `type` (the binder casts).
    public static func caseWhen(conditions: [Vector], results: [Vector], otherwise: Vector, type: DataType, count: Int) -> Vector {
        precondition(conditions.count == results.count, "CASE needs one result per condition")
        if conditions.allSatisfy(\.isConstant) {
            // One branch for every row: no masks needed.
            let chosen = zip(conditions, results).first { $0.0.constantValue == .bool(true) }?.1 ?? otherwise
            let allConstant = results.allSatisfy(\.isConstant) && otherwise.isConstant
            return allConstant ? chosen : .column(chosen.materialize(count: count))
        }
        var remaining = Bitmap(repeating: true, count: count)
        var masks: [Bitmap] = []
        for condition in conditions {
            let mask = Words.and(Logic.trueMask(condition, count: count), remaining)
            remaining = Words.andNot(remaining, mask)
            masks.append(mask)
        }
        masks.append(remaining)
        return .column(select(results + [otherwise], masks, type: type, count: count))
    }

    /// CASE from sources already narrowed to their rows: row i comes from `sources[k]` where
    /// bit i of `masks[k]` is set (disjoint masks covering every row). The lazy form, for
    /// branches that may fail on rows they do not own.
    public static func select(_ sources: [Vector], masks: [Bitmap], type: DataType, count: Int) -> Vector {
        .column(select(sources, masks, type: type, count: count))
    }

    /// The first non-null argument of each row, or null when all are null.
    public static func coalesce(_ values: [Vector], type: DataType, count: Int) -> Vector {
        if values.allSatisfy(\.isConstant) {
            return values.first { !($0.constantValue?.isNull ?? true) } ?? .constant(.null, type)
        }
        if let first = values.first, case .column(let c) = first, c.validity == nil {
            return first  // never null: nothing to fill in
        }
        var remaining = Bitmap(repeating: true, count: count)
        var masks: [Bitmap] = []
        var sources: [Vector] = []
        for value in values {
            let present: Bitmap
            switch Nulls.of(value) {
            case .all: continue
            case .none: present = remaining
            case .some(let bits): present = Words.and(bits, remaining)
            }
            remaining = Words.andNot(remaining, present)
            masks.append(present)
            sources.append(value)
            if Words.firstSet(remaining) == nil { break }
        }
        masks.append(remaining)
        sources.append(.constant(.null, type))
        return .column(select(sources, masks, type: type, count: count))
    }

    /// Row i of the result is row i of `sources[k]` where bit i of `masks[k]` is set. The masks
    /// are disjoint and cover every row.
    static func select(_ sources: [Vector], _ masks: [Bitmap], type: DataType, count: Int) -> Column {
        // Validity: a row is present when its source has it.
        var valid = Bitmap(repeating: false, count: count)
        for (source, mask) in zip(sources, masks) {
            switch Nulls.of(source) {
            case .all: break
            case .none: valid = Words.or(valid, mask)
            case .some(let bits): valid = Words.or(valid, Words.and(mask, bits))
            }
        }
        let storage: ColumnStorage
        switch type {
        case .int64, .timestamp:
            storage = .int64(fill(sources.map { $0.type == .date ? Comparison.micros($0) : $0.int64Operand }, masks, count))
        case .date:
            storage = .int32(fill(sources.map(\.int32Operand), masks, count))
        case .float64:
            storage = .float64(fill(sources.map(\.asFloat64Operand), masks, count))
        case .bool:
            var bits = Bitmap(repeating: false, count: count)
            for (source, mask) in zip(sources, masks) {
                switch source {
                case .constant(let value, _): if value == .bool(true) { bits = Words.or(bits, mask) }
                case .column(let c):
                    guard case .bool(let b) = c.storage else { preconditionFailure("expected bool storage") }
                    bits = Words.or(bits, Words.and(mask, b))
                }
            }
            storage = .bool(bits)
        case .string:
            var pick = [UInt32](repeating: 0, count: count)
            for (k, mask) in masks.enumerated() { Words.forEachSet(mask) { pick[$0] = UInt32(k) } }
            if sources.allSatisfy(\.isConstant) {
                let values = StringArray(sources.map { if case .string(let s) = $0.constantValue { s } else { "" } })
                storage = .dictionary(codes: pick.map { Int32($0) }, values: values)
            } else {
                var out = StringBuilder(capacity: count)
                try! withCursors(sources.map(StringRows.init)[...]) { cursors in
                    for i in 0..<count {
                        if valid[i] { out.append(cursors[Int(pick[i])].row(i)) } else { out.appendEmpty() }
                    }
                }
                storage = .string(out.array)
            }
        }
        return Column(type, storage, validity: valid)
    }

    @inline(__always)
    static func fill<T: Numeric>(_ sources: [Operand<T>], _ masks: [Bitmap], _ count: Int) -> [T] {
        var out = [T](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { o in
            for (source, mask) in zip(sources, masks) {
                switch source {
                case .scalar(let x): Words.forEachSet(mask) { o[$0] = x }
                case .array(let a): a.withUnsafeBufferPointer { a in Words.forEachSet(mask) { o[$0] = a[$0] } }
                }
            }
        }
        return out
    }
}
