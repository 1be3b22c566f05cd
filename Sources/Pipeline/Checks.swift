import Columns
import Query

/// The outcome of one check on one run.
public struct CheckResult: Sendable {
    public var check: CheckSpec
    /// Rows (or, for `unique`, duplicated keys) that fail; for `row_count`, the row count.
    public var failing: Int
    public var passed: Bool
    public var message: String
    /// Up to five failing rows, as CSV lines with a header.
    public var sample: [String]
}

/// Checks on a stage's output, each a SQL query over the materialised table.
enum Checks {
    static func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
    static func column(_ c: String) -> String { DeclarativeTransform.identifier(c) }

    /// The condition a failing row meets (nil for checks that are not row by row).
    static func failingCondition(_ check: CheckSpec) -> String? {
        switch check.rule {
        case .notNull(let c): return "\(column(c)) IS NULL"
        case .acceptedValues(let c, let values):
            return "\(column(c)) IS NOT NULL AND CAST(\(column(c)) AS VARCHAR) NOT IN (" + values.map(quoted).joined(separator: ", ") + ")"
        case .range(let c, let lo, let hi):
            var parts: [String] = []
            if let lo { parts.append("\(column(c)) < \(lo)") }
            if let hi { parts.append("\(column(c)) > \(hi)") }
            return parts.joined(separator: " OR ")
        case .expression(let e): return "NOT (\(e)) OR (\(e)) IS NULL"
        case .unique, .rowCount: return nil
        }
    }

    /// A problem if the check names columns the stage lacks or its SQL does not type-check.
    static func validate(_ check: CheckSpec, stage: String, schema: Schema, threads: Int) -> PipelineProblem? {
        let lower = Set(schema.names.map { $0.lowercased() })
        for c in check.columns where !lower.contains(c.lowercased()) {
            return PipelineProblem(line: check.line, stage: stage, "check \(check.description) names no column \(c)",
                                   hint: "columns are " + schema.names.joined(separator: ", "))
        }
        let engine = QueryEngine(threads: threads, tables: [stage: .schema(schema)])
        for sql in queries(check, table: stage).values {
            do throws(BatonError) { _ = try engine.plan(sql) } catch {
                return PipelineProblem(line: check.line, stage: stage, "check \(check.description): \(error.description)")
            }
        }
        return nil
    }

    static func queries(_ check: CheckSpec, table: String) -> [String: String] {
        let t = DeclarativeTransform.identifier(table)
        switch check.rule {
        case .unique(let cs):
            let keys = cs.map(column).joined(separator: ", ")
            return ["count": "SELECT count(*) FROM (SELECT \(keys) FROM \(t) GROUP BY \(keys) HAVING count(*) > 1) AS duplicated",
                    "sample": "SELECT \(keys), count(*) AS copies FROM \(t) GROUP BY \(keys) HAVING count(*) > 1 ORDER BY copies DESC, \(keys) LIMIT 5"]
        case .rowCount:
            return ["count": "SELECT count(*) FROM \(t)"]
        default:
            let condition = failingCondition(check)!
            return ["count": "SELECT count(*) FROM \(t) WHERE \(condition)",
                    "sample": "SELECT * FROM \(t) WHERE \(condition) LIMIT 5"]
        }
    }

    /// Runs `check` over the table at `path`.
    static func run(_ check: CheckSpec, stage: String, path: String, threads: Int,
                    limits: ResourceLimits = ResourceLimits()) throws(BatonError) -> CheckResult {
        let engine = QueryEngine(threads: threads, tables: [stage: .file(path)], limits: limits)
        let sqls = queries(check, table: stage)
        let counted = try engine.run(sqls["count"]!)
        let count: Int = if case .int64(let v) = counted.column(0).storage { Int(v.first ?? 0) } else { 0 }
        var passed = count == 0
        var message: String
        switch check.rule {
        case .rowCount(let lo, let hi):
            passed = (lo.map { count >= $0 } ?? true) && (hi.map { count <= $0 } ?? true)
            message = "\(count) rows" + (passed ? "" : ", expected " + [lo.map { "at least \($0)" }, hi.map { "at most \($0)" }]
                .compactMap { $0 }.joined(separator: " and "))
        case .unique:
            message = passed ? "no duplicates" : "\(count) duplicated value\(count == 1 ? "" : "s")"
        default:
            message = passed ? "no failing rows" : "\(count) failing row\(count == 1 ? "" : "s")"
        }
        var sample: [String] = []
        if !passed, let sql = sqls["sample"] {
            let table = try engine.run(sql)
            sample = [table.schema.names.joined(separator: ",")]
            let columns = table.columns
            for r in 0..<table.rowCount {
                sample.append(columns.map { column -> String in
                    let v = column.value(at: r)
                    return v.isNull ? "" : v.description
                }.joined(separator: ","))
            }
        }
        return CheckResult(check: check, failing: passed ? 0 : (check.rule.isRowCount ? count : count), passed: passed, message: message,
                           sample: sample)
    }
}

extension CheckSpec.Rule {
    var isRowCount: Bool { if case .rowCount = self { true } else { false } }
}
