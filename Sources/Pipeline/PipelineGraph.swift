import Columns
import SQL

/// The stage graph: who reads whom, an order that runs every stage after its inputs, and
/// the selection `--select` makes.
public struct PipelineGraph: Sendable {
    /// Stage names in an order where each comes after all its upstream stages (file order
    /// among independent ones).
    public let order: [String]
    public let upstream: [String: [String]]
    public let downstream: [String: [String]]

    /// Stage names a SQL text reads from FROM clauses (CTE names excluded), in first-use order.
    static func tableNames(_ sql: String) throws(BatonError) -> [String] {
        let query = try Parser.parse(sql)
        var names: [String] = []
        collect(query, hidden: [], into: &names)
        return names
    }

    private static func collect(_ query: Query, hidden: Set<String>, into names: inout [String]) {
        var hidden = hidden
        for cte in query.with {
            collect(cte.query, hidden: hidden, into: &names)
            hidden.insert(cte.name.lowercased())
        }
        collect(query.body, hidden: hidden, into: &names)
    }

    private static func collect(_ body: SetExpression, hidden: Set<String>, into names: inout [String]) {
        switch body {
        case .select(let select):
            if let from = select.from { collect(from, hidden: hidden, into: &names) }
        case .query(let query):
            collect(query, hidden: hidden, into: &names)
        case .union(let a, let b, _, _):
            collect(a, hidden: hidden, into: &names)
            collect(b, hidden: hidden, into: &names)
        }
    }

    private static func collect(_ table: TableReference, hidden: Set<String>, into names: inout [String]) {
        switch table {
        case .named(let name, _, _):
            if !hidden.contains(name.lowercased()) && !names.contains(name) { names.append(name) }
        case .subquery(let query, _, _):
            collect(query, hidden: hidden, into: &names)
        case .join(let join):
            collect(join.left, hidden: hidden, into: &names)
            collect(join.right, hidden: hidden, into: &names)
        case .file, .function:
            break
        }
    }

    /// Fills each stage's `upstream`, reporting unknown stages and cycles; the graph of the
    /// stages that are sound.
    /// `external` names tables that stages may read though no stage defines them (`input`
    /// under `baton stage --pipeline`).
    static func build(_ spec: inout PipelineSpec, external: Set<String> = [], problems: inout [PipelineProblem]) -> PipelineGraph {
        let known = Dictionary(spec.stages.map { ($0.name.lowercased(), $0.name) }, uniquingKeysWith: { a, _ in a })
        let externalNames = Set(external.map { $0.lowercased() })
        for i in spec.stages.indices {
            let stage = spec.stages[i]
            var names: [(String, Int)] = []
            switch stage.kind {
            case .source:
                break
            case .sink(let sink):
                names = [(sink.from, sink.line)]
            case .transform(let t):
                do {
                    names = try tableNames(t.sql).map { ($0, t.line) }
                } catch {
                    problems.append(PipelineProblem(line: t.line, stage: stage.name, sqlMessage(error, t)))
                    continue
                }
            }
            var upstream: [String] = []
            for (name, line) in names {
                if externalNames.contains(name.lowercased()) && known[name.lowercased()] == nil { continue }
                guard let canonical = known[name.lowercased()] else {
                    problems.append(PipelineProblem(line: line, stage: stage.name, "unknown stage \(name)",
                                                    hint: PipelineReader.suggestion(name, Set(known.values)).map { "did you mean \($0)?" }
                                                        ?? "stages are " + spec.stages.map(\.name).joined(separator: ", ")))
                    continue
                }
                if case .sink = spec.stage(canonical)?.kind {
                    problems.append(PipelineProblem(line: line, stage: stage.name, "\(canonical) is a sink: it has no table to read",
                                                    hint: "read the stage the sink writes"))
                    continue
                }
                if !upstream.contains(canonical) { upstream.append(canonical) }
            }
            spec.stages[i].upstream = upstream
        }
        // Kahn's algorithm in file order; whatever is left sits on a cycle.
        var remaining = Dictionary(spec.stages.map { ($0.name, Set($0.upstream)) }, uniquingKeysWith: { a, _ in a })
        var order: [String] = []
        while true {
            guard let next = spec.stages.first(where: { remaining[$0.name]?.isEmpty == true }) else { break }
            order.append(next.name)
            remaining[next.name] = nil
            for key in remaining.keys { remaining[key]!.remove(next.name) }
        }
        if !remaining.isEmpty {
            let cycle = spec.stages.filter { remaining[$0.name] != nil }
            problems.append(PipelineProblem(line: cycle.first?.line, stage: cycle.first?.name,
                                            "stages read each other in a cycle: " + cycle.map(\.name).joined(separator: " → "),
                                            hint: "a stage can read only stages that do not read it back"))
        }
        var downstream: [String: [String]] = [:]
        for stage in spec.stages { for u in stage.upstream { downstream[u, default: []].append(stage.name) } }
        return PipelineGraph(order: order, upstream: Dictionary(spec.stages.map { ($0.name, $0.upstream) }, uniquingKeysWith: { a, _ in a }),
                             downstream: downstream)
    }

    static func sqlMessage(_ error: BatonError, _ t: TransformSpec) -> String {
        t.handWritten ? "in sql: \(error.description)" : "in the SQL built from its keys (\(t.sql)): \(error.description)"
    }

    /// The stages `--select` names: `name`, `+name` (with everything upstream), `name+`
    /// (with everything downstream), or both.
    public func select(_ patterns: [String]) throws(BatonError) -> Set<String> {
        var chosen: Set<String> = []
        for pattern in patterns {
            var name = Substring(pattern)
            let up = name.hasPrefix("+"), down = name.hasSuffix("+")
            if up { name = name.dropFirst() }
            if down { name = name.dropLast() }
            guard let stage = order.first(where: { $0.lowercased() == name.lowercased() }) else {
                throw BatonError(.invalidInput, "--select names no stage \(name)", hint: "stages are " + order.joined(separator: ", "))
            }
            chosen.insert(stage)
            if up { closure(stage, upstream, into: &chosen) }
            if down { closure(stage, downstream, into: &chosen) }
        }
        return chosen
    }

    private func closure(_ start: String, _ edges: [String: [String]], into set: inout Set<String>) {
        var stack = [start]
        while let s = stack.popLast() {
            for n in edges[s] ?? [] where set.insert(n).inserted { stack.append(n) }
        }
    }

    /// The DAG in Mermaid or Graphviz dot.
    public func render(_ spec: PipelineSpec, format: String) -> String {
        let kinds = Dictionary(spec.stages.map { ($0.name, $0.kindName) }, uniquingKeysWith: { a, _ in a })
        if format == "dot" {
            var lines = ["digraph \"\(spec.name)\" {", "  rankdir=LR;"]
            for name in order {
                let shape = kinds[name] == "source" ? "cylinder" : kinds[name] == "sink" ? "folder" : "box"
                lines.append("  \"\(name)\" [shape=\(shape)];")
            }
            for name in order { for u in upstream[name] ?? [] { lines.append("  \"\(u)\" -> \"\(name)\";") } }
            lines.append("}")
            return lines.joined(separator: "\n") + "\n"
        }
        var lines = ["flowchart LR"]
        for name in order {
            switch kinds[name] {
            case "source": lines.append("  \(name)[(\(name))]")
            case "sink": lines.append("  \(name)[/\(name)/]")
            default: lines.append("  \(name)[\(name)]")
            }
        }
        for name in order { for u in upstream[name] ?? [] { lines.append("  \(u) --> \(name)") } }
        return lines.joined(separator: "\n") + "\n"
    }
}
