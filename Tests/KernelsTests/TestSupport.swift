import Columns
@testable import Kernels
import TestSupport

/// Row counts around word boundaries.
let counts = [0, 1, 7, 63, 64, 65, 200]

extension SeededGenerator {
    mutating func nullable<T>(_ n: Int, _ make: (inout SeededGenerator) -> T) -> [T?] {
        (0..<n).map { _ in Double.random(in: 0..<1, using: &self) < 0.2 ? nil : make(&self) }
    }

    mutating func int64s(_ n: Int, range: ClosedRange<Int64> = -50...50) -> Column {
        .int64(nullable(n) { Int64.random(in: range, using: &$0) })
    }

    mutating func float64s(_ n: Int) -> Column {
        .float64(nullable(n) { g in
            switch Int.random(in: 0..<10, using: &g) {
            case 0: .nan
            case 1: -0.0
            case 2: Double(Int.random(in: -5...5, using: &g))
            case 3: .infinity
            default: Double(Int.random(in: -500...500, using: &g)) / 8
            }
        })
    }

    mutating func dates(_ n: Int) -> Column { .date(nullable(n) { Int32.random(in: -800...800, using: &$0) }) }

    mutating func timestamps(_ n: Int) -> Column {
        .timestamp(nullable(n) { Int64.random(in: -800...800, using: &$0) * 43_200_000_000 })
    }

    mutating func bools(_ n: Int) -> Column { .bool(nullable(n) { Bool.random(using: &$0) }) }

    static let words = ["", "a", "ab", "abc", "b", "ba", "Abc", "é", "éa", "a%b", "a_b", "xyz", "aXb", "hello world"]

    mutating func strings(_ n: Int) -> Column { .string(nullable(n) { Self.words.randomElement(using: &$0)! }) }

    mutating func dictionary(_ n: Int) -> Column {
        .dictionary(nullable(n) { Int32.random(in: 0..<Int32(Self.words.count), using: &$0) }, values: Self.words)
    }

    /// A random non-null constant of the column's type, or null.
    mutating func constant(like c: Column) -> Vector {
        if Int.random(in: 0..<6, using: &self) == 0 { return .constant(.null, c.type) }
        let one: Column = switch c.type {
        case .int64: int64s(8)
        case .float64: float64s(8)
        case .date: dates(8)
        case .timestamp: timestamps(8)
        case .bool: bools(8)
        case .string: strings(8)
        }
        let value = one.values.first { !$0.isNull } ?? .null
        return .constant(value, c.type)
    }
}

/// The values of a vector of `count` rows.
func rows(_ v: Vector, _ count: Int) -> [Value] {
    v.materialize(count: count).values
}

/// The four shapes a binary kernel must handle: column∘column, column∘constant,
/// constant∘column, constant∘constant.
func shapes(_ l: Column, _ r: Column, _ g: inout SeededGenerator) -> [(Vector, Vector)] {
    [(.column(l), .column(r)), (.column(l), g.constant(like: r)), (g.constant(like: l), .column(r)),
     (g.constant(like: l), g.constant(like: r))]
}

/// Same values, with NaN == NaN and -0.0 == 0.0 as SQL sees them, int promoted where needed.
func same(_ a: [Value], _ b: [Value]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in
        if case .float64(let p) = x, case .float64(let q) = y { return p == q || (p.isNaN && q.isNaN) }
        return x == y
    }
}
