import Columns

/// How a CSV file is spelled. Every field has a default that `Sniffer` may override from the
/// data, unless the user set it.
public struct CSVDialect: Sendable, Equatable {
    public var delimiter: UInt8 = UInt8(ascii: ",")
    public var quote: UInt8 = UInt8(ascii: "\"")
    /// The byte that escapes a quote inside a quoted field. Equal to `quote` for RFC 4180
    /// doubled quotes (`"a ""b"""`); `\` for backslash escapes (`"a \"b\""`).
    public var escape: UInt8 = UInt8(ascii: "\"")
    public var header = true
    /// Unquoted fields equal to one of these are null. A quoted field is never null, so an
    /// empty string written as `""` reads back as an empty string.
    public var nullStrings: [String] = [""]

    public init() {}

    /// Names a delimiter given as text: one character, or `tab`, `\t`, `comma`, `semicolon`, `pipe`.
    public static func byte(named text: String, option: String) throws(BatonError) -> UInt8 {
        switch text.lowercased() {
        case "tab", "\\t", "\t": return 9
        case "comma": return UInt8(ascii: ",")
        case "semicolon": return UInt8(ascii: ";")
        case "pipe": return UInt8(ascii: "|")
        default:
            let bytes = Array(text.utf8)
            guard bytes.count == 1, bytes[0] != 10, bytes[0] != 13 else {
                throw BatonError(.invalidInput, "\(option) must be a single ASCII character", at: .init(text: text),
                                 hint: "for example \(option) ';' or \(option) tab")
            }
            return bytes[0]
        }
    }
}
