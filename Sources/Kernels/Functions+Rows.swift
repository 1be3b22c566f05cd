import Columns

// Row-wise drivers for the function library: the null rows are decided once (the AND of the
// arguments' validities), string arguments are read through cursors, and `body` runs only
// for present rows.

/// Calls `body` with one cursor per argument (a non-string argument gets an empty one).
func withCursors<R>(_ rows: ArraySlice<StringRows>, _ acc: [StringCursor] = [], _ body: ([StringCursor]) throws(BatonError) -> R) throws(BatonError) -> R {
    guard let first = rows.first else { return try body(acc) }
    let result: Result<R, BatonError> = first.with { cursor in
        Result { () throws(BatonError) in try withCursors(rows.dropFirst(), acc + [cursor], body) }
    }
    return try result.get()
}

func stringRows(_ args: [Vector]) -> [StringRows] {
    args.map { $0.type == .string ? StringRows($0) : StringRows(.constant(.null, .string)) }
}

/// A string result: `body` appends row i's bytes to `out`.
func stringResult(_ args: [Vector], count: Int,
                  _ body: ([StringCursor], Int, inout [UInt8]) throws(BatonError) -> Void) throws(BatonError) -> Column {
    let nulls = Nulls.of(args)
    if case .all = nulls { return .nulls(.string, count: count) }
    let validity = nulls.validity(count: count)
    var out = StringBuilder(capacity: count)
    try withCursors(stringRows(args)[...]) { (cursors) throws(BatonError) in
        for i in 0..<count {
            if validity?[i] ?? true { try body(cursors, i, &out.bytes) }
            out.close()
        }
    }
    return Column(.string, .string(out.array), validity: validity)
}

/// A fixed-width result: `body` returns row i's value.
func fixedResult<T: Numeric>(_ args: [Vector], count: Int, _ type: DataType, wrap: ([T]) -> ColumnStorage,
                             _ body: ([StringCursor], Int) throws(BatonError) -> T) throws(BatonError) -> Column {
    let nulls = Nulls.of(args)
    if case .all = nulls { return .nulls(type, count: count) }
    let validity = nulls.validity(count: count)
    var values = [T](repeating: 0, count: count)
    try withCursors(stringRows(args)[...]) { (cursors) throws(BatonError) in
        try values.withUnsafeMutableBufferPointer { (out) throws(BatonError) in
            for i in 0..<count where validity?[i] ?? true { out[i] = try body(cursors, i) }
        }
    }
    return Column(type, wrap(values), validity: validity)
}

func boolResult(_ args: [Vector], count: Int, _ body: ([StringCursor], Int) -> Bool) -> Column {
    let nulls = Nulls.of(args)
    if case .all = nulls { return .nulls(.bool, count: count) }
    let validity = nulls.validity(count: count)
    let bits = try! withCursors(stringRows(args)[...]) { cursors in Words.build(count: count) { body(cursors, $0) } }
    return Column(.bool, .bool(bits), validity: validity)
}
