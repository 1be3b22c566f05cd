import Columns

// Shared plumbing of the kernels: validity algebra on 64-bit words, typed operands that are
// either a buffer or one repeated value, and builders for results. Everything here is
// internal; the public entry points switch on storage once and call these with concrete types.

/// The nulls of a kernel's result before the kernel adds its own (division by zero, a failed
/// TRY_CAST): none, every row, or the rows whose bit is clear.
@usableFromInline
enum Nulls {
    case none
    case all
    case some(Bitmap)

    /// The bitmap to hand to `Column.init` (nil for no nulls).
    func validity(count: Int) -> Bitmap? {
        switch self {
        case .none: nil
        case .all: Bitmap(repeating: false, count: count)
        case .some(let bits): bits
        }
    }

    /// Rows valid in both.
    static func & (a: Nulls, b: Nulls) -> Nulls {
        switch (a, b) {
        case (.all, _), (_, .all): .all
        case (.none, let x), (let x, .none): x
        case (.some(let x), .some(let y)): .some(Words.and(x, y))
        }
    }

    static func of(_ v: Vector) -> Nulls {
        switch v {
        case .column(let c): c.validity.map { .some($0) } ?? .none
        case .constant(let value, _): value.isNull ? .all : .none
        }
    }

    static func of(_ vs: [Vector]) -> Nulls { vs.reduce(Nulls.none) { $0 & of($1) } }
}

/// Word-at-a-time bitmap algebra. All inputs have the same `count`.
public enum Words {
    @inline(__always)
    static func combine(_ a: Bitmap, _ b: Bitmap, _ f: (UInt64, UInt64) -> UInt64) -> Bitmap {
        precondition(a.count == b.count, "bitmaps of different lengths")
        let words = a.words.withUnsafeBufferPointer { x in
            b.words.withUnsafeBufferPointer { y in
                [UInt64](unsafeUninitializedCapacity: x.count) { out, n in
                    for i in 0..<x.count { out[i] = f(x[i], y[i]) }
                    n = x.count
                }
            }
        }
        return Bitmap(words: words, count: a.count)
    }

    @inline(__always)
    static func map(_ a: Bitmap, _ f: (UInt64) -> UInt64) -> Bitmap {
        let words = a.words.withUnsafeBufferPointer { x in
            [UInt64](unsafeUninitializedCapacity: x.count) { out, n in
                for i in 0..<x.count { out[i] = f(x[i]) }
                n = x.count
            }
        }
        return Bitmap(words: words, count: a.count)  // clears the tail a complement set
    }

    public static func and(_ a: Bitmap, _ b: Bitmap) -> Bitmap { combine(a, b) { $0 & $1 } }
    public static func or(_ a: Bitmap, _ b: Bitmap) -> Bitmap { combine(a, b) { $0 | $1 } }
    public static func andNot(_ a: Bitmap, _ b: Bitmap) -> Bitmap { combine(a, b) { $0 & ~$1 } }
    public static func not(_ a: Bitmap) -> Bitmap { map(a) { ~$0 } }

    static func and(_ a: Bitmap?, _ b: Bitmap?) -> Bitmap? {
        switch (a, b) {
        case (nil, let x), (let x, nil): x
        case (let x?, let y?): and(x, y)
        }
    }

    /// Bit i is `predicate(i)`, built 64 rows at a time without branches.
    @inline(__always)
    static func build(count: Int, _ predicate: (Int) -> Bool) -> Bitmap {
        let wordCount = (count &+ 63) >> 6
        let words = [UInt64](unsafeUninitializedCapacity: wordCount) { out, n in
            for w in 0..<wordCount {
                let base = w << 6
                let limit = min(64, count &- base)
                var word: UInt64 = 0
                for b in 0..<limit {
                    word |= UInt64(unsafeBitCast(predicate(base &+ b), to: UInt8.self)) << UInt64(b)
                }
                out[w] = word
            }
            n = wordCount
        }
        return Bitmap(words: words, count: count)
    }

    /// The index of the first set bit, or nil.
    public static func firstSet(_ a: Bitmap) -> Int? {
        for (w, word) in a.words.enumerated() where word != 0 { return w << 6 | word.trailingZeroBitCount }
        return nil
    }

    /// Calls `body` with the index of every set bit, in order.
    @inline(__always)
    static func forEachSet(_ a: Bitmap, _ body: (Int) -> Void) {
        a.words.withUnsafeBufferPointer { words in
            for w in 0..<words.count {
                var word = words[w]
                while word != 0 {
                    body(w << 6 | word.trailingZeroBitCount)
                    word &= word &- 1
                }
            }
        }
    }
}

/// One argument of a kernel seen as values of one Swift type: a buffer, or one value for
/// every row.
@usableFromInline
enum Operand<T> {
    case array([T])
    case scalar(T)
}

/// Applies `f` row by row to two operands; three loops so a constant stays in a register.
@inline(__always)
func map2<A, B, R>(_ a: Operand<A>, _ b: Operand<B>, count: Int, _ f: (A, B) -> R) -> [R] {
    [R](unsafeUninitializedCapacity: count) { out, n in
        let o = out.baseAddress!
        switch (a, b) {
        case (.array(let x), .array(let y)):
            x.withUnsafeBufferPointer { x in
                y.withUnsafeBufferPointer { y in
                    for i in 0..<count { (o + i).initialize(to: f(x[i], y[i])) }
                }
            }
        case (.array(let x), .scalar(let y)):
            x.withUnsafeBufferPointer { x in for i in 0..<count { (o + i).initialize(to: f(x[i], y)) } }
        case (.scalar(let x), .array(let y)):
            y.withUnsafeBufferPointer { y in for i in 0..<count { (o + i).initialize(to: f(x, y[i])) } }
        case (.scalar(let x), .scalar(let y)):
            let r = f(x, y)
            for i in 0..<count { (o + i).initialize(to: r) }
        }
        n = count
    }
}

@inline(__always)
func map1<A, R>(_ a: [A], _ f: (A) -> R) -> [R] {
    a.withUnsafeBufferPointer { x in
        [R](unsafeUninitializedCapacity: x.count) { out, n in
            let o = out.baseAddress!
            for i in 0..<x.count { (o + i).initialize(to: f(x[i])) }
            n = x.count
        }
    }
}

/// A bitmap whose bit i is `f(a[i], b[i])`.
@inline(__always)
func compare2<A, B>(_ a: Operand<A>, _ b: Operand<B>, count: Int, _ f: (A, B) -> Bool) -> Bitmap {
    switch (a, b) {
    case (.array(let x), .array(let y)):
        x.withUnsafeBufferPointer { x in y.withUnsafeBufferPointer { y in Words.build(count: count) { f(x[$0], y[$0]) } } }
    case (.array(let x), .scalar(let y)):
        x.withUnsafeBufferPointer { x in Words.build(count: count) { f(x[$0], y) } }
    case (.scalar(let x), .array(let y)):
        y.withUnsafeBufferPointer { y in Words.build(count: count) { f(x, y[$0]) } }
    case (.scalar(let x), .scalar(let y)):
        Bitmap(repeating: f(x, y), count: count)
    }
}

extension Column {
    /// `count` null rows of `type`.
    static func nulls(_ type: DataType, count: Int) -> Column {
        let storage: ColumnStorage
        switch type {
        case .int64, .timestamp: storage = .int64([Int64](repeating: 0, count: count))
        case .date: storage = .int32([Int32](repeating: 0, count: count))
        case .float64: storage = .float64([Double](repeating: 0, count: count))
        case .bool: storage = .bool(Bitmap(repeating: false, count: count))
        case .string: storage = .string(StringArray(offsets: [Int32](repeating: 0, count: count + 1), bytes: []))
        }
        return Column(type, storage, validity: Bitmap(repeating: false, count: count))
    }

    /// The same values with `validity` in place of the column's own.
    func withValidity(_ validity: Bitmap?) -> Column { Column(type, storage, validity: validity) }
}

extension Vector {
    var isConstant: Bool { if case .constant = self { true } else { false } }

    var constantValue: Value? { if case .constant(let v, _) = self { v } else { nil } }

    /// A null of `type`: a constant when every input was constant, else an all-null column.
    static func null(_ type: DataType, count: Int, constant: Bool) -> Vector {
        constant ? .constant(.null, type) : .column(.nulls(type, count: count))
    }

    /// The int64 / timestamp values (storage int64).
    var int64Operand: Operand<Int64> {
        switch self {
        case .column(let c):
            guard case .int64(let v) = c.storage else { preconditionFailure("expected int64 storage, got \(c.type)") }
            return .array(v)
        case .constant(let v, _):
            switch v {
            case .int64(let x), .timestamp(let x): return .scalar(x)
            case .date(let d): return .scalar(Int64(d))
            default: return .scalar(0)
            }
        }
    }

    var int32Operand: Operand<Int32> {
        switch self {
        case .column(let c):
            guard case .int32(let v) = c.storage else { preconditionFailure("expected date storage, got \(c.type)") }
            return .array(v)
        case .constant(let v, _):
            if case .date(let d) = v { return .scalar(d) }
            return .scalar(0)
        }
    }

    var float64Operand: Operand<Double> {
        switch self {
        case .column(let c):
            guard case .float64(let v) = c.storage else { preconditionFailure("expected float64 storage, got \(c.type)") }
            return .array(v)
        case .constant(let v, _):
            switch v {
            case .float64(let x): return .scalar(x)
            case .int64(let x): return .scalar(Double(x))
            default: return .scalar(0)
            }
        }
    }

    /// Int64 values converted to Float64, or Float64 values as they are.
    var asFloat64Operand: Operand<Double> {
        if case .column(let c) = self, case .int64(let v) = c.storage { return .array(map1(v) { Double($0) }) }
        return float64Operand
    }
}

extension Value {
    /// The type of a non-null value.
    var dataType: DataType? {
        switch self {
        case .null: nil
        case .int64: .int64
        case .float64: .float64
        case .bool: .bool
        case .string: .string
        case .date: .date
        case .timestamp: .timestamp
        }
    }
}

let microsPerDay: Int64 = 86_400_000_000

/// A date as a timestamp at midnight, saturating outside the timestamp range (only dates
/// beyond ±292,000 years get there).
@inline(__always)
func dateToMicros(_ d: Int32) -> Int64 {
    let (r, o) = Int64(d).multipliedReportingOverflow(by: microsPerDay)
    return o ? (d < 0 ? .min : .max) : r
}

/// The day a timestamp falls on (floor division).
@inline(__always)
func microsToDays(_ t: Int64) -> Int64 {
    let q = t / microsPerDay
    return (t % microsPerDay < 0) ? q &- 1 : q
}

func invalid(_ message: String, row: Int? = nil, text: String? = nil) -> BatonError {
    BatonError(.invalidInput, message, at: .init(row: row, text: text))
}
