import Columns
import CSV
import Operators
import SQL
import Storage
#if canImport(Glibc)
import Glibc
#endif

extension Binder {
    /// FROM and WHERE together. Comma-separated tables (and CROSS JOINs) are joined on the
    /// WHERE's `a = b` equalities, greedily from the first table; conditions on one table are
    /// applied to it before any join; the rest filter the joined rows.
    func planFromAndWhere(_ select: Select) throws(BatonError) -> Planned {
        guard let from = select.from else {
            let table = Table.from(schema: try Schema([Field("#row", .int64)]), columns: [Column.int64([0])])
            var planned = Planned(node: TableScan(table, name: "one row"),
                                  scope: Scope(columns: [ScopeColumn(qualifier: nil, name: "#row", type: .int64, hidden: true)]))
            if let f = select.filter { planned.node = Filter(planned.node, try predicate(f, planned.scope)) }
            return planned
        }
        var references: [TableReference] = []
        func flatten(_ r: TableReference) {
            if case .join(let j) = r, j.kind == .cross || (j.kind == .inner && isNone(j.condition)) {
                flatten(j.left)
                flatten(j.right)
            } else {
                references.append(r)
            }
        }
        flatten(from)
        var relations: [Planned] = []
        for r in references { relations.append(try planFrom(r)) }
        var conjuncts = select.filter.map(Binder.splitAnd) ?? []
        if relations.count == 1 {
            var planned = relations[0]
            if let f = select.filter { planned.node = try filter(planned.node, try predicate(f, planned.scope)) }
            return planned
        }
        // Every condition must make sense over all the tables (this also reports ambiguity).
        let all = Scope(columns: relations.flatMap(\.scope.columns), known: relations.flatMap(\.scope.known))
        for c in conjuncts { _ = try predicate(c, all) }
        // Conditions on one table go below the joins.
        var spanning: [Expression] = []
        for c in conjuncts {
            let homes = relations.indices.filter { canBind(c, relations[$0].scope) }
            if homes.count == 1 {
                relations[homes[0]].node = try filter(relations[homes[0]].node, try predicate(c, relations[homes[0]].scope))
            } else {
                spanning.append(c)
            }
        }
        conjuncts = spanning
        var current = relations.removeFirst()
        while !relations.isEmpty {
            var pick = 0
            var keys: [(Int, Int, Int)] = []  // (conjunct, column in current, column in candidate)
            for (j, candidate) in relations.enumerated() {
                keys = equalities(conjuncts, current.scope, candidate.scope)
                if !keys.isEmpty { pick = j; break }
            }
            let next = relations.remove(at: pick)
            let used = Set(keys.map(\.0))
            conjuncts = conjuncts.enumerated().filter { !used.contains($0.offset) }.map(\.element)
            current = try innerJoin(current, next, leftKeys: keys.map(\.1), rightKeys: keys.map(\.2))
        }
        if !conjuncts.isEmpty {
            var combined = conjuncts[0]
            for c in conjuncts.dropFirst() { combined = Expression(.binary(.and, combined, c), combined.range.union(c.range)) }
            current.node = Filter(current.node, try predicate(combined, current.scope))
        }
        return current
    }

    private func isNone(_ c: JoinCondition) -> Bool {
        if case .none = c { return true }
        return false
    }

    func predicate(_ e: Expression, _ scope: Scope) throws(BatonError) -> PhysicalExpression {
        if e.containsAggregate { throw text.error("aggregates are not allowed in WHERE or ON", at: e.range, hint: "filter groups with HAVING") }
        if e.containsWindow { throw text.error("window functions are not allowed in WHERE or ON", at: e.range, hint: "filter in an outer query") }
        return try coerce(try bind(e, scope), to: .bool, e.range, "a condition must be Bool")
    }

    /// A Filter, with `column op constant` conjuncts also handed to a Baton scan for pruning,
    /// and `row_number() <= k` handed to its window (which then keeps k rows per partition).
    func filter(_ node: any ExecutionNode, _ predicate: PhysicalExpression) throws(BatonError) -> any ExecutionNode {
        if let limited = try Self.limitingRowNumber(node, predicate) { return Filter(limited, predicate) }
        if let scan = node as? BatonScan {
            var pushed: [ColumnPredicate] = []
            for c in Binder.splitAnd(predicate) {
                if let p = columnPredicate(c, scan.schema) { pushed.append(p) }
            }
            if !pushed.isEmpty {
                return Filter(BatonScan(reader: scan.reader, columns: scan.columns, predicates: scan.predicates + pushed), predicate)
            }
        }
        return Filter(node, predicate)
    }

    /// `node` rebuilt with its window told to keep only the first k rows of each partition,
    /// when a conjunct of `predicate` is `n <= k`, `n < k + 1` or `n = k` on the output of a
    /// lone `row_number()` (reached through projections that pass the column on). Nil otherwise.
    static func limitingRowNumber(_ node: any ExecutionNode, _ predicate: PhysicalExpression) throws(BatonError) -> (any ExecutionNode)? {
        for conjunct in splitAnd(predicate) {
            guard case .comparison(let op, .column(let column, _, _), .literal(.int64(let value), _)) = conjunct else { continue }
            let k: Int64
            switch op {
            case .lessOrEqual, .equal: k = value
            case .less: k = value - 1
            default: continue
            }
            guard k >= 1, k <= 1024, let rebuilt = try withRowLimit(node, column: column, k: Int(k)) else { continue }
            return rebuilt
        }
        return nil
    }

    private static func withRowLimit(_ node: any ExecutionNode, column: Int, k: Int) throws(BatonError) -> (any ExecutionNode)? {
        if let project = node as? Project {
            guard case .column(let inner, _, _) = project.expressions[column],
                  let input = try withRowLimit(project.input, column: inner, k: k) else { return nil }
            return try Project(input, project.expressions, names: project.schema.names)
        }
        guard let window = node as? Window, window.rowsPerPartition == nil, window.functions.count == 1,
              case .rowNumber = window.functions[0].kind, column == window.input.schema.count else { return nil }
        return try Window(window.input, partitionKeys: window.partitionKeys, orderKeys: window.orderKeys,
                          functions: window.functions, names: Array(window.schema.names.suffix(1)), rowsPerPartition: k)
    }

    private func columnPredicate(_ e: PhysicalExpression, _ schema: Schema) -> ColumnPredicate? {
        switch e {
        case .isNull(.column(let i, _, _), let negated):
            return ColumnPredicate(schema.fields[i].name, negated ? .isNotNull : .isNull)
        case .comparison(let op, .column(let i, let t, _), .literal(let v, let lt)) where !v.isNull && (t == lt || (t != .string && lt != .string)):
            let mapped: ColumnPredicate.Op? = switch op {
            case .equal: .equal
            case .notEqual: .notEqual
            case .less: .less
            case .lessOrEqual: .lessOrEqual
            case .greater: .greater
            case .greaterOrEqual: .greaterOrEqual
            default: nil
            }
            return mapped.map { ColumnPredicate(schema.fields[i].name, $0, v) }
        case .comparison(let op, .literal(let v, let lt), .column(let i, let t, _)) where !v.isNull && (t == lt || (t != .string && lt != .string)):
            let mapped: ColumnPredicate.Op? = switch op {
            case .equal: .equal
            case .notEqual: .notEqual
            case .less: .greater
            case .lessOrEqual: .greaterOrEqual
            case .greater: .less
            case .greaterOrEqual: .lessOrEqual
            default: nil
            }
            return mapped.map { ColumnPredicate(schema.fields[i].name, $0, v) }
        default:
            return nil
        }
    }

    func canBind(_ e: Expression, _ scope: Scope) -> Bool {
        do {
            _ = try bind(e, scope)
            return true
        } catch {
            return false
        }
    }

    /// `a = b` conjuncts with a a column of `left` and b a column of `right` (either way round),
    /// of the same type: (conjunct, left column, right column).
    private func equalities(_ conjuncts: [Expression], _ left: Scope, _ right: Scope) -> [(Int, Int, Int)] {
        var found: [(Int, Int, Int)] = []
        for (k, c) in conjuncts.enumerated() {
            guard case .binary(.equal, let a, let b) = c.kind else { continue }
            for (x, y) in [(a, b), (b, a)] {
                guard let l = try? bind(x, left), let r = try? bind(y, right),
                      case .column(let li, let lt, _) = l, case .column(let ri, let rt, _) = r, lt == rt else { continue }
                found.append((k, li, ri))
                break
            }
        }
        return found
    }

    /// An inner join, building the hash table on the smaller side (by estimated bytes).
    private func innerJoin(_ left: Planned, _ right: Planned, leftKeys: [Int], rightKeys: [Int]) throws(BatonError) -> Planned {
        var (probe, build, probeKeys, buildKeys) = (left, right, leftKeys, rightKeys)
        if estimate(left.node) < estimate(right.node) { (probe, build, probeKeys, buildKeys) = (right, left, rightKeys, leftKeys) }
        let node = try HashJoin(left: probe.node, right: build.node, type: .inner, leftKeys: probeKeys, rightKeys: buildKeys, residual: nil)
        return Planned(node: node, scope: Scope(columns: probe.scope.columns + build.scope.columns, known: probe.scope.known + build.scope.known))
    }

    /// A rough size of a node's output in bytes, to pick the build side of a join.
    func estimate(_ node: any ExecutionNode) -> Double {
        switch node {
        case let scan as BatonScan:
            let total = scan.reader.schema.count
            return Double(scan.reader.fileSize) * Double(scan.columns.count) / Double(max(1, total))
        case let scan as CSVScan:
            var info = stat()
            let size = stat(scan.reader.path, &info) == 0 ? Double(info.st_size) : 1e9
            return size * Double(scan.schema.count) / Double(max(1, scan.reader.fileSchema.count))
        case is Filter: return 0.3 * estimate(node.children[0])
        case is HashAggregate: return 0.2 * estimate(node.children[0])
        case let table as TableScan: return Double(table.table.byteCount)
        default: return node.children.map(estimate).max() ?? 1e6
        }
    }

    /// An explicit `JOIN … ON / USING`.
    func planJoin(_ join: Join) throws(BatonError) -> Planned {
        let left = try planFrom(join.left), right = try planFrom(join.right)
        let type: JoinType = switch join.kind {
        case .inner, .cross: .inner
        case .left: .left
        case .right: .right
        case .full: .full
        case .semi: .semi
        case .anti: .anti
        }
        var scope = Scope(columns: left.scope.columns + right.scope.columns, known: left.scope.known + right.scope.known)
        var leftKeys: [Int] = [], rightKeys: [Int] = []
        var residual: PhysicalExpression?
        switch join.condition {
        case .none:
            break
        case .using(let names):
            for name in names {
                let l = try left.scope.resolve(qualifier: nil, name: name, quoted: false, range: join.range, text: text)
                let r = try right.scope.resolve(qualifier: nil, name: name, quoted: false, range: join.range, text: text)
                guard left.scope.columns[l].type == right.scope.columns[r].type else {
                    throw text.error("USING column \"\(name)\" is \(left.scope.columns[l].type) on the left and \(right.scope.columns[r].type) on the right",
                                     at: join.range)
                }
                leftKeys.append(l)
                rightKeys.append(r)
                scope.columns[left.scope.columns.count + r].hidden = true
            }
        case .on(let e):
            let bound = try predicate(e, scope)
            let width = left.scope.columns.count
            var rest: [PhysicalExpression] = []
            for c in Binder.splitAnd(bound) {
                if case .comparison(.equal, .column(let a, let at, _), .column(let b, let bt, _)) = c, at == bt,
                   (a < width) != (b < width) {
                    leftKeys.append(min(a, b))
                    rightKeys.append(max(a, b) - width)
                } else {
                    rest.append(c)
                }
            }
            residual = rest.isEmpty ? nil : rest.dropFirst().reduce(rest[0]) { .and($0, $1) }
        }
        let node = try HashJoin(left: left.node, right: right.node, type: type, leftKeys: leftKeys, rightKeys: rightKeys, residual: residual)
        if type == .semi || type == .anti { return Planned(node: node, scope: left.scope) }
        return Planned(node: node, scope: scope)
    }

    static func splitAnd(_ e: Expression) -> [Expression] {
        if case .binary(.and, let l, let r) = e.kind { return splitAnd(l) + splitAnd(r) }
        return [e]
    }

    static func splitAnd(_ e: PhysicalExpression) -> [PhysicalExpression] {
        if case .and(let l, let r) = e { return splitAnd(l) + splitAnd(r) }
        return [e]
    }
}
