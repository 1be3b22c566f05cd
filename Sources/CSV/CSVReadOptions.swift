import Columns
import Utilities

#if canImport(Glibc)
import Glibc
#endif

/// What to do with a record that cannot be read.
public enum OnError: Sendable, Equatable {
    /// Stop at the first one (exit code 10).
    case fail
    /// Drop it and count it.
    case skip
    /// Drop it and list it in a CSV file: line, byte offset, column, reason, record.
    case reject(path: String)

    /// Parses `fail`, `skip` or `reject=FILE`.
    public init(parsing text: String) throws(BatonError) {
        if text == "fail" { self = .fail; return }
        if text == "skip" { self = .skip; return }
        if text.hasPrefix("reject="), text.count > 7 { self = .reject(path: String(text.dropFirst(7))); return }
        throw BatonError(.invalidInput, "unknown --on-error policy", at: .init(text: text),
                         hint: "use fail, skip or reject=FILE")
    }
}

/// How many rejected records a run tolerates before it fails (exit code 11).
public enum ErrorLimit: Sendable, Equatable {
    case count(Int)
    /// A fraction of the records read, checked at the end of the input.
    case ratio(Double)

    /// Parses a count (`100`), a percentage (`1%`) or a fraction below 1 (`0.01`).
    public init(parsing text: String) throws(BatonError) {
        if text.hasSuffix("%"), let percent = Double(text.dropLast()), (0...100).contains(percent) {
            self = .ratio(percent / 100)
        } else if let count = Int(text), count >= 0 {
            self = .count(count)
        } else if let fraction = Double(text), fraction >= 0, fraction < 1 {
            self = .ratio(fraction)
        } else {
            throw BatonError(.invalidInput, "--max-errors takes a count, a percentage or a fraction", at: .init(text: text),
                             hint: "for example --max-errors 100, --max-errors 1% or --max-errors 0.01")
        }
    }
}

/// Settings for `CSVReader`.
public struct CSVReadOptions: Sendable {
    public var dialect = CSVDialect()
    /// Which parts of the dialect the user set; the rest are sniffed.
    public var delimiterGiven = false
    public var quoteGiven = false
    public var headerGiven = false
    /// Declared columns, read exactly as typed: no inference, no widening; a value that does not
    /// fit rejects its record.
    public var schema: Schema?
    /// The columns to produce, in this order (nil: all). Others are skipped without parsing.
    public var columns: [String]?
    public var onError: OnError = .fail
    /// nil: no limit under `skip` / `reject` (under `fail` the first error stops the run).
    public var maxErrors: ErrorLimit?
    public var threads = defaultThreadCount
    /// Bytes parsed per step; memory use is a small multiple of it.
    public var blockSize = 8 << 20
    /// After a late widening, read the input again from the start (when it can be), so that
    /// every batch has the final schema. Off for consumers that can take a schema change
    /// mid-stream (text output), which then see `onSchema(_, restarted: false)`.
    public var restartOnWidening = true
    /// Blocks smaller than this are tokenized on one thread. Tests lower it to exercise the
    /// parallel split on small inputs.
    public var parallelSplitMinimum = 1 << 18
    /// Bytes read from the start of the input to sniff the dialect and types (files larger than
    /// 4 MiB are also sampled at four places further in).
    public var sampleSize = 1 << 20
    /// The longest record accepted, in bytes: it bounds memory when a quote is never closed.
    public var maxRecordBytes = 64 << 20
    /// Stop after this many records have been delivered.
    public var limit: Int?

    public init() {}
}

/// What a read did, for the end-of-run report.
public struct CSVReadSummary: Sendable, Equatable {
    public struct Widening: Sendable, Equatable {
        public var column: String
        public var from: DataType
        public var to: DataType
        /// The file and line of the first value that did not fit.
        public var file: String
        public var line: Int
        public var text: String
    }

    public var rowsRead = 0
    public var rejected = 0
    public var widened: [Widening] = []
    /// Times the input was read again from the start after a late widening.
    public var restarts = 0
}
