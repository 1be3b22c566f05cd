import CSV
import Columns
import Operators
import Query

/// A pipeline's transform stages run over one stream of batches: `baton stage --pipeline FILE`.
///
/// The pipeline names its input as a source on standard input (`source: -`), which is replaced
/// by the stream; the output is the stage a sink to `-` reads (or the one transform no other
/// transform reads). Stages between them run in graph order and are held in memory; the output
/// stage streams. Checks and file sinks are not run: a stage inside someone else's job has one
/// input and one output.
public struct PipelineStage {
    public let pipeline: Pipeline
    /// The source stage that standard input replaces.
    public let input: String
    /// The stage whose rows are the output.
    public let output: String

    /// - Throws: `.invalidPipeline` for a pipeline with problems, without a source on standard
    ///   input, or without one clear output stage.
    public init(pipeline: Pipeline) throws(BatonError) {
        self.pipeline = pipeline
        if !pipeline.problems.isEmpty { throw pipeline.invalid(pipeline.problems) }
        let stages = pipeline.spec.stages
        let inputs = stages.filter { if case .source(let s) = $0.kind { s.path == "-" } else { false } }
        guard inputs.count == 1 else {
            throw BatonError(.invalidPipeline, inputs.isEmpty ? "the pipeline has no source on standard input"
                                                              : "the pipeline has \(inputs.count) sources on standard input",
                             at: .init(file: pipeline.spec.path), hint: "declare the stage's input as one source: - (with options: {schema: FILE} for empty inputs)")
        }
        input = inputs[0].name
        let outputs = stages.compactMap { stage -> String? in
            if case .sink(let sink) = stage.kind, sink.path == "-" { return sink.from }
            return nil
        }
        if outputs.count == 1 {
            output = outputs[0]
        } else if outputs.isEmpty {
            let transforms = stages.filter { if case .transform = $0.kind { true } else { false } }.map(\.name)
            let ends = transforms.filter { name in !(pipeline.graph.downstream[name] ?? []).contains { transforms.contains($0) } }
            guard ends.count == 1 else {
                throw BatonError(.invalidPipeline, "the pipeline's output stage is not clear (\(ends.isEmpty ? "no transform" : ends.joined(separator: ", ")))",
                                 at: .init(file: pipeline.spec.path), hint: "add a sink to - (sink: -, from: STAGE) naming the output")
            }
            output = ends[0]
        } else {
            throw BatonError(.invalidPipeline, "the pipeline has \(outputs.count) sinks to standard output", at: .init(file: pipeline.spec.path),
                             hint: "a stage has one output: keep one sink to -")
        }
    }

    /// The schema declared for standard input (`options: {schema: FILE}`), if any, and the CSV
    /// options its source gives.
    public func inputOptions() throws(BatonError) -> CSVReadOptions {
        guard let stage = pipeline.spec.stage(input), case .source(let source) = stage.kind else {
            preconditionFailure("the input is a source")
        }
        return try pipeline.readOptions(source)
    }

    /// Runs the stages the output needs, `input` standing for standard input; hands the output
    /// stage's batches to `body` as they are produced. Returns the output schema.
    @discardableResult
    public func run(input table: NamedTable, csvOptions: CSVReadOptions = CSVReadOptions(),
                    _ body: (Batch) throws(BatonError) -> Void) throws(BatonError) -> Schema {
        func engine(_ tables: [String: NamedTable]) -> QueryEngine {
            QueryEngine(threads: pipeline.threads, csvOptions: csvOptions, directory: pipeline.spec.directory, tables: tables)
        }
        var needed: Set<String> = [output]
        for name in pipeline.graph.order.reversed() where needed.contains(name) {
            needed.formUnion(pipeline.graph.upstream[name] ?? [])
        }
        let order = pipeline.graph.order.filter { needed.contains($0) }
        var tables: [String: NamedTable] = [:]
        let readers = order.filter { (pipeline.graph.upstream[$0] ?? []).contains(input) }.count
        if readers > 1 {
            // Read by several stages, and readable once: kept in memory for all of them.
            tables[input] = .table(try engine([input: table]).run("SELECT * FROM \"\(input)\""))
        } else {
            tables[input] = table
        }
        for name in order where name != input {
            guard let stage = pipeline.spec.stage(name) else { continue }
            switch stage.kind {
            case .source(let source):
                tables[name] = .file(pipeline.resolve(source.path))
            case .sink:
                continue
            case .transform(let transform):
                do throws(BatonError) {
                    if name == output {
                        return try engine(tables).stream(transform.sql, body).schema
                    }
                    tables[name] = .table(try engine(tables).run(transform.sql))
                } catch {
                    var located = error.inFile(pipeline.spec.path)
                    located.message = "stage \(name): " + located.message
                    throw located
                }
            }
        }
        // The output is a source (no transform between input and output).
        return try engine(tables).stream("SELECT * FROM \"\(output)\"", body).schema
    }
}
