import Columns

/// A pipeline file, read and checked for shape: named stages in file order, each with the line
/// it starts on (every problem found later points there).
///
/// The YAML format is documented in docs/PIPELINES.md.
public struct PipelineSpec: Sendable {
    /// The `name:` key, or the file's base name.
    public var name: String
    /// The pipeline file, as given.
    public var path: String
    /// Relative paths in the pipeline are taken from here: the pipeline file's directory.
    public var directory: String
    public var stages: [StageSpec]

    public func stage(_ name: String) -> StageSpec? { stages.first { $0.name == name } }
}

public struct StageSpec: Sendable {
    public enum Kind: Sendable {
        case source(SourceSpec)
        case transform(TransformSpec)
        case sink(SinkSpec)
    }

    public var name: String
    public var line: Int
    public var kind: Kind
    public var checks: [CheckSpec]
    /// Attempts after the first for sources and sinks (files on flaky storage).
    public var retries: Int
    /// Seconds before the first retry; doubled for each further one.
    public var backoff: Double
    /// Stages this one reads, in the order first named.
    public var upstream: [String]
    /// The stage's definition in a canonical text: what its fingerprint hashes.
    public var definition: String

    public var kindName: String {
        switch kind {
        case .source: "source"
        case .transform: "transform"
        case .sink: "sink"
        }
    }
}

/// Input files read into the stage's table.
public struct SourceSpec: Sendable {
    /// A path, a glob, or `-` for standard input; relative to the pipeline's directory.
    public var path: String
    /// Reader options, by the names `baton convert` takes as flags (delimiter, null, ...).
    public var options: [(name: String, value: OptionValue, line: Int)]
}

public enum OptionValue: Sendable, Equatable, CustomStringConvertible {
    case text(String)
    case list([String])
    case flag(Bool)

    public var description: String {
        switch self {
        case .text(let s): s
        case .list(let l): "[" + l.joined(separator: ",") + "]"
        case .flag(let b): String(b)
        }
    }
}

/// A stage computed from other stages: SQL, given or built from the declarative keys.
public struct TransformSpec: Sendable {
    public var sql: String
    /// The line of the `sql:` key (or of the stage, for declarative forms).
    public var line: Int
    /// Whether the SQL was written by hand (errors then quote it).
    public var handWritten: Bool
}

/// Where a stage's table is written at the end of a successful run.
public struct SinkSpec: Sendable {
    public enum Format: String, Sendable { case csv, jsonl, baton, arrow, feather, arrows }
    public var path: String
    public var from: String
    public var format: Format
    /// One file per value of this column, under `path` as a directory.
    public var partitionBy: String?
    public var delimiter: UInt8
    public var header: Bool
    public var nullString: String
    public var line: Int
}

/// A test of a stage's output, run after the stage.
public struct CheckSpec: Sendable {
    public enum Rule: Sendable {
        case notNull(String)
        case unique([String])
        case acceptedValues(String, [String])
        case range(String, min: String?, max: String?)
        case rowCount(min: Int?, max: Int?)
        case expression(String)
    }

    public enum Severity: String, Sendable { case error, warn }

    public var rule: Rule
    public var severity: Severity
    public var line: Int

    /// The columns the rule names (checked against the stage's schema when validating).
    public var columns: [String] {
        switch rule {
        case .notNull(let c): [c]
        case .unique(let cs): cs
        case .acceptedValues(let c, _): [c]
        case .range(let c, _, _): [c]
        case .rowCount, .expression: []
        }
    }

    public var description: String {
        switch rule {
        case .notNull(let c): "not_null(\(c))"
        case .unique(let cs): "unique(\(cs.joined(separator: ", ")))"
        case .acceptedValues(let c, let vs): "accepted_values(\(c): \(vs.joined(separator: ", ")))"
        case .range(let c, let lo, let hi): "range(\(c): \(lo ?? "-inf")..\(hi ?? "inf"))"
        case .rowCount(let lo, let hi): "row_count(\(lo.map(String.init) ?? "0")..\(hi.map(String.init) ?? "inf"))"
        case .expression(let e): "expression(\(e))"
        }
    }
}

/// A problem with a pipeline, pointing at its line in the YAML file.
public struct PipelineProblem: Sendable, Equatable, CustomStringConvertible {
    public var line: Int?
    public var stage: String?
    public var message: String
    public var hint: String?
    /// Whether the stage is still checked further (its schema, SQL and checks): true for
    /// problems that leave its definition usable, such as an unknown key that is ignored.
    public var checkFurther: Bool

    public init(line: Int?, stage: String? = nil, _ message: String, hint: String? = nil, checkFurther: Bool = false) {
        self.line = line
        self.stage = stage
        self.message = message
        self.hint = hint
        self.checkFurther = checkFurther
    }

    /// `file:line: stage s: message (hint: ...)`.
    public func rendered(file: String) -> String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let stage { text += "stage \(stage): " }
        text += message
        if let hint { text += " (hint: \(hint))" }
        return text
    }

    public var description: String { rendered(file: "pipeline") }
}
