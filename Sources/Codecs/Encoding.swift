import Columns

/// How a chunk's values are laid out before the block codec runs. The raw values are the
/// encoding codes in a `.baton` footer; docs/FORMAT.md specifies each layout.
public enum Encoding: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Values back to back (strings: lengths, then bytes; bools: a bitmap).
    case plain = 0
    /// Distinct values once, then bit-packed codes. Int64, Date, Timestamp, Float64, String.
    case dictionary = 1
    /// Runs of equal values: run values, then run lengths. Every type but String.
    case runLength = 2
    /// Frame of reference: the minimum, then each value minus it in the fewest bits.
    /// Int64, Date, Timestamp.
    case bitPacked = 3
    /// Floats that are exact decimals with few digits (23.5749) as scaled integers `k`,
    /// value = k / 10^e, then packed as `bitPacked`. Float64.
    case decimal = 4

    public var description: String {
        switch self {
        case .plain: "plain"
        case .dictionary: "dictionary"
        case .runLength: "rle"
        case .bitPacked: "bitpacked"
        case .decimal: "decimal"
        }
    }

    public init?(name: String) {
        guard let match = Encoding.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = match
    }

    /// Whether this encoding can represent a column of `type`.
    public func applies(to type: DataType) -> Bool {
        switch self {
        case .plain: true
        case .dictionary: type != .bool
        case .runLength: type != .string
        case .bitPacked: type == .int64 || type == .date || type == .timestamp
        case .decimal: type == .float64
        }
    }
}
