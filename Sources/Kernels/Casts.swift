import Columns

/// CAST and TRY_CAST between the six types.
///
/// A value that does not convert is an error naming the row and the text, or a null under
/// TRY_CAST; a null row never fails, whatever its slot holds. A dictionary column is cast
/// once per distinct value and then mapped through its codes (a string result stays a
/// dictionary).
public enum Casts {
    /// CAST. String → int64/float64/date/timestamp/bool parses the text strictly; failure → error naming the row and text
    /// (`cannot cast to Int64`, with the text), or null when `tryCast`. Float64 → Int64 rounds half away from zero, error (null with tryCast) if out of range or NaN.
    ///
    /// Text rules: surrounding ASCII spaces and tabs are ignored. Int64: optional sign and decimal
    /// digits (leading zeros allowed) that fit. Float64: decimal or scientific notation, `inf`,
    /// `infinity`, `nan`; a finite text that overflows is an error. Date: `YYYY-MM-DD`.
    /// Timestamp: `YYYY-MM-DD[ T]HH:MM:SS[.ffffff][Z|±HH:MM]` or a date (midnight). Bool:
    /// true/false/t/f/yes/no/1/0 in any case.
    /// Int64/Float64 → String formats like the CSV writer: integral floats below 1e15 as `3.0`,
    /// others by Swift's shortest round-trip `description` (`0.1`, `1e+20`), `NaN`, `inf`, `-inf`.
    /// Date → Timestamp (midnight UTC), Timestamp → Date (floor). Bool ↔ Int64 / Float64 (1/0,
    /// nonzero → true). Int64 ↔ Date counts days, Int64 ↔ Timestamp microseconds (Float64 the
    /// same, rounded half away from zero).
    public static func cast(_ v: Vector, to type: DataType, tryCast: Bool, count: Int) throws(BatonError) -> Vector {
        if v.type == type { return v }
        guard TypeRules.castable(v.type, type) else { throw invalid("cannot cast \(v.type) to \(type)") }
        switch v {
        case .constant(let value, _):
            if value.isNull { return .constant(.null, type) }
            let column = try castColumn(v.materialize(count: 1), to: type, tryCast: tryCast)
            return .constant(column.value(at: 0), type)
        case .column(let c):
            return .column(try castColumn(c, to: type, tryCast: tryCast))
        }
    }

    static func castColumn(_ c: Column, to type: DataType, tryCast: Bool) throws(BatonError) -> Column {
        if case .dictionary(let codes, let values) = c.storage {
            // Cast each distinct value once (failures become nulls), then map the codes; a valid
            // row whose value failed is the error.
            let perValue = try castColumn(Column(.string, .string(values)), to: type, tryCast: true)
            if !tryCast, let failed = perValue.validity {
                for i in 0..<codes.count where !failed[Int(codes[i])] && !c.isNull(i) {
                    throw failure(.string(values[Int(codes[i])]), type, row: i)
                }
            }
            return mapCodes(codes, validity: c.validity, perValue: perValue)
        }
        var failures: [Int] = []
        let result: Column
        switch (c.storage, type) {
        case (.int64(let x), .float64):
            result = Column(type, .float64(map1(x) { Double($0) }), validity: c.validity)
        case (.int64(let x), .bool):
            result = Column(type, .bool(x.withUnsafeBufferPointer { b in Words.build(count: b.count) { b[$0] != 0 } }), validity: c.validity)
        case (.int64(let x), .string):
            let isTimestamp = c.type == .timestamp
            result = strings(x, c.validity) { isTimestamp ? Temporal.formatTimestamp($0) : String($0) }
        case (.int64(let x), .date):
            result = fixed(x, c.validity, type, &failures) { c.type == .timestamp ? Int32(exactly: microsToDays($0)) : Int32(exactly: $0) } wrap: { .int32($0) }
        case (.int64(let x), .timestamp), (.int64(let x), .int64):
            result = Column(type, .int64(x), validity: c.validity)
        case (.float64(let x), .int64), (.float64(let x), .timestamp):
            result = fixed(x, c.validity, type, &failures, roundToInt64) { .int64($0) }
        case (.float64(let x), .date):
            result = fixed(x, c.validity, type, &failures) { roundToInt64($0).flatMap { Int32(exactly: $0) } } wrap: { .int32($0) }
        case (.float64(let x), .bool):
            result = Column(type, .bool(x.withUnsafeBufferPointer { b in Words.build(count: b.count) { b[$0] != 0 } }), validity: c.validity)
        case (.float64(let x), .string):
            result = strings(x, c.validity, formatDouble)
        case (.int32(let x), .int64):
            result = Column(type, .int64(map1(x) { Int64($0) }), validity: c.validity)
        case (.int32(let x), .timestamp):
            result = Column(type, .int64(map1(x, dateToMicros)), validity: c.validity)
        case (.int32(let x), .float64):
            result = Column(type, .float64(map1(x) { Double($0) }), validity: c.validity)
        case (.int32(let x), .string):
            result = strings(x, c.validity, Temporal.formatDate)
        case (.bool(let b), .int64):
            result = Column(type, .int64((0..<b.count).map { b[$0] ? 1 : 0 }), validity: c.validity)
        case (.bool(let b), .float64):
            result = Column(type, .float64((0..<b.count).map { b[$0] ? 1 : 0 }), validity: c.validity)
        case (.bool(let b), .string):
            result = strings(Array(0..<b.count), c.validity) { b[$0] ? "true" : "false" }
        case (.string(let s), _):
            result = parse(s, c.validity, type, &failures)
        default:
            throw invalid("cannot cast \(c.type) to \(type)")
        }
        guard !failures.isEmpty else { return result }
        if !tryCast { throw failure(c.value(at: failures[0]), type, row: failures[0]) }
        var validity = result.validity ?? Bitmap(repeating: true, count: result.count)
        for i in failures { validity[i] = false }
        return result.withValidity(validity)
    }

    static func failure(_ value: Value, _ type: DataType, row: Int) -> BatonError {
        let text: String = switch value {
        case .float64(let x): formatDouble(x)
        default: value.description
        }
        // The value goes in `text`, which the error's description shows as `found "…"`.
        var error = invalid("cannot cast to \(type)", row: row, text: text)
        error.hint = "TRY_CAST(… AS \(type)) gives NULL instead"
        return error
    }

    /// Per-value results spread over rows by dictionary code; strings stay dictionary-encoded.
    static func mapCodes(_ codes: [Int32], validity: Bitmap?, perValue: Column) -> Column {
        let valid = Words.and(validity, perValue.validity.map { Comparison.lookup(codes, table: $0) })
        if case .string(let values) = perValue.storage {
            return Column(.string, .dictionary(codes: codes, values: values), validity: valid)
        }
        return perValue.gather(SelectionVector(codes.map { UInt32(bitPattern: $0) })).withValidity(valid)
    }

    /// Converts every row; a valid row that does not convert is recorded in `failures`.
    @inline(__always)
    static func fixed<S, T: Numeric>(_ source: [S], _ validity: Bitmap?, _ type: DataType, _ failures: inout [Int],
                                     _ convert: (S) -> T?, wrap: ([T]) -> ColumnStorage) -> Column {
        var values = [T](repeating: 0, count: source.count)
        for i in 0..<source.count {
            if let v = convert(source[i]) {
                values[i] = v
            } else if validity?[i] ?? true {
                failures.append(i)
            }
        }
        return Column(type, wrap(values), validity: validity)
    }

    static func strings<S>(_ source: [S], _ validity: Bitmap?, _ format: (S) -> String) -> Column {
        var out = StringBuilder(capacity: source.count, bytes: source.count * 8)
        for i in 0..<source.count {
            if validity?[i] ?? true {
                var text = format(source[i])
                text.withUTF8 { out.append(UnsafeRawBufferPointer($0)) }
            } else {
                out.appendEmpty()
            }
        }
        return Column(.string, .string(out.array), validity: validity)
    }

    static func parse(_ s: StringArray, _ validity: Bitmap?, _ type: DataType, _ failures: inout [Int]) -> Column {
        let rows = StringRows(s)
        return rows.with { cursor in
            switch type {
            case .int64:
                return fixed(Array(0..<s.count), validity, type, &failures, { parseInt64(trimmed(cursor.row($0))) }) { .int64($0) }
            case .float64:
                return fixed(Array(0..<s.count), validity, type, &failures, { parseFloat64(trimmed(cursor.row($0))) }) { .float64($0) }
            case .date:
                return fixed(Array(0..<s.count), validity, type, &failures, { FieldParsers.date(trimmed(cursor.row($0))) }) { .int32($0) }
            case .timestamp:
                return fixed(Array(0..<s.count), validity, type, &failures, { i in
                    let b = trimmed(cursor.row(i))
                    return FieldParsers.timestamp(b) ?? FieldParsers.date(b).map { Int64($0) * microsPerDay }
                }) { .int64($0) }
            case .bool:
                var values = [Bool](repeating: false, count: s.count)
                for i in 0..<s.count {
                    if let b = parseBool(trimmed(cursor.row(i))) {
                        values[i] = b
                    } else if validity?[i] ?? true {
                        failures.append(i)
                    }
                }
                return Column(.bool, .bool(Bitmap(values)), validity: validity)
            case .string:
                return Column(.string, .string(s), validity: validity)
            }
        }
    }
}

// MARK: - Text and number conversions

/// Without surrounding ASCII spaces and tabs.
func trimmed(_ b: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    var start = 0, end = b.count
    while start < end, b[start] == 32 || b[start] == 9 { start += 1 }
    while end > start, b[end - 1] == 32 || b[end - 1] == 9 { end -= 1 }
    return UnsafeRawBufferPointer(rebasing: b[start..<end])
}

/// Optional sign and decimal digits (leading zeros allowed); nil on overflow or anything else.
func parseInt64(_ b: UnsafeRawBufferPointer) -> Int64? {
    var i = 0
    var negative = false
    if b.count > 0, b[0] == 45 || b[0] == 43 {
        negative = b[0] == 45
        i = 1
    }
    guard i < b.count else { return nil }
    var value: Int64 = 0
    while i < b.count {
        let d = b[i] &- 48
        guard d < 10 else { return nil }
        let (m, o1) = value.multipliedReportingOverflow(by: 10)
        let (s, o2) = negative ? m.subtractingReportingOverflow(Int64(d)) : m.addingReportingOverflow(Int64(d))
        if o1 || o2 { return nil }
        value = s
        i += 1
    }
    return value
}

/// FieldParsers' strict float syntax, plus what it refuses only to protect identifiers in CSV
/// (leading zeros, integers beyond 2^53), which a CAST asks for explicitly.
func parseFloat64(_ b: UnsafeRawBufferPointer) -> Double? {
    if let x = FieldParsers.float64(b) { return x }
    // [+-]digits[.digits][(e|E)[+-]digits], rounded correctly by the standard library.
    var i = 0
    if i < b.count, b[i] == 45 || b[i] == 43 { i += 1 }
    var digits = 0
    while i < b.count, b[i] &- 48 < 10 { i += 1; digits += 1 }
    if i < b.count, b[i] == 46 {
        i += 1
        while i < b.count, b[i] &- 48 < 10 { i += 1; digits += 1 }
    }
    guard digits > 0 else { return nil }
    if i < b.count, b[i] == 101 || b[i] == 69 {
        i += 1
        if i < b.count, b[i] == 45 || b[i] == 43 { i += 1 }
        var e = 0
        while i < b.count, b[i] &- 48 < 10 { i += 1; e += 1 }
        guard e > 0 else { return nil }
    }
    guard i == b.count, let x = Double(b.string), x.isFinite else { return nil }
    return x
}

func parseBool(_ b: UnsafeRawBufferPointer) -> Bool? {
    guard b.count <= 5 else { return nil }
    var lower: [UInt8] = []
    for c in b { lower.append(c >= 65 && c <= 90 ? c | 0x20 : c) }
    switch String(decoding: lower, as: UTF8.self) {
    case "true", "t", "yes", "1": return true
    case "false", "f", "no", "0": return false
    default: return nil
    }
}

/// Half away from zero; nil for NaN and for values outside Int64.
@inline(__always)
func roundToInt64(_ x: Double) -> Int64? {
    let r = x.rounded(.toNearestOrAwayFromZero)
    guard r >= -9_223_372_036_854_775_808.0, r < 9_223_372_036_854_775_808.0 else { return nil }  // NaN fails both
    return Int64(r)
}

/// The CSV writer's rendering of a double.
func formatDouble(_ v: Double) -> String {
    if v.isNaN { return "NaN" }
    if v.isInfinite { return v < 0 ? "-inf" : "inf" }
    if v == v.rounded(), abs(v) < 1e15 {
        return (v == 0 && v.sign == .minus ? "-" : "") + String(Int64(v)) + ".0"
    }
    return v.description
}
