/// The physical buffers behind a column. Kernels switch on this once per batch and then run
/// over the concrete buffer; nothing dispatches per value.
public enum ColumnStorage: Sendable, Equatable {
    /// Int64 and Timestamp.
    case int64([Int64])
    /// Date (days since the epoch).
    case int32([Int32])
    case float64([Double])
    case bool(Bitmap)
    case string(StringArray)
    /// Strings as codes into a dictionary of distinct values: the usual shape of ETL keys, which
    /// compares, groups and stores by code. Every code, null rows' included, is `< values.count`
    /// (an empty dictionary only for a column with no rows).
    case dictionary(codes: [Int32], values: StringArray)

    public var count: Int {
        switch self {
        case .int64(let v): v.count
        case .int32(let v): v.count
        case .float64(let v): v.count
        case .bool(let v): v.count
        case .string(let v): v.count
        case .dictionary(let codes, _): codes.count
        }
    }

    func fits(_ type: DataType) -> Bool {
        switch (self, type) {
        case (.int64, .int64), (.int64, .timestamp), (.int32, .date), (.float64, .float64), (.bool, .bool),
             (.string, .string), (.dictionary, .string):
            true
        default:
            false
        }
    }
}

/// A typed sequence of values, any of which may be null.
///
/// Nulls live in `validity` (bit set = value present; nil = no nulls). The storage still has a
/// slot for every null row, holding an unspecified value of the type (for dictionary columns, a
/// code that is still in range), so kernels can run branch-free over the whole buffer and
/// mask afterwards; nothing may read meaning into a null slot. A column is an immutable value; sharing one is
/// free (copy-on-write buffers).
public struct Column: Sendable {
    public let type: DataType
    public let storage: ColumnStorage
    /// nil when no value is null.
    public let validity: Bitmap?
    public let nullCount: Int

    /// - Precondition: `storage` is a representation of `type`, and `validity` (if any) has one
    ///   bit per value.
    public init(_ type: DataType, _ storage: ColumnStorage, validity: Bitmap? = nil) {
        precondition(storage.fits(type), "storage \(storage) cannot hold \(type)")
        precondition(validity == nil || validity!.count == storage.count, "validity length differs from value count")
        self.type = type
        self.storage = storage
        let nulls = validity.map { $0.count - $0.setCount } ?? 0
        // A bitmap without a zero bit says nothing: drop it so `validity == nil` means "no nulls".
        self.validity = nulls == 0 ? nil : validity
        self.nullCount = nulls
    }

    public var count: Int { storage.count }

    public func isNull(_ index: Int) -> Bool { validity.map { !$0[index] } ?? false }

    /// The value at `index`. For display and tests; kernels use the storage directly.
    public func value(at index: Int) -> Value {
        if isNull(index) { return .null }
        switch storage {
        case .int64(let v): return type == .timestamp ? .timestamp(v[index]) : .int64(v[index])
        case .int32(let v): return .date(v[index])
        case .float64(let v): return .float64(v[index])
        case .bool(let v): return .bool(v[index])
        case .string(let v): return .string(v[index])
        case .dictionary(let codes, let values): return .string(values[Int(codes[index])])
        }
    }

    /// Every value, in order. For tests and small outputs.
    public var values: [Value] { (0..<count).map(value(at:)) }
}

extension Column {
    /// A column from optional Swift values; nil becomes null.
    public static func int64(_ values: [Int64?]) -> Column { fixed(.int64, values, 0) { .int64($0) } }
    public static func timestamp(_ values: [Int64?]) -> Column { fixed(.timestamp, values, 0) { .int64($0) } }
    public static func date(_ values: [Int32?]) -> Column { fixed(.date, values, 0) { .int32($0) } }
    public static func float64(_ values: [Double?]) -> Column { fixed(.float64, values, 0) { .float64($0) } }
    public static func bool(_ values: [Bool?]) -> Column {
        Column(.bool, .bool(Bitmap(values.map { $0 ?? false })), validity: Bitmap(values.map { $0 != nil }))
    }
    public static func string(_ values: [String?]) -> Column {
        Column(.string, .string(StringArray(values.map { $0 ?? "" })), validity: Bitmap(values.map { $0 != nil }))
    }
    /// A dictionary-encoded string column; `codes[i] == nil` is a null.
    public static func dictionary(_ codes: [Int32?], values: [String]) -> Column {
        precondition(codes.allSatisfy { $0 == nil || (0..<Int32(values.count)).contains($0!) }, "code out of range")
        return Column(.string, .dictionary(codes: codes.map { $0 ?? 0 }, values: StringArray(values)),
                      validity: Bitmap(codes.map { $0 != nil }))
    }

    private static func fixed<T>(_ type: DataType, _ values: [T?], _ zero: T, _ wrap: ([T]) -> ColumnStorage) -> Column {
        Column(type, wrap(values.map { $0 ?? zero }), validity: Bitmap(values.map { $0 != nil }))
    }
}

extension Column {
    /// A column of `type` with no rows.
    public static func empty(_ type: DataType) -> Column {
        switch type {
        case .int64, .timestamp: Column(type, .int64([]))
        case .date: Column(type, .int32([]))
        case .float64: Column(type, .float64([]))
        case .bool: Column(type, .bool(Bitmap(repeating: false, count: 0)))
        case .string: Column(type, .string(StringArray()))
        }
    }
}
