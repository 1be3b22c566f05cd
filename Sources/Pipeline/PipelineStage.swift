import CSV
import Columns
import Foundation
import Query
import Storage

/// A pipeline run as one stage of someone else's job (`baton stage --pipeline FILE`): the
/// caller's data is the table `input`, the pipeline's sources and transforms run in order in
/// a scratch directory, checks apply, and one transform's result is handed back batch by batch.
/// Sinks do not run (the caller owns the output) and nothing is cached.
extension Pipeline {
    /// The stage whose result is the output: `named`, or the one transform no other reads.
    public func outputStage(_ named: String?) throws(BatonError) -> StageSpec {
        if let named {
            guard let stage = spec.stage(named), case .transform = stage.kind else {
                throw BatonError(.invalidInput, "--output-stage names no transform \(named)",
                                 hint: "transforms are " + transforms.map(\.name).joined(separator: ", "))
            }
            return stage
        }
        let read = Set(spec.stages.filter { if case .transform = $0.kind { true } else { false } }.flatMap(\.upstream))
        let ends = transforms.filter { !read.contains($0.name) }
        guard ends.count == 1 else {
            throw BatonError(.invalidInput, ends.isEmpty ? "the pipeline has no transform to output"
                                 : "several transforms could be the output: " + ends.map(\.name).joined(separator: ", "),
                             hint: "choose one with --output-stage NAME")
        }
        return ends[0]
    }

    var transforms: [StageSpec] { spec.stages.filter { if case .transform = $0.kind { true } else { false } } }

    /// Runs the stages the output needs, `input` being `tables["input"]` (a file), in
    /// `scratch`; calls `body` with the output's batches in order. Returns its schema.
    public func runAsStage(input: NamedTable, output: StageSpec, scratch: String, limits: ResourceLimits = ResourceLimits(),
                           _ body: (Batch) throws(BatonError) -> Void) throws(BatonError) -> Schema {
        var needed: Set<String> = [output.name]
        var stack = [output.name]
        while let name = stack.popLast() {
            for u in spec.stage(name)?.upstream ?? [] where needed.insert(u).inserted { stack.append(u) }
        }
        var paths: [String: String] = [:]
        for name in graph.order where needed.contains(name) {
            let stage = spec.stage(name)!
            var tables: [String: NamedTable] = ["input": input]
            for u in stage.upstream { tables[u] = .file(paths[u]!) }
            let engine = QueryEngine(threads: threads, directory: spec.directory, tables: tables, limits: limits)
            let sql: String
            switch stage.kind {
            case .source(let source):
                let path = resolve(source.path)
                if isBaton(source) {
                    paths[name] = path
                } else if isArrow(source) {
                    let target = "\(scratch)/\(name).baton"
                    let (reader, schema, indices) = try arrowSchema(source)
                    let writer = try BatonWriter(path: target, schema: schema, options: WriteOptions(threads: threads))
                    do throws(BatonError) {
                        while let batch = try reader.next() {
                            try writer.write(try Batch(schema: schema, columns: indices.map { batch.columns[$0] }))
                        }
                        _ = try writer.finish()
                    } catch {
                        writer.abort()
                        throw error
                    }
                    paths[name] = target
                } else {
                    // CSV with the source's options, as `baton run` reads it.
                    let target = "\(scratch)/\(name).baton"
                    let reader = try CSVReader(path: path, options: try readOptions(source))
                    try reader.select(try readOptions(source).columns)
                    var writer: BatonWriter?
                    do throws(BatonError) {
                        try reader.read(onSchema: { (schema, _) throws(BatonError) in
                            writer?.abort()
                            writer = try BatonWriter(path: target, schema: schema, options: WriteOptions(threads: threads))
                        }, { (batch) throws(BatonError) in try writer!.write(batch) })
                        _ = try writer!.finish()
                    } catch {
                        writer?.abort()
                        throw error
                    }
                    paths[name] = target
                }
                sql = "SELECT * FROM \(DeclarativeTransform.quoted(name))"
                if stage.checks.isEmpty && name != output.name { continue }
                // Checks (or the output) read it below like any materialised stage.
                for check in stage.checks {
                    let result = try Checks.run(check, stage: name, path: paths[name]!, threads: threads, limits: limits)
                    if !result.passed && check.severity == .error {
                        throw BatonError(.checkFailed, "stage \(name): check \(check.description) failed: \(result.message)")
                    }
                }
                if name == output.name {
                    return try QueryEngine(threads: threads, tables: [name: .file(paths[name]!)], limits: limits).run(sql, body).schema
                }
                continue
            case .transform(let t):
                sql = t.sql
            case .sink:
                continue
            }
            if name == output.name && stage.checks.isEmpty {
                let plan = try engine.run(sql, body)
                return plan.schema
            }
            // Materialised: later stages (or the checks) read it again.
            let path = "\(scratch)/\(name).baton"
            let planned = try engine.plan(sql)
            let writer = try BatonWriter(path: path, schema: planned.schema, options: WriteOptions(threads: threads))
            do throws(BatonError) {
                try engine.run(sql) { (batch) throws(BatonError) in try writer.write(batch) }
                _ = try writer.finish()
            } catch {
                writer.abort()
                throw error
            }
            paths[name] = path
            for check in stage.checks {
                let result = try Checks.run(check, stage: name, path: path, threads: threads, limits: limits)
                if !result.passed {
                    let message = "stage \(name): check \(check.description) failed: \(result.message)"
                    guard check.severity == .error else {
                        FileHandle.standardError.write(Data(("baton: warning: " + message + "\n").utf8))
                        continue
                    }
                    throw BatonError(.checkFailed, message, hint: result.sample.isEmpty ? nil
                                     : "failing rows: " + result.sample.dropFirst().joined(separator: "; "))
                }
            }
            if name == output.name {
                let plan = try QueryEngine(threads: threads, tables: [name: .file(path)], limits: limits)
                    .run("SELECT * FROM \(DeclarativeTransform.quoted(name))", body)
                return plan.schema
            }
        }
        throw BatonError(.invalidInput, "stage \(output.name) was not run")
    }
}
