/// The one error type of the engine. It carries what went wrong (`kind`, which the CLI maps
/// to an exit code), a sentence for a person, where in the data it happened, and what to do.
///
/// `description` renders as `file:line: column "c": message (hint: ...)`, the shape users
/// grep for.
public struct BatonError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The user asked for something impossible (bad option, unknown column, bad value).
        case invalidInput
        /// A file named by the user does not exist.
        case fileNotFound
        /// A file exists but is not a `.baton` file.
        case notBatonFile
        /// The file was written by a newer format version than this build reads.
        case unsupportedVersion
        /// Stored bytes do not match their checksum.
        case checksumMismatch
        /// The file ends before its own structure says it should.
        case truncated
        /// The structure is self-consistent enough to read but describes impossible data.
        case corrupt
        /// The operating system refused a read, a write or a rename.
        case io
        /// A record of the input cannot be read as declared (bad value, wrong field count,
        /// broken quoting) and `--on-error fail` is in force.
        case badRecord
        /// More records were rejected than `--max-errors` allows.
        case tooManyErrors
        /// A pipeline file has problems (unknown stages or columns, cycles, type errors).
        case invalidPipeline
        /// A pipeline check of severity `error` found failing rows.
        case checkFailed
        /// Another run holds the pipeline's workspace.
        case busy
        /// An operator cannot finish within `--memory-limit` even by spilling (one group or
        /// one merge step needs more than the whole budget).
        case memoryLimit
        /// Spill files would take more than `--max-temp-size`.
        case diskLimit
    }

    /// Where in the data an error happened. Every part is optional; set what is known.
    public struct Location: Sendable, Equatable {
        public var file: String?
        public var line: Int?
        public var rowGroup: Int?
        public var row: Int?
        public var column: String?
        public var text: String?

        public init(file: String? = nil, line: Int? = nil, rowGroup: Int? = nil, row: Int? = nil,
                    column: String? = nil, text: String? = nil) {
            self.file = file
            self.line = line
            self.rowGroup = rowGroup
            self.row = row
            self.column = column
            self.text = text
        }
    }

    public var kind: Kind
    public var message: String
    public var location: Location
    public var hint: String?

    public init(_ kind: Kind, _ message: String, at location: Location = Location(), hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
        self.hint = hint
    }

    /// The same error with the file name filled in, if it was not known where it was thrown.
    public func inFile(_ path: String) -> BatonError {
        var copy = self
        if copy.location.file == nil { copy.location.file = path }
        return copy
    }

    public var description: String {
        var parts: [String] = []
        if let file = location.file {
            var place = file
            if let line = location.line { place += ":\(line)" }
            parts.append(place)
        }
        if let group = location.rowGroup { parts.append("row group \(group)") }
        if let row = location.row { parts.append("row \(row)") }
        if let column = location.column { parts.append("column \"\(column)\"") }
        var text = parts.isEmpty ? message : parts.joined(separator: ": ") + ": " + message
        if let offending = location.text { text += ", found \"\(offending)\"" }
        if let hint { text += " (hint: \(hint))" }
        return text
    }
}
