import CSV
import Columns
import Foundation
import Operators
import Query
import Storage
#if canImport(Glibc)
import Glibc
#endif

/// How `baton run` runs a pipeline.
public struct RunOptions: Sendable {
    /// The workspace directory (default: `.baton/NAME` beside the pipeline file).
    public var workspace: String?
    /// Run every selected stage even if its fingerprint is unchanged.
    public var force = false
    /// `--select` patterns (empty: every stage).
    public var select: [String] = []
    /// Say what would run, run nothing.
    public var dryRun = false
    /// Stages run at once, at most.
    public var concurrency = 2
    /// Memory and spill limits for the whole run: the memory limit is shared out equally among
    /// the stages that may run at once, so together they stay under it.
    public var limits = ResourceLimits()

    public init() {}
}

/// The outcome of a run: each stage's report, the run's status, and where the log is.
public struct RunReport: Sendable {
    public var id: String
    public var succeeded: Bool
    public var stages: [StageReport]
    public var seconds: Double
    /// The error that ended the run, if it failed.
    public var error: BatonError?

    /// The table `baton run` prints at the end.
    public var summary: String {
        var rows = [["stage", "kind", "status", "rows in", "rows out", "time", "checks"]]
        for s in stages {
            let failedChecks = s.checks.filter { !$0.passed }
            let checks = s.checks.isEmpty ? "" : failedChecks.isEmpty ? "\(s.checks.count) passed"
                : "\(failedChecks.count) of \(s.checks.count) failed"
            rows.append([s.stage, s.kind, s.status.rawValue, String(s.rowsIn), String(s.rowsOut),
                         s.status == .ran || s.status == .failed ? String(format: "%.2f s", s.seconds) : "", checks])
        }
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        var text = rows.map { row in
            row.enumerated().map { c, cell in
                (c >= 3 && c <= 5) ? String(repeating: " ", count: widths[c] - cell.count) + cell
                    : cell + String(repeating: " ", count: widths[c] - cell.count)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
        text += "\n\(succeeded ? "succeeded" : "failed") in \(String(format: "%.2f", seconds)) s (run \(id))\n"
        return text
    }
}

/// Runs a validated pipeline: stages in dependency order, independent ones at once, each
/// skipped when its fingerprint matches the last successful run's.
public final class PipelineRunner: @unchecked Sendable {
    public let pipeline: Pipeline
    public let options: RunOptions
    public let reporter: ProgressReporter
    public let workspace: Workspace
    let runID: String

    public init(_ pipeline: Pipeline, options: RunOptions, reporter: ProgressReporter) throws(BatonError) {
        self.pipeline = pipeline
        self.options = options
        self.reporter = reporter
        let directory = options.workspace ?? pipeline.resolve(".baton/\(pipeline.spec.name)")
        workspace = try Workspace(directory: directory)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd'T'HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        runID = formatter.string(from: Date()) + "-\(getpid())"
    }

    /// Where the stage's table lives once it has run.
    func tablePath(_ stage: StageSpec) -> String {
        if case .source(let source) = stage.kind, pipeline.isBaton(source) { return pipeline.resolve(source.path) }
        return workspace.output(stage.name)
    }

    // MARK: Fingerprints

    func fingerprint(_ stage: StageSpec, upstream: [String: String]) throws(BatonError) -> String {
        var text = stage.definition + "\n"
        for u in stage.upstream { text += "\(u)=\(upstream[u] ?? "?")\n" }
        if case .source(let source) = stage.kind {
            let path = pipeline.resolve(source.path)
            if path == "-" { return "stdin-" + runID }
            let files = try CSVReader.expand(path)
            let hashes = try workspace.contentHashes(files)
            for f in files { let h = hashes[f]!; text += "\(f) \(h.size) \(h.time) \(h.hash)\n" }
            for (name, value, _) in source.options where name == "schema" {
                if case .text(let p) = value {
                    let schemaPath = pipeline.resolve(p)
                    text += "schema \(try workspace.contentHashes([schemaPath])[schemaPath]!.hash)\n"
                }
            }
        }
        return Fingerprint.hash(text)
    }

    /// Whether a completed stage's output is still what that run left.
    func outputIntact(_ stage: StageSpec, _ completed: Workspace.Completed) -> Bool {
        switch stage.kind {
        case .sink(let sink):
            if sink.path == "-" { return false }
            guard let (size, time) = Workspace.status(pipeline.resolve(sink.path)) else { return false }
            return sink.partitionBy != nil || (size == completed.outputSize && time == completed.outputTime)
        default:
            guard let (size, time) = Workspace.status(tablePath(stage)) else { return false }
            return size == completed.outputSize && time == completed.outputTime
        }
    }

    // MARK: Run

    public func run() throws(BatonError) -> RunReport {
        let (problems, _) = pipeline.validate()
        guard problems.isEmpty else { throw pipeline.invalid(problems) }
        try workspace.lock()
        defer { workspace.unlock() }
        workspace.cleanLeftovers()
        let started = Date()
        let graph = pipeline.graph
        let selected = options.select.isEmpty ? Set(graph.order) : try graph.select(options.select)
        var state = workspace.completed()

        // Decide, in order, what runs; fingerprints flow downstream.
        var fingerprints: [String: String] = [:]
        var plan: [String: (run: Bool, reason: String)] = [:]
        for name in graph.order {
            let stage = pipeline.spec.stage(name)!
            if !selected.contains(name) {
                fingerprints[name] = state[name]?.fingerprint ?? "none"
                plan[name] = (false, "not selected")
                continue
            }
            let fp = try fingerprint(stage, upstream: fingerprints)
            fingerprints[name] = fp
            let upstreamRuns = stage.upstream.contains { plan[$0]?.run == true }
            if options.force {
                plan[name] = (true, "forced")
            } else if let done = state[name], done.fingerprint == fp, !upstreamRuns {
                plan[name] = outputIntact(stage, done) ? (false, "unchanged") : (true, "output missing or changed")
            } else {
                plan[name] = (true, state[name] == nil ? "not run before" : "definition or input changed")
            }
        }
        // Stages the run reads but does not run must have an output from an earlier run.
        for name in graph.order where plan[name]!.run {
            for u in pipeline.spec.stage(name)!.upstream where !plan[u]!.run {
                let stage = pipeline.spec.stage(u)!
                guard state[u] != nil || (tablePath(stage) != workspace.output(u)), Workspace.status(tablePath(stage)) != nil else {
                    throw BatonError(.invalidInput, "stage \(name) reads \(u), which has no output from an earlier run",
                                     hint: "select +\(name) to run what it reads too")
                }
            }
        }
        if options.dryRun {
            let reports = graph.order.map { name -> StageReport in
                let stage = pipeline.spec.stage(name)!
                let p = plan[name]!
                reporter.report(p.run ? .started(stage: name, kind: "would run: \(p.reason)") : .skipped(stage: name, reason: p.reason))
                return StageReport(stage: name, kind: stage.kindName, status: p.run ? .notRun : .skipped)
            }
            return RunReport(id: runID, succeeded: true, stages: reports, seconds: 0, error: nil)
        }

        // Run: a stage starts when its inputs are done; at most `concurrency` at once.
        let shared = Scheduling(state: state)
        for name in graph.order where !plan[name]!.run {
            let stage = pipeline.spec.stage(name)!
            var report = StageReport(stage: name, kind: stage.kindName, status: selected.contains(name) ? .skipped : .notRun)
            report.rowsOut = state[name]?.rows ?? 0
            if selected.contains(name) { reporter.report(.skipped(stage: name, reason: plan[name]!.reason)) }
            shared.reports[name] = report
            shared.finished.insert(name)
        }
        shared.condition.lock()
        while true {
            let waiting = graph.order.filter { !shared.finished.contains($0) && !shared.running.contains($0) }
            if waiting.isEmpty && shared.running.isEmpty { break }
            if shared.firstError != nil && shared.running.isEmpty { break }
            let ready = shared.firstError != nil ? [] : waiting.filter { name in
                pipeline.spec.stage(name)!.upstream.allSatisfy { shared.finished.contains($0) && shared.reports[$0]?.status != .failed }
            }
            if let next = ready.first, shared.running.count < max(1, options.concurrency) {
                shared.running.insert(next)
                let stage = pipeline.spec.stage(next)!
                let fp = fingerprints[next]!
                Thread.detachNewThread { [self] in
                    let outcome = self.execute(stage)
                    shared.condition.lock()
                    shared.running.remove(next)
                    shared.finished.insert(next)
                    shared.reports[next] = outcome.report
                    if let error = outcome.error {
                        if shared.firstError == nil { shared.firstError = error }
                    } else if let sink = outcome.pending {
                        sink.fingerprint = fp
                        shared.pendingSinks.append(sink)
                        shared.state[next] = nil  // recorded once renamed into place
                        try? self.workspace.saveCompleted(shared.state)
                    } else {
                        let (size, time) = Workspace.status(self.tablePath(stage)) ?? (-1, -1)
                        shared.state[next] = Workspace.Completed(fingerprint: fp, rows: outcome.report.rowsOut, outputSize: size, outputTime: time)
                        try? self.workspace.saveCompleted(shared.state)
                    }
                    shared.condition.signal()
                    shared.condition.unlock()
                }
                continue
            }
            // Nothing can start: what is left waits on failed stages.
            if ready.isEmpty && shared.running.isEmpty { break }
            shared.condition.wait()
        }
        shared.condition.unlock()
        state = shared.state
        var reports = shared.reports
        var firstError = shared.firstError
        let pendingSinks = shared.pendingSinks
        for name in graph.order where reports[name] == nil {
            reports[name] = StageReport(stage: name, kind: pipeline.spec.stage(name)!.kindName, status: .notRun)
        }

        // Sinks appear only when everything succeeded; otherwise yesterday's outputs stay.
        if firstError == nil {
            do throws(BatonError) {
                for sink in pendingSinks {
                    try sink.commit()
                    let stage = pipeline.spec.stage(sink.stage)!
                    guard case .sink(let spec) = stage.kind else { continue }
                    let (size, time) = spec.path == "-" ? (-1, -1) : (Workspace.status(pipeline.resolve(spec.path)) ?? (-1, -1))
                    state[sink.stage] = Workspace.Completed(fingerprint: sink.fingerprint, rows: reports[sink.stage]!.rowsOut,
                                                            outputSize: size, outputTime: time)
                }
                try workspace.saveCompleted(state)
                try workspace.savePending([])
            } catch {
                firstError = error
            }
        } else {
            for sink in pendingSinks { sink.discard() }
            try? workspace.savePending([])
        }
        let report = RunReport(id: runID, succeeded: firstError == nil, stages: graph.order.map { reports[$0]! },
                               seconds: Date().timeIntervalSince(started), error: firstError)
        try? log(report, started: started)
        return report
    }

    func log(_ report: RunReport, started: Date) throws(BatonError) {
        let iso = ISO8601DateFormatter()
        var object: [String: Any] = [
            "id": report.id, "pipeline": pipeline.spec.name, "file": pipeline.spec.path,
            "started": iso.string(from: started), "finished": iso.string(from: Date()),
            "seconds": (report.seconds * 1000).rounded() / 1000, "status": report.succeeded ? "succeeded" : "failed",
            "stages": report.stages.map(\.json),
        ]
        if let error = report.error { object["error"] = error.description }
        try workspace.appendLog(ProgressReporter.encode(object))
    }

    // MARK: Stages

    /// What the scheduler and the stage threads share, under `condition`.
    final class Scheduling: @unchecked Sendable {
        let condition = NSCondition()
        var reports: [String: StageReport] = [:]
        var finished: Set<String> = []
        var running: Set<String> = []
        var firstError: BatonError?
        var pendingSinks: [PendingSink] = []
        var state: [String: Workspace.Completed]

        init(state: [String: Workspace.Completed]) { self.state = state }
    }

    struct Outcome {
        var report: StageReport
        var error: BatonError?
        var pending: PendingSink?
    }

    func execute(_ stage: StageSpec) -> Outcome {
        var report = StageReport(stage: stage.name, kind: stage.kindName, status: .ran)
        reporter.report(.started(stage: stage.name, kind: stage.kindName))
        let start = Date()
        var pending: PendingSink?
        var attempt = 0
        while true {
            do throws(BatonError) {
                switch stage.kind {
                case .source(let source): try runSource(stage, source, &report)
                case .transform(let t): try runTransform(stage, t, &report)
                case .sink(let sink): pending = try runSink(stage, sink, &report)
                }
                report.seconds = Date().timeIntervalSince(start)
                if case .sink = stage.kind {} else {
                    for check in stage.checks {
                        let result = try Checks.run(check, stage: stage.name, path: tablePath(stage), threads: pipeline.threads, limits: stageLimits)
                        report.checks.append(result)
                    }
                }
                report.seconds = Date().timeIntervalSince(start)
                if let failed = report.checks.first(where: { !$0.passed && $0.check.severity == .error }) {
                    report.status = .failed
                    let error = BatonError(.checkFailed, "stage \(stage.name): check \(failed.check.description) failed: \(failed.message)",
                                           hint: "see the failing rows in the run log (baton runs show \(runID))")
                    report.error = error.description
                    reporter.report(.finished(report))
                    return Outcome(report: report, error: error)
                }
                reporter.report(.finished(report))
                return Outcome(report: report, error: nil, pending: pending)
            } catch {
                let retryable = error.kind == .io || error.kind == .fileNotFound
                let isIO: Bool = switch stage.kind {
                case .source, .sink: true
                case .transform: false
                }
                if retryable && isIO && attempt < stage.retries {
                    let delay = stage.backoff * pow(2, Double(attempt))
                    attempt += 1
                    reporter.report(.failed(stage: stage.name, error: "\(error.description); retry \(attempt) of \(stage.retries) in \(delay) s"))
                    Thread.sleep(forTimeInterval: delay)
                    continue
                }
                report.status = .failed
                report.seconds = Date().timeIntervalSince(start)
                report.error = error.description
                reporter.report(.finished(report))
                return Outcome(report: report, error: error)
            }
        }
    }

    func runSource(_ stage: StageSpec, _ source: SourceSpec, _ report: inout StageReport) throws(BatonError) {
        let path = pipeline.resolve(source.path)
        if pipeline.isBaton(source) {
            let reader = try BatonReader(path: path)
            report.rowsIn = reader.rowCount
            report.rowsOut = reader.rowCount
            report.bytes = reader.fileSize
            return
        }
        if pipeline.isArrow(source) { return try runArrowSource(stage, source, &report) }
        var options = try pipeline.readOptions(source)
        // Rejected records: to the file the pipeline names, or beside the stage's output.
        var rejects: (file: AtomicOutputFile, writer: RejectsWriter)?
        if case .reject(let target) = options.onError {
            let file = try AtomicOutputFile(path: target.isEmpty ? rejectsPath(stage.name) : target)
            rejects = (file, RejectsWriter(sink: TextSink { (bytes) throws(BatonError) in try file.write(bytes) }))
            options.onError = .reject(path: file.path)
        }
        let reader = try CSVReader(path: path, options: options)
        try reader.select(options.columns)
        // The share read and the ETA compare parsed bytes with file sizes: not for compressed files.
        let compressed = reader.files.contains { f in [".gz", ".zst", ".lz4"].contains { f.hasSuffix($0) } }
        let totalBytes = path == "-" || compressed ? nil : reader.files.reduce(0) { $0 + (Workspace.status($1)?.size ?? 0) }
        var writer: BatonWriter?
        let output = workspace.output(stage.name)
        var rows = 0
        var lastTick = Date()
        do throws(BatonError) {
            let summary = try reader.read(onSchema: { (schema, restarted) throws(BatonError) in
                writer?.abort()
                writer = try BatonWriter(path: output, schema: schema, options: WriteOptions(threads: pipeline.threads))
                rows = 0
                if restarted, let old = rejects {
                    old.file.abort()
                    let file = try AtomicOutputFile(path: old.file.path)
                    rejects = (file, RejectsWriter(sink: TextSink { (bytes) throws(BatonError) in try file.write(bytes) }))
                }
            }, onRejected: { (records) throws(BatonError) in
                try rejects?.writer.add(records)
            }, { (batch) throws(BatonError) in
                try writer!.write(batch)
                rows += batch.count
                if Date().timeIntervalSince(lastTick) > 0.2 {
                    lastTick = Date()
                    reporter.report(.progress(stage: stage.name, rows: rows, bytes: reader.bytesParsed, totalBytes: totalBytes))
                }
            })
            let written = try writer!.finish()
            if var r = rejects {
                try r.writer.finish()
                try r.file.commit()
            }
            report.rowsIn = summary.rowsRead + summary.rejected
            report.rowsOut = summary.rowsRead
            report.rejected = summary.rejected
            report.bytes = written.fileBytes
        } catch {
            writer?.abort()
            rejects?.file.abort()
            throw error
        }
    }

    /// Where a source with `on_error: reject` lists its rejected records.
    public func rejectsPath(_ stage: String) -> String { "\(workspace.directory)/rejects/\(stage).csv" }

    /// An Arrow IPC source, copied into the workspace as a Baton file (kept columns only).
    func runArrowSource(_ stage: StageSpec, _ source: SourceSpec, _ report: inout StageReport) throws(BatonError) {
        let (reader, schema, indices) = try pipeline.arrowSchema(source)
        let writer = try BatonWriter(path: workspace.output(stage.name), schema: schema, options: WriteOptions(threads: pipeline.threads))
        var rows = 0
        do throws(BatonError) {
            while let batch = try reader.next() {
                try writer.write(try Batch(schema: schema, columns: indices.map { batch.columns[$0] }))
                rows += batch.count
            }
            let written = try writer.finish()
            report.rowsIn = rows
            report.rowsOut = rows
            report.bytes = written.fileBytes
        } catch {
            writer.abort()
            throw error
        }
    }

    func engine(for stage: StageSpec) -> QueryEngine {
        var tables: [String: NamedTable] = [:]
        for u in stage.upstream { tables[u] = .file(tablePath(pipeline.spec.stage(u)!)) }
        return QueryEngine(threads: pipeline.threads, directory: pipeline.spec.directory, tables: tables, limits: stageLimits)
    }

    /// One stage's share of the run's limits.
    var stageLimits: ResourceLimits {
        var limits = options.limits
        limits.memory = limits.memory.map { $0 / max(1, options.concurrency) }
        return limits
    }

    func runTransform(_ stage: StageSpec, _ t: TransformSpec, _ report: inout StageReport) throws(BatonError) {
        let engine = engine(for: stage)
        let output = workspace.output(stage.name)
        var writer: BatonWriter?
        var rows = 0
        var lastTick = Date()
        do throws(BatonError) {
            let planned = try engine.plan(t.sql)
            writer = try BatonWriter(path: output, schema: planned.schema, options: WriteOptions(threads: pipeline.threads))
            let plan = try engine.run(t.sql) { (batch) throws(BatonError) in
                try writer!.write(batch)
                rows += batch.count
                if Date().timeIntervalSince(lastTick) > 0.2 {
                    lastTick = Date()
                    reporter.report(.progress(stage: stage.name, rows: rows, bytes: 0, totalBytes: nil))
                }
            }
            let written = try writer!.finish()
            report.rowsOut = rows
            report.bytes = written.fileBytes
            report.rowsIn = stage.upstream.reduce(0) { $0 + ((try? BatonReader(path: tablePath(pipeline.spec.stage($1)!)).rowCount) ?? 0) }
            report.peakMemory = plan.memory?.peak ?? Self.peakMemory(plan.root)
            report.spilledBytes = Self.spilledBytes(plan.root)
        } catch {
            writer?.abort()
            throw error.inFile(pipeline.spec.path)
        }
    }

    static func spilledBytes(_ node: any ExecutionNode) -> Int {
        node.metrics.spilledBytes + node.children.reduce(0) { $0 + spilledBytes($1) }
    }

    static func peakMemory(_ node: any ExecutionNode) -> Int {
        node.metrics.peakBytes + node.children.reduce(0) { $0 + peakMemory($1) }
    }

    func runSink(_ stage: StageSpec, _ sink: SinkSpec, _ report: inout StageReport) throws(BatonError) -> PendingSink {
        let from = pipeline.spec.stage(sink.from)!
        let input = tablePath(from)
        let pending = PendingSink(stage: stage.name, spec: sink, target: pipeline.resolve(sink.path), runID: runID,
                                  workspace: workspace)
        try workspace.addPending(pending.temporary)
        do throws(BatonError) {
            let (rows, bytes) = try pending.write(from: input, table: sink.from, threads: pipeline.threads)
            report.rowsIn = rows
            report.rowsOut = rows
            report.bytes = bytes
        } catch {
            pending.discard()
            throw error
        }
        return pending
    }
}
