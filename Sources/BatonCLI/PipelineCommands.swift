import ArgumentParser
import Columns
import Foundation
import Pipeline

/// The options every pipeline command takes: the file, variables and threads.
struct PipelineOptions: ParsableArguments {
    @Argument(help: "The pipeline file (YAML; see docs/PIPELINES.md).") var pipeline: String
    @Option(name: .customLong("var"), help: "A variable for ${name} in the pipeline: name=value (repeatable).")
    var variables: [String] = []
    @Option(help: "Threads per stage (default: all cores).") var threads = ProcessInfo.processInfo.activeProcessorCount

    func load() throws(BatonError) -> Pipeline {
        var values: [String: String] = [:]
        for v in variables {
            guard let eq = v.firstIndex(of: "=") else {
                throw BatonError(.invalidInput, "--var needs name=value, found '\(v)'")
            }
            values[String(v[..<eq])] = String(v[v.index(after: eq)...])
        }
        return try Pipeline.load(pipeline, variables: values, threads: threads)
    }
}

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a pipeline without running it: every problem at once, each with its line.",
        discussion: "Reads only what schemas need (Baton footers, CSV headers and samples). Exit code 12 when the pipeline has problems.")

    @OptionGroup var options: PipelineOptions

    func run() throws(ExitCode) {
        try BatonCLI.run { () throws(BatonError) in
            let pipeline = try options.load()
            let (problems, _) = pipeline.validate()
            guard problems.isEmpty else { throw pipeline.invalid(problems) }
            print("\(pipeline.spec.path): \(pipeline.spec.stages.count) stages, no problems")
        }
    }
}

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print a pipeline's stages in run order, each with its physical plan and schema.")

    @OptionGroup var options: PipelineOptions

    func run() throws(ExitCode) {
        try BatonCLI.run { () throws(BatonError) in
            print(try options.load().plan(), terminator: "")
        }
    }
}

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw a pipeline's stage graph as Mermaid or Graphviz dot.")

    enum Format: String, ExpressibleByArgument { case mermaid, dot }

    @OptionGroup var options: PipelineOptions
    @Option(help: "mermaid or dot.") var format: Format = .mermaid

    func run() throws(ExitCode) {
        try BatonCLI.run { () throws(BatonError) in
            let pipeline = try options.load()
            guard pipeline.problems.isEmpty else { throw pipeline.invalid(pipeline.problems) }
            print(pipeline.graph.render(pipeline.spec, format: format.rawValue), terminator: "")
        }
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline: stages in parallel, unchanged ones skipped, outputs renamed into place at the end.",
        discussion: """
            Stage outputs are kept as Baton files in the workspace (.baton/NAME beside the pipeline). \
            A stage runs again only if its definition, an upstream stage or an input file changed; \
            a failed run resumes from the stage that failed. Sinks are written under temporary \
            names and renamed when the whole run has succeeded. --select takes stage names, with \
            + before (and everything upstream) or after (and everything downstream). Exit codes: \
            10/11 data errors, 12 invalid pipeline, 13 a check failed, 14 another run holds the workspace.
            """)

    @OptionGroup var options: PipelineOptions
    @Flag(help: "Run every selected stage, even unchanged ones.") var force = false
    @Option(help: "Stages to run: NAME, +NAME (with upstream), NAME+ (with downstream); repeatable.") var select: [String] = []
    @Flag(help: "Say what would run, and why; run nothing.") var dryRun = false
    @Option(help: "Progress on stderr: auto (live on a terminal), plain, json, none.") var progress = "auto"
    @Option(help: "Stages run at once, at most.") var jobs = 2
    @Option(help: "Workspace directory (default: .baton/NAME beside the pipeline).") var workspace: String?
    @OptionGroup var resources: ResourceOptions

    func run() throws(ExitCode) {
        try BatonCLI.run { () throws(BatonError) in
            guard let style = ProgressStyle(rawValue: progress) else {
                throw BatonError(.invalidInput, "--progress is auto, plain, json or none, found '\(progress)'")
            }
            let pipeline = try options.load()
            var runOptions = RunOptions()
            runOptions.force = force
            runOptions.select = select
            runOptions.dryRun = dryRun
            runOptions.concurrency = max(1, jobs)
            runOptions.workspace = workspace
            runOptions.limits = try resources.limits()
            let runner = try PipelineRunner(pipeline, options: runOptions, reporter: ProgressReporter(style: style))
            let report = try runner.run()
            if style != .json && style != .none { Output.standardError("\n" + report.summary) }
            if let error = report.error { throw error }
        }
    }
}

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List a pipeline's past runs, or show one (baton runs PIPELINE show ID).")

    @OptionGroup var options: PipelineOptions
    @Argument(help: "show") var action: String?
    @Argument(help: "A run id (or 'last').") var id: String?
    @Option(help: "Workspace directory (default: .baton/NAME beside the pipeline).") var workspace: String?

    func run() throws(ExitCode) {
        try BatonCLI.run { () throws(BatonError) in
            let pipeline = try options.load()
            let space = try Workspace(directory: workspace ?? pipeline.resolve(".baton/\(pipeline.spec.name)"))
            let runs = space.runs()
            switch action {
            case nil:
                print("id                      status     seconds  stages ran/skipped/failed  started")
                for run in runs {
                    let stages = run["stages"] as? [[String: Any]] ?? []
                    func count(_ status: String) -> Int { stages.filter { ($0["status"] as? String) == status }.count }
                    let id = run["id"] as? String ?? "?"
                    let status = run["status"] as? String ?? "?"
                    let seconds = run["seconds"] as? Double ?? 0
                    print(id.padding(toLength: 24, withPad: " ", startingAt: 0) + status.padding(toLength: 11, withPad: " ", startingAt: 0)
                          + String(format: "%7.2f", seconds) + "  " + "\(count("ran"))/\(count("skipped"))/\(count("failed"))"
                              .padding(toLength: 26, withPad: " ", startingAt: 0) + (run["started"] as? String ?? ""))
                }
            case "show":
                guard let id else { throw BatonError(.invalidInput, "runs show needs a run id", hint: "baton runs PIPELINE lists them") }
                guard let run = id == "last" ? runs.last : runs.first(where: { ($0["id"] as? String) == id }) else {
                    throw BatonError(.invalidInput, "no run \(id) in \(space.logPath)", hint: "baton runs PIPELINE lists them")
                }
                let data = (try? JSONSerialization.data(withJSONObject: run, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
                print(String(decoding: data, as: UTF8.self))
            default:
                throw BatonError(.invalidInput, "unknown action '\(action!)'", hint: "baton runs PIPELINE [show ID]")
            }
        }
    }
}
