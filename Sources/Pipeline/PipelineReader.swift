import CSV
import Columns
import Foundation
import Yams

/// Reads a pipeline file into a `PipelineSpec`, collecting every problem of shape (unknown
/// keys, wrong value kinds, unset variables) with its line instead of stopping at the first.
struct PipelineReader {
    let file: String
    let variables: [String: String]
    let environment: [String: String]
    var problems: [PipelineProblem] = []

    init(file: String, variables: [String: String], environment: [String: String]) {
        self.file = file
        self.variables = variables
        self.environment = environment
    }

    static let stageKeys: Set<String> = [
        "source", "options", "sql", "sink", "from", "join", "union", "filter", "derive", "aggregate", "select",
        "distinct", "sort", "limit", "checks", "retries", "backoff", "description", "format", "partition_by",
        "delimiter", "header", "null",
    ]
    static let sourceOptions: Set<String> = [
        "delimiter", "quote", "escape", "header", "null", "on_error", "max_errors", "schema", "columns", "sample_size",
        "max_record_size",
    ]

    mutating func read(_ text: String, path: String, directory: String) -> PipelineSpec {
        let defaultName = (path.split(separator: "/").last.map(String.init) ?? path)
            .split(separator: ".").first.map(String.init) ?? "pipeline"
        var spec = PipelineSpec(name: defaultName, path: path, directory: directory, stages: [])
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                problems.append(PipelineProblem(line: 1, "the file is empty", hint: "see docs/PIPELINES.md for the format"))
                return spec
            }
            root = node
        } catch let error as YamlError {
            problems.append(Self.problem(error))
            return spec
        } catch {
            problems.append(PipelineProblem(line: nil, "not YAML: \(error)"))
            return spec
        }
        guard let top = root.mapping else {
            problems.append(PipelineProblem(line: line(root), "the top level must be a mapping with a stages: key"))
            return spec
        }
        var defaults: [String: String] = [:]
        if let vars = top["vars"] {
            if let mapping = vars.mapping {
                for (key, value) in mapping {
                    if let k = key.scalar?.string, let v = value.scalar?.string { defaults[k] = v } else {
                        problems.append(PipelineProblem(line: line(key), "vars: each variable needs a plain value"))
                    }
                }
            } else {
                problems.append(PipelineProblem(line: line(vars), "vars: needs a mapping of names to values"))
            }
        }
        self.defaults = defaults
        for (key, value) in top {
            switch key.scalar?.string ?? "" {
            case "name": if let name = string(value, "name") { spec.name = name }
            case "vars": break
            case "stages":
                guard let stages = value.mapping else {
                    problems.append(PipelineProblem(line: line(value), "stages: needs a mapping of stage names to stages"))
                    continue
                }
                var seen: Set<String> = []
                for (nameNode, body) in stages {
                    let name = nameNode.scalar?.string ?? ""
                    guard Self.isIdentifier(name) else {
                        problems.append(PipelineProblem(line: line(nameNode), "'\(name)' is not a valid stage name",
                                                               hint: "use letters, digits and underscores, starting with a letter"))
                        continue
                    }
                    guard seen.insert(name.lowercased()).inserted else {
                        problems.append(PipelineProblem(line: line(nameNode), stage: name, "the stage is defined twice"))
                        continue
                    }
                    if let stage = stage(name, body, line: line(nameNode)) { spec.stages.append(stage) }
                }
            default:
                problems.append(PipelineProblem(line: line(key), "unknown key '\(key.scalar?.string ?? "?")'",
                                                       hint: "the top level takes name, vars and stages"))
            }
        }
        if top["stages"] == nil {
            problems.append(PipelineProblem(line: line(root), "no stages: key", hint: "see docs/PIPELINES.md for the format"))
        }
        return spec
    }

    var defaults: [String: String] = [:]

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }

    static func problem(_ error: YamlError) -> PipelineProblem {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return PipelineProblem(line: mark.line, "not valid YAML: \(problem)")
        default:
            return PipelineProblem(line: nil, "not valid YAML: \(error)")
        }
    }

    func line(_ node: Node) -> Int { node.mark?.line ?? 0 }

    // MARK: Scalars with variables

    /// A scalar's text with `${name}` replaced (`$$` is a literal `$`).
    mutating func string(_ node: Node, _ what: String, stage: String? = nil) -> String? {
        guard let scalar = node.scalar else {
            problems.append(PipelineProblem(line: line(node), stage: stage, "\(what) needs a single value"))
            return nil
        }
        return substitute(scalar.string, line: line(node), stage: stage)
    }

    mutating func substitute(_ text: String, line: Int, stage: String?) -> String {
        guard text.contains("$") else { return text }
        var out = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            let after = rest.index(after: dollar)
            if after < rest.endIndex && rest[after] == "$" {
                out += "$"
                rest = rest[rest.index(after: after)...]
                continue
            }
            guard after < rest.endIndex, rest[after] == "{", let close = rest[after...].firstIndex(of: "}") else {
                out += "$"
                rest = rest[after...]
                continue
            }
            let name = String(rest[rest.index(after: after)..<close])
            if let value = variables[name] ?? environment[name] ?? defaults[name] {
                out += value
            } else {
                problems.append(PipelineProblem(line: line, stage: stage, "the variable ${\(name)} is not set",
                                                hint: "pass --var \(name)=VALUE, set it in the environment, or give it a default under vars:"))
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    mutating func strings(_ node: Node, _ what: String, stage: String) -> [String]? {
        if node.scalar != nil { return string(node, what, stage: stage).map { [$0] } }
        guard let sequence = node.sequence else {
            problems.append(PipelineProblem(line: line(node), stage: stage, "\(what) needs a value or a list of values"))
            return nil
        }
        var out: [String] = []
        for item in sequence {
            guard let s = string(item, what, stage: stage) else { return nil }
            out.append(s)
        }
        return out
    }

    mutating func integer(_ node: Node, _ what: String, stage: String) -> Int? {
        guard let text = string(node, what, stage: stage) else { return nil }
        guard let n = Int(text), n >= 0 else {
            problems.append(PipelineProblem(line: line(node), stage: stage, "\(what) needs a whole number, found '\(text)'"))
            return nil
        }
        return n
    }

    mutating func bool(_ node: Node, _ what: String, stage: String) -> Bool? {
        guard let text = string(node, what, stage: stage) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            problems.append(PipelineProblem(line: line(node), stage: stage, "\(what) needs true or false, found '\(text)'"))
            return nil
        }
    }

    mutating func mapping(_ node: Node, _ what: String, stage: String) -> Node.Mapping? {
        guard let m = node.mapping else {
            problems.append(PipelineProblem(line: line(node), stage: stage, "\(what) needs a mapping (key: value lines)"))
            return nil
        }
        return m
    }

    // MARK: Stages

    mutating func stage(_ name: String, _ body: Node, line stageLine: Int) -> StageSpec? {
        guard let m = mapping(body, "a stage", stage: name) else { return nil }
        var keys: [String: Node] = [:]
        var keyLines: [String: Int] = [:]
        for (key, value) in m {
            let k = key.scalar?.string ?? ""
            guard Self.stageKeys.contains(k) else {
                problems.append(PipelineProblem(line: line(key), stage: name, "unknown key '\(k)'",
                                                hint: Self.suggestion(k, Self.stageKeys).map { "did you mean \($0)?" }
                                                    ?? "see docs/PIPELINES.md for the keys of each kind of stage", checkFurther: true))
                continue
            }
            keys[k] = value
            keyLines[k] = line(key)
        }
        let kinds = ["source", "sql", "sink"].filter { keys[$0] != nil }
        let declarative = keys["from"] != nil || keys["join"] != nil || keys["union"] != nil
        var retries = 0
        var backoff = 1.0
        if let r = keys["retries"] { retries = integer(r, "retries", stage: name) ?? 0 }
        if let b = keys["backoff"] {
            let text = string(b, "backoff", stage: name) ?? "1"
            let number = text.hasSuffix("ms") ? Double(text.dropLast(2)).map { $0 / 1000 }
                : text.hasSuffix("s") ? Double(text.dropLast()) : Double(text)
            if let number, number >= 0 { backoff = number } else {
                problems.append(PipelineProblem(line: line(b), stage: name, "backoff needs a duration such as 2s or 500ms, found '\(text)'"))
            }
        }
        let checks = keys["checks"].map { self.checks($0, stage: name) } ?? []
        let kind: StageSpec.Kind
        var definition = ""
        if kinds.count > 1 || (kinds == ["source"] && declarative) || (kinds == ["sql"] && declarative) {
            problems.append(PipelineProblem(line: stageLine, stage: name,
                                            "a stage is one of source, sql, sink or a declarative transform (from, join, union), not several"))
            return nil
        }
        if kinds == ["source"] {
            guard let source = source(keys, keyLines, stage: name) else { return nil }
            kind = .source(source)
            definition = "source \(source.path) " + source.options.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
            for k in keys.keys where !["source", "options", "checks", "retries", "backoff", "description"].contains(k) {
                problems.append(PipelineProblem(line: keyLines[k], stage: name, "'\(k)' does not apply to a source stage"))
            }
        } else if kinds == ["sink"] {
            guard let sink = sink(keys, keyLines, stage: name, line: stageLine) else { return nil }
            kind = .sink(sink)
            definition = "sink \(sink.path) from \(sink.from) \(sink.format) partition=\(sink.partitionBy ?? "") "
                + "delimiter=\(sink.delimiter) header=\(sink.header) null=\(sink.nullString)"
            for k in keys.keys where !["sink", "from", "format", "partition_by", "delimiter", "header", "null", "checks",
                                        "retries", "backoff", "description"].contains(k) {
                problems.append(PipelineProblem(line: keyLines[k], stage: name, "'\(k)' does not apply to a sink stage"))
            }
            if !checks.isEmpty {
                problems.append(PipelineProblem(line: keyLines["checks"], stage: name, "checks go on the stage a sink writes, not on the sink",
                                                hint: "move them to stage \(sink.from)"))
            }
        } else if kinds == ["sql"] {
            guard let sql = string(keys["sql"]!, "sql", stage: name) else { return nil }
            kind = .transform(TransformSpec(sql: sql, line: keyLines["sql"]!, handWritten: true))
            definition = "sql " + sql
            for k in keys.keys where !["sql", "checks", "retries", "backoff", "description"].contains(k) {
                problems.append(PipelineProblem(line: keyLines[k], stage: name, "'\(k)' does not apply to a sql stage",
                                                hint: "write it in the SQL, or use the declarative keys without sql:"))
            }
        } else if declarative {
            guard let sql = DeclarativeTransform.sql(keys, keyLines, stage: name, reader: &self) else { return nil }
            kind = .transform(TransformSpec(sql: sql, line: stageLine, handWritten: false))
            definition = "sql " + sql
        } else {
            problems.append(PipelineProblem(line: stageLine, stage: name, "the stage does nothing",
                                            hint: "give it source:, sql:, sink:, or from: with declarative keys"))
            return nil
        }
        definition += " retries=\(retries) checks=" + checks.map { "\($0.description)/\($0.severity)" }.joined(separator: ";")
        return StageSpec(name: name, line: stageLine, kind: kind, checks: checks, retries: retries, backoff: backoff,
                         upstream: [], definition: definition)
    }

    /// The closest known key within two edits, for "did you mean".
    static func suggestion(_ word: String, _ candidates: Set<String>) -> String? {
        func distance(_ a: String, _ b: String) -> Int {
            let a = Array(a), b = Array(b)
            var row = Array(0...b.count)
            for i in 1...max(1, a.count) where !a.isEmpty {
                var previous = row[0]
                row[0] = i
                for j in 1...max(1, b.count) where !b.isEmpty {
                    let saved = row[j]
                    row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                    previous = saved
                }
            }
            return row[b.count]
        }
        var best: (name: String, distance: Int)?
        for candidate in candidates.sorted() {
            let d = distance(word, candidate)
            if d <= 2 && d < (best?.distance ?? Int.max) { best = (candidate, d) }
        }
        return best?.name
    }

    mutating func source(_ keys: [String: Node], _ keyLines: [String: Int], stage: String) -> SourceSpec? {
        guard let path = string(keys["source"]!, "source", stage: stage) else { return nil }
        var options: [(name: String, value: OptionValue, line: Int)] = []
        if let node = keys["options"], let m = mapping(node, "options", stage: stage) {
            for (key, value) in m {
                let k = key.scalar?.string ?? ""
                guard Self.sourceOptions.contains(k) else {
                    problems.append(PipelineProblem(line: line(key), stage: stage, "unknown source option '\(k)'",
                                                    hint: "options are " + Self.sourceOptions.sorted().joined(separator: ", "), checkFurther: true))
                    continue
                }
                if value.sequence != nil {
                    guard let list = strings(value, k, stage: stage) else { continue }
                    options.append((k, .list(list), line(key)))
                } else if k == "header" {
                    guard let b = bool(value, k, stage: stage) else { continue }
                    options.append((k, .flag(b), line(key)))
                } else {
                    guard let s = string(value, k, stage: stage) else { continue }
                    options.append((k, .text(s), line(key)))
                }
            }
        }
        return SourceSpec(path: path, options: options)
    }

    mutating func sink(_ keys: [String: Node], _ keyLines: [String: Int], stage: String, line stageLine: Int) -> SinkSpec? {
        guard let path = string(keys["sink"]!, "sink", stage: stage) else { return nil }
        guard let fromNode = keys["from"] else {
            problems.append(PipelineProblem(line: stageLine, stage: stage, "a sink needs from: (the stage it writes)"))
            return nil
        }
        guard let from = string(fromNode, "from", stage: stage) else { return nil }
        let partitionBy = keys["partition_by"].flatMap { string($0, "partition_by", stage: stage) }
        var format: SinkSpec.Format
        if let f = keys["format"] {
            let text = string(f, "format", stage: stage) ?? "csv"
            guard let known = SinkSpec.Format(rawValue: text.lowercased()) else {
                problems.append(PipelineProblem(line: line(f), stage: stage, "unknown format '\(text)'",
                                                hint: "formats are csv, jsonl, baton and arrow (an IPC file; arrows for a stream)"))
                return nil
            }
            format = known
        } else if path == "-" {
            format = .csv
        } else if let ext = path.split(separator: "/").last?.split(separator: ".").dropFirst().last.map(String.init),
                  let known = SinkSpec.Format(rawValue: ["feather", "arrows", "ipc"].contains(ext.lowercased()) ? "arrow" : ext.lowercased()) {
            format = known
        } else {
            problems.append(PipelineProblem(line: keyLines["sink"], stage: stage, "cannot tell the format of '\(path)'",
                                            hint: "end the name with .csv, .jsonl, .baton or .arrow, or add format:"))
            return nil
        }
        if partitionBy != nil && path == "-" {
            problems.append(PipelineProblem(line: keyLines["partition_by"], stage: stage, "standard output cannot be partitioned"))
        }
        var delimiter = UInt8(ascii: ",")
        if let d = keys["delimiter"], let text = string(d, "delimiter", stage: stage) {
            do throws(BatonError) { delimiter = try CSVDialect.byte(named: text, option: "delimiter") } catch {
                problems.append(PipelineProblem(line: line(d), stage: stage, "delimiter needs one character, found '\(text)'"))
            }
        }
        let header = keys["header"].flatMap { bool($0, "header", stage: stage) } ?? true
        let nullString = keys["null"].flatMap { string($0, "null", stage: stage) } ?? ""
        if format != .csv && (keys["delimiter"] != nil || keys["header"] != nil || keys["null"] != nil) {
            problems.append(PipelineProblem(line: stageLine, stage: stage, "delimiter, header and null apply to CSV sinks only"))
        }
        return SinkSpec(path: path, from: from, format: format, partitionBy: partitionBy, delimiter: delimiter, header: header,
                        nullString: nullString, line: stageLine)
    }

    // MARK: Checks

    mutating func checks(_ node: Node, stage: String) -> [CheckSpec] {
        guard let sequence = node.sequence else {
            problems.append(PipelineProblem(line: line(node), stage: stage, "checks: needs a list (lines starting with -)"))
            return []
        }
        var out: [CheckSpec] = []
        for item in sequence {
            guard let m = item.mapping else {
                problems.append(PipelineProblem(line: line(item), stage: stage, "a check needs a rule such as not_null: column"))
                continue
            }
            var severity = CheckSpec.Severity.error
            var rules: [(String, Node, Int)] = []
            for (key, value) in m {
                let k = key.scalar?.string ?? ""
                if k == "severity" {
                    let text = string(value, "severity", stage: stage) ?? "error"
                    if let s = CheckSpec.Severity(rawValue: text) { severity = s } else {
                        problems.append(PipelineProblem(line: line(value), stage: stage, "severity is error or warn, found '\(text)'", checkFurther: true))
                    }
                } else {
                    rules.append((k, value, line(key)))
                }
            }
            guard rules.count == 1, let (rule, value, ruleLine) = rules.first else {
                problems.append(PipelineProblem(line: line(item), stage: stage, "a check has exactly one rule (and an optional severity)"))
                continue
            }
            for r in checkRules(rule, value, line: ruleLine, stage: stage) {
                out.append(CheckSpec(rule: r, severity: severity, line: ruleLine))
            }
        }
        return out
    }

    static let ruleNames: Set<String> = ["not_null", "unique", "accepted_values", "range", "row_count", "expression"]

    mutating func checkRules(_ rule: String, _ value: Node, line ruleLine: Int, stage: String) -> [CheckSpec.Rule] {
        switch rule {
        case "not_null":
            return (strings(value, "not_null", stage: stage) ?? []).map { .notNull($0) }
        case "unique":
            return strings(value, "unique", stage: stage).map { [.unique($0)] } ?? []
        case "expression":
            return string(value, "expression", stage: stage).map { [.expression($0)] } ?? []
        case "accepted_values":
            guard let m = mapping(value, "accepted_values", stage: stage) else { return [] }
            guard let column = m["column"].flatMap({ string($0, "column", stage: stage) }),
                  let values = m["values"].flatMap({ strings($0, "values", stage: stage) }) else {
                problems.append(PipelineProblem(line: ruleLine, stage: stage, "accepted_values needs column: and values:"))
                return []
            }
            return [.acceptedValues(column, values)]
        case "range":
            guard let m = mapping(value, "range", stage: stage) else { return [] }
            guard let column = m["column"].flatMap({ string($0, "column", stage: stage) }) else {
                problems.append(PipelineProblem(line: ruleLine, stage: stage, "range needs column: and min:, max: or both"))
                return []
            }
            let lo = m["min"].flatMap { string($0, "min", stage: stage) }
            let hi = m["max"].flatMap { string($0, "max", stage: stage) }
            guard lo != nil || hi != nil else {
                problems.append(PipelineProblem(line: ruleLine, stage: stage, "range needs min:, max: or both"))
                return []
            }
            for bound in [lo, hi].compactMap({ $0 }) where Double(bound) == nil {
                problems.append(PipelineProblem(line: ruleLine, stage: stage, "range bounds are numbers, found '\(bound)'"))
                return []
            }
            return [.range(column, min: lo, max: hi)]
        case "row_count":
            guard let m = mapping(value, "row_count", stage: stage) else { return [] }
            let lo = m["min"].flatMap { integer($0, "min", stage: stage) }
            let hi = m["max"].flatMap { integer($0, "max", stage: stage) }
            guard lo != nil || hi != nil else {
                problems.append(PipelineProblem(line: ruleLine, stage: stage, "row_count needs min:, max: or both"))
                return []
            }
            return [.rowCount(min: lo, max: hi)]
        default:
            problems.append(PipelineProblem(line: ruleLine, stage: stage, "unknown check '\(rule)'",
                                            hint: "checks are " + Self.ruleNames.sorted().joined(separator: ", ")))
            return []
        }
    }
}
