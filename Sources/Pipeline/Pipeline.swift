import Arrow
import CSV
import Columns
import Foundation
import Query
import Storage

/// A pipeline file loaded and checked: the library entry point behind `baton validate`,
/// `baton plan`, `baton graph` and `baton run`.
///
/// ```swift
/// let pipeline = try Pipeline.load("etl/daily.yaml", variables: ["date": "2026-11-24"])
/// print(try pipeline.plan())
/// let report = try PipelineRunner(pipeline, options: RunOptions()).run()
/// ```
public final class Pipeline: @unchecked Sendable {
    public let spec: PipelineSpec
    public let graph: PipelineGraph
    /// Problems of shape and graph, found without reading data.
    public let problems: [PipelineProblem]
    public let threads: Int
    /// Tables the stages may read that no stage defines, with their schemas (`input` under
    /// `baton stage --pipeline`).
    public let external: [String: Schema]

    init(spec: PipelineSpec, graph: PipelineGraph, problems: [PipelineProblem], threads: Int, external: [String: Schema] = [:]) {
        self.spec = spec
        self.graph = graph
        self.problems = problems
        self.threads = threads
        self.external = external
    }

    /// Reads and checks the shape of a pipeline file; never throws for problems inside it
    /// (they are collected in `problems`), only for a file that cannot be read.
    public static func load(_ path: String, variables: [String: String] = [:],
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                            external: [String: Schema] = [:]) throws(BatonError) -> Pipeline {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            if !FileManager.default.fileExists(atPath: path) {
                throw BatonError(.fileNotFound, "no such file", at: .init(file: path), hint: "check the path of the pipeline file")
            }
            throw BatonError(.io, "cannot read the pipeline file: \(error.localizedDescription)", at: .init(file: path))
        }
        let directory = (path as NSString).deletingLastPathComponent
        var reader = PipelineReader(file: path, variables: variables, environment: environment)
        var spec = reader.read(text, path: path, directory: directory.isEmpty ? "." : directory)
        var problems = reader.problems
        let graph = PipelineGraph.build(&spec, external: Set(external.keys), problems: &problems)
        return Pipeline(spec: spec, graph: graph, problems: problems, threads: max(1, threads), external: external)
    }

    /// `path` against the pipeline's directory, unless absolute or `-`.
    public func resolve(_ path: String) -> String {
        guard path != "-", !path.hasPrefix("/") else { return path }
        return spec.directory == "." ? path : spec.directory + "/" + path
    }

    // MARK: Validation

    /// What `validate` and `plan` learn about each stage without running it.
    public struct StagePlan: Sendable {
        public var schema: Schema?
        /// The physical plan (transforms), or what the stage reads or writes.
        public var text: String
    }

    /// Every problem of the pipeline, data-independent ones first, then those found by
    /// reading schemas (source headers and samples) and type-checking each stage's SQL and
    /// checks. Stage plans come back for the stages that are sound.
    public func validate() -> (problems: [PipelineProblem], plans: [String: StagePlan]) {
        var problems = self.problems
        var plans: [String: StagePlan] = [:]
        var schemas: [String: Schema] = [:]
        // Stages with a problem of shape are not checked further (one cause, one message).
        let flagged = Set(problems.filter { !$0.checkFurther }.compactMap(\.stage))
        for name in graph.order where !flagged.contains(name) {
            guard let stage = spec.stage(name) else { continue }
            // A stage whose inputs have unknown schemas cannot be checked further.
            guard stage.upstream.allSatisfy({ schemas[$0] != nil }) else { continue }
            switch stage.kind {
            case .source(let source):
                do throws(BatonError) {
                    let (schema, text) = try sourceSchema(source)
                    schemas[name] = schema
                    plans[name] = StagePlan(schema: schema, text: text)
                } catch {
                    problems.append(PipelineProblem(line: stage.line, stage: name, error.description))
                }
            case .transform(let t):
                var tables: [String: NamedTable] = external.mapValues { .schema($0) }
                for u in stage.upstream { tables[u] = .schema(schemas[u]!) }
                let engine = QueryEngine(threads: threads, directory: spec.directory, tables: tables)
                do throws(BatonError) {
                    let plan = try engine.plan(t.sql)
                    schemas[name] = plan.schema
                    plans[name] = StagePlan(schema: plan.schema, text: try engine.explain(t.sql))
                } catch {
                    problems.append(PipelineProblem(line: t.line, stage: name, PipelineGraph.sqlMessage(error, t)))
                }
            case .sink(let sink):
                let schema = schemas[sink.from]!
                if let column = sink.partitionBy, !schema.names.contains(column) {
                    problems.append(PipelineProblem(line: sink.line, stage: name, "partition_by names no column \(column) of \(sink.from)",
                                                    hint: "columns are " + schema.names.joined(separator: ", ")))
                }
                let target = sink.partitionBy.map { "\(resolve(sink.path))/\($0)=VALUE.\(sink.format.rawValue)" } ?? resolve(sink.path)
                plans[name] = StagePlan(schema: schema, text: "Write \(sink.format.rawValue) \(target) from \(sink.from)\n")
            }
            if let schema = schemas[name] {
                for check in stage.checks {
                    if let problem = Checks.validate(check, stage: name, schema: schema, threads: threads) { problems.append(problem) }
                }
            }
        }
        problems.sort { ($0.line ?? 0) < ($1.line ?? 0) }
        return (problems, plans)
    }

    /// The error that stands for `problems`: every one of them, one per line.
    public func invalid(_ problems: [PipelineProblem]) -> BatonError {
        let lines = problems.map { $0.rendered(file: spec.path) }
        return BatonError(.invalidPipeline,
                          "\(problems.count) problem\(problems.count == 1 ? "" : "s") in the pipeline:\n" + lines.joined(separator: "\n"),
                          hint: nil)
    }

    /// The stage graph and each stage's physical plan, as `baton plan` prints them.
    public func plan() throws(BatonError) -> String {
        let (problems, plans) = validate()
        guard problems.isEmpty else { throw invalid(problems) }
        var out = "pipeline \(spec.name): \(graph.order.count) stage\(graph.order.count == 1 ? "" : "s")\n"
        for (i, name) in graph.order.enumerated() {
            let stage = spec.stage(name)!
            let inputs = stage.upstream.isEmpty ? "" : " ← " + stage.upstream.joined(separator: ", ")
            out += "\n\(i + 1). \(name) (\(stage.kindName))\(inputs)\n"
            if let plan = plans[name] {
                for line in plan.text.split(separator: "\n", omittingEmptySubsequences: true) { out += "   \(line)\n" }
                if let schema = plan.schema {
                    out += "   schema: " + schema.fields.map { "\($0.name) \($0.type)" }.joined(separator: ", ") + "\n"
                }
            }
            for check in stage.checks { out += "   check \(check.description) [\(check.severity.rawValue)]\n" }
        }
        return out
    }

    // MARK: Sources

    /// The reader options a source's `options:` describe, checked.
    func readOptions(_ source: SourceSpec) throws(BatonError) -> CSVReadOptions {
        var options = CSVReadOptions()
        options.threads = threads
        for (name, value, _) in source.options where name == "schema" {
            guard case .text(let path) = value else { continue }
            let file = resolve(path)
            let text: String
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw BatonError(.fileNotFound, "cannot read the schema file", at: .init(file: file), hint: "write one with baton schema --lock")
            }
            let schemaFile = try SchemaFile(yaml: text, file: file)
            options.dialect = schemaFile.dialect
            options.schema = schemaFile.schema
            options.delimiterGiven = true
            options.quoteGiven = true
            options.headerGiven = true
        }
        for (name, value, _) in source.options {
            func text() throws(BatonError) -> String {
                guard case .text(let s) = value else { throw BatonError(.invalidInput, "option \(name) needs a single value") }
                return s
            }
            switch name {
            case "delimiter":
                options.dialect.delimiter = try CSVDialect.byte(named: try text(), option: "delimiter")
                options.delimiterGiven = true
            case "quote":
                let q = try CSVDialect.byte(named: try text(), option: "quote")
                if options.dialect.escape == options.dialect.quote { options.dialect.escape = q }
                options.dialect.quote = q
                options.quoteGiven = true
            case "escape":
                options.dialect.escape = try CSVDialect.byte(named: try text(), option: "escape")
            case "header":
                guard case .flag(let b) = value else { throw BatonError(.invalidInput, "option header needs true or false") }
                options.dialect.header = b
                options.headerGiven = true
            case "null":
                switch value {
                case .text(let s): options.dialect.nullStrings = [s]
                case .list(let l): options.dialect.nullStrings = l
                case .flag(let b): options.dialect.nullStrings = [String(b)]
                }
            case "on_error":
                // `reject` alone: the rejects file goes in the workspace (PipelineRunner.rejectsPath).
                let policy = try text()
                if policy == "reject" {
                    options.onError = .reject(path: "")
                } else {
                    do throws(BatonError) { options.onError = try OnError(parsing: policy) } catch {
                        throw BatonError(.invalidInput, "on_error is fail, skip, reject or reject=FILE, found '\(policy)'")
                    }
                    if case .reject(let path) = options.onError { options.onError = .reject(path: resolve(path)) }
                }
            case "max_errors":
                options.maxErrors = try ErrorLimit(parsing: try text())
            case "columns":
                switch value {
                case .list(let l): options.columns = l
                case .text(let s): options.columns = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                case .flag: throw BatonError(.invalidInput, "option columns needs column names")
                }
            case "max_record_size":
                guard let mib = Int(try text()), mib > 0 else { throw BatonError(.invalidInput, "option max_record_size needs a positive number of MiB") }
                options.maxRecordBytes = mib << 20
            case "sample_size":
                guard let n = Int(try text()), n > 0 else { throw BatonError(.invalidInput, "option sample_size needs a positive number of bytes") }
                options.sampleSize = n
            default:
                break
            }
        }
        return options
    }

    /// Whether a source reads Baton files (used as they are) rather than CSV or Arrow.
    func isBaton(_ source: SourceSpec) -> Bool { source.path.hasSuffix(".baton") }

    /// Whether a source reads an Arrow IPC file or stream file (converted to the workspace like CSV).
    func isArrow(_ source: SourceSpec) -> Bool {
        let lower = source.path.lowercased()
        return [".arrow", ".feather", ".arrows", ".ipc"].contains { lower.hasSuffix($0) }
    }

    /// The `columns` option of a source, if given.
    func sourceColumns(_ source: SourceSpec) -> [String]? {
        source.options.first { $0.name == "columns" }.map { option -> [String] in
            if case .list(let l) = option.value { return l }
            return option.value.description.split(separator: ",").map(String.init)
        }
    }

    /// An Arrow source's schema, and the positions of the columns it keeps.
    func arrowSchema(_ source: SourceSpec) throws(BatonError) -> (ArrowReader, Schema, [Int]) {
        let path = resolve(source.path)
        let reader = try ArrowReader(path: path)
        guard let schema = reader.schema else {
            throw BatonError(.invalidInput, "the Arrow stream is empty: it has no schema", at: .init(file: path),
                             hint: "the producer wrote no bytes; write at least a schema")
        }
        let indices = try sourceColumns(source).map { (names) throws(BatonError) in try schema.indices(of: names) } ?? Array(schema.fields.indices)
        return (reader, schema.projected(indices), indices)
    }

    /// A source's schema, from the Baton footer or the CSV header and samples.
    func sourceSchema(_ source: SourceSpec) throws(BatonError) -> (Schema, String) {
        let path = resolve(source.path)
        if path == "-" {
            // Standard input can be read once: its schema must be declared.
            let options = try readOptions(source)
            guard let declared = options.schema else {
                throw BatonError(.invalidInput, "a source on standard input needs a declared schema",
                                 hint: "give it options: {schema: FILE} (write one with baton schema --lock)")
            }
            let schema = declared.projected(try declared.indices(of: options.columns ?? declared.names))
            return (schema, "Read CSV from standard input → workspace, as a Baton file\n")
        }
        if isArrow(source) {
            let (_, schema, _) = try arrowSchema(source)
            return (schema, "Read \(path) (Arrow IPC) → workspace, as a Baton file\n")
        }
        if isBaton(source) {
            let reader = try BatonReader(path: path)
            let names = sourceColumns(source)
            let schema = reader.schema.projected(try reader.columnIndices(names))
            return (schema, "Read \(path) (Baton, \(reader.rowCount) rows)\n")
        }
        let options = try readOptions(source)
        var sniffing = options
        sniffing.threads = 1
        let reader = try CSVReader(path: path, options: sniffing)
        try reader.select(options.columns)
        let files = reader.files.count == 1 ? path : "\(path) (\(reader.files.count) files)"
        return (reader.schema, "Read CSV \(files) → workspace, as a Baton file\n")
    }
}
