import Columns
import CSV
import Kernels
import Operators
import SQL
import Storage

/// Turns a parsed query into a tree of physical operators, resolving every name and checking
/// every type before any data is read; errors point into the query text.
///
/// Projection pushdown is by name: a file scan reads only the columns the query names
/// somewhere (all of them when it uses `*`). WHERE conjuncts of the form `column op constant`
/// over a `.baton` file also prune its row groups by their statistics.
final class Binder {
    let text: QueryText
    let catalog: Catalog
    /// Every column name the query mentions (lowercased), and whether it has a `*`.
    let mentioned: Set<String>
    let usesWildcard: Bool
    private var ctes: [[String: CommonTableExpression]] = []

    init(text: QueryText, query: Query, catalog: Catalog) {
        self.text = text
        self.catalog = catalog
        var names = Set<String>()
        var wildcard = false
        Binder.collect(query, &names, &wildcard)
        mentioned = names
        usesWildcard = wildcard
    }

    // MARK: Queries

    func plan(_ query: Query) throws(BatonError) -> Planned {
        var frame: [String: CommonTableExpression] = [:]
        for cte in query.with { frame[cte.name.lowercased()] = cte }
        ctes.append(frame)
        defer { ctes.removeLast() }
        if case .select(let select) = query.body {
            return try planSelect(select, orderBy: query.orderBy, limit: query.limit, offset: query.offset)
        }
        var planned = try planBody(query.body)
        if !query.orderBy.isEmpty {
            var keys: [SortKey] = []
            for item in query.orderBy {
                let column = try outputOrdinal(item.expression, planned.scope, names: planned.scope.columns.map(\.name))
                guard let column else {
                    throw text.error("ORDER BY of a UNION can only name its output columns", at: item.expression.range)
                }
                keys.append(SortKey(column: column, descending: item.descending, nullsFirst: item.nullsFirst))
            }
            planned.node = Sort(planned.node, keys: keys, limit: try limitValue(query.limit, query.offset).map { $0.0 + $0.1 })
        }
        return try applyLimit(planned, query.limit, query.offset)
    }

    func planBody(_ body: SetExpression) throws(BatonError) -> Planned {
        switch body {
        case .select(let select): return try planSelect(select, orderBy: [], limit: nil, offset: nil)
        case .query(let query): return try plan(query)
        case .union(let l, let r, let all, let range):
            let left = try planBody(l), right = try planBody(r)
            guard left.scope.columns.count == right.scope.columns.count else {
                throw text.error("UNION sides have \(left.scope.columns.count) and \(right.scope.columns.count) columns", at: range)
            }
            var types: [DataType] = []
            for (a, b) in zip(left.scope.columns, right.scope.columns) {
                guard let t = TypeRules.common([a.type, b.type]) else {
                    throw text.error("UNION column \"\(a.name)\" is \(a.type) on the left and \(b.type) on the right", at: range)
                }
                types.append(t)
            }
            let names = left.scope.columns.map(\.name)
            let schema = try Schema(zip(names, types).map { Field($0, $1) }, allowingDuplicates: true)
            let inputs = try [left, right].map { (side) throws(BatonError) -> any ExecutionNode in
                let exprs = side.scope.columns.enumerated().map { i, c -> PhysicalExpression in
                    let col = PhysicalExpression.column(i, c.type, name: c.name)
                    return c.type == types[i] ? col : .cast(col, types[i], tryCast: false)
                }
                return try Project(side.node, exprs, names: names)
            }
            var node: any ExecutionNode = UnionAll(inputs, schema: schema)
            if !all { node = try distinct(node) }
            return Planned(node: node, scope: Scope(columns: zip(names, types).map { ScopeColumn(qualifier: nil, name: $0, type: $1) }))
        }
    }

    func distinct(_ node: any ExecutionNode) throws(BatonError) -> any ExecutionNode {
        try HashAggregate(node, keys: Array(node.schema.fields.indices), aggregates: [], names: node.schema.names)
    }

    func limitValue(_ limit: Expression?, _ offset: Expression?) throws(BatonError) -> (Int, Int)? {
        guard let limit else { return nil }
        return (try integer(limit, "LIMIT"), try offset.map { (o) throws(BatonError) -> Int in try integer(o, "OFFSET") } ?? 0)
    }

    private func integer(_ e: Expression, _ what: String) throws(BatonError) -> Int {
        let bound = try bind(e, Scope(columns: []))
        guard bound.isConstant, case .int64(let v) = try constantValue(bound), v >= 0 else {
            throw text.error("\(what) needs a constant integer of at least 0", at: e.range)
        }
        return Int(v)
    }

    func applyLimit(_ planned: Planned, _ limit: Expression?, _ offset: Expression?) throws(BatonError) -> Planned {
        guard limit != nil || offset != nil else { return planned }
        let n = try limit.map { (l) throws(BatonError) -> Int in try integer(l, "LIMIT") }
        let skip = try offset.map { (o) throws(BatonError) -> Int in try integer(o, "OFFSET") } ?? 0
        var copy = planned
        copy.node = Limit(planned.node, limit: n, offset: skip)
        return copy
    }

    /// An ORDER BY item that names an output column: by ordinal (`ORDER BY 2`) or by output name.
    func outputOrdinal(_ e: Expression, _ scope: Scope, names: [String]) throws(BatonError) -> Int? {
        if case .literal(.integer(let k)) = e.kind {
            guard k >= 1 && Int(k) <= names.count else {
                throw text.error("ORDER BY position \(k) is not in the select list (1 to \(names.count))", at: e.range)
            }
            return Int(k) - 1
        }
        if case .column(nil, let name, let quoted) = e.kind {
            let matches = names.indices.filter { quoted ? names[$0] == name : names[$0].lowercased() == name.lowercased() }
            if matches.count == 1 { return matches[0] }
        }
        return nil
    }

    // MARK: FROM

    func planFrom(_ reference: TableReference) throws(BatonError) -> Planned {
        switch reference {
        case .file(let path, let alias, let range):
            return try scan(path: path, options: [:], alias: alias ?? Binder.baseName(path), range: range)
        case .function(let name, let arguments, let named, let alias, let range):
            guard name.lowercased() == "read_csv" || name.lowercased() == "read_csv_auto" || name.lowercased() == "read_baton" else {
                throw text.error("no table function named \(name)", at: range, hint: "use read_csv('file', delim => '|', …) or a quoted path")
            }
            guard arguments.count == 1, case .literal(.string(let path)) = arguments[0].kind else {
                throw text.error("\(name) takes the file path as its first argument, a string", at: range)
            }
            var options: [String: (Value, SourceRange)] = [:]
            for argument in named {
                let bound = try bind(argument.value, Scope(columns: []))
                guard bound.isConstant else { throw text.error("option \(argument.name) needs a constant", at: argument.range) }
                options[argument.name.lowercased()] = (try constantValue(bound), argument.range)
            }
            return try scan(path: path, options: options, alias: alias ?? Binder.baseName(path), range: range,
                            forceCSV: name.lowercased() != "read_baton")
        case .named(let name, let alias, let range):
            for frame in ctes.reversed() {
                if let cte = frame[name.lowercased()] {
                    // A CTE is planned where it is used (inlined), hiding itself from its own body.
                    var planned = try withoutCTE(name) { () throws(BatonError) -> Planned in try plan(cte.query) }
                    if let renamed = cte.columnNames {
                        guard renamed.count == planned.scope.columns.count else {
                            throw text.error("\(cte.name) names \(renamed.count) columns but its query has \(planned.scope.columns.count)", at: cte.range)
                        }
                        for (i, n) in renamed.enumerated() { planned.scope.columns[i].name = n }
                    }
                    return planned.qualified(alias ?? name)
                }
            }
            if let source = try catalog.open(named: name, text: text, range: range) {
                return try scan(source, alias: alias ?? name)
            }
            throw text.error("no table named \(name)", at: range,
                             hint: "name files in quotes ('\(name).csv'), or define \(name) in a WITH clause")
        case .subquery(let query, let alias, _):
            return try plan(query).qualified(alias)
        case .join(let join):
            return try planJoin(join)
        }
    }

    private func withoutCTE<T>(_ name: String, _ body: () throws(BatonError) -> T) throws(BatonError) -> T {
        let saved = ctes
        ctes = ctes.map { frame in frame.filter { $0.key != name.lowercased() } }
        defer { ctes = saved }
        return try body()
    }

    static func baseName(_ path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        return file.split(separator: ".").first.map(String.init) ?? file
    }

    private func scan(path: String, options: [String: (Value, SourceRange)], alias: String, range: SourceRange,
                      forceCSV: Bool = false) throws(BatonError) -> Planned {
        let source = try catalog.open(path: path, options: options, forceCSV: forceCSV, text: text, range: range)
        return try scan(source, alias: alias)
    }

    private func scan(_ source: Source, alias: String) throws(BatonError) -> Planned {
        let schema = source.schema
        var wanted = schema.fields.indices.filter { usesWildcard || mentioned.contains(schema.fields[$0].name.lowercased()) }
        if wanted.isEmpty && schema.count > 0 { wanted = [source.cheapestColumn] }
        let node = try source.node(wanted, [])
        return Planned(node: node, scope: Scope(columns: wanted.map {
            ScopeColumn(qualifier: alias, name: schema.fields[$0].name, type: schema.fields[$0].type)
        }, known: schema.names))
    }

    // MARK: Collecting names

    static func collect(_ query: Query, _ names: inout Set<String>, _ wildcard: inout Bool) {
        for cte in query.with { collect(cte.query, &names, &wildcard) }
        collect(query.body, &names, &wildcard)
        for item in query.orderBy { collect(item.expression, &names) }
    }

    static func collect(_ body: SetExpression, _ names: inout Set<String>, _ wildcard: inout Bool) {
        switch body {
        case .select(let s):
            for item in s.items {
                switch item {
                case .wildcard: wildcard = true
                case .expression(let e, _): collect(e, &names)
                }
            }
            if let from = s.from { collect(from, &names, &wildcard) }
            if let f = s.filter { collect(f, &names) }
            for g in s.groupBy { collect(g, &names) }
            if let h = s.having { collect(h, &names) }
        case .query(let q): collect(q, &names, &wildcard)
        case .union(let l, let r, _, _):
            collect(l, &names, &wildcard)
            collect(r, &names, &wildcard)
        }
    }

    static func collect(_ reference: TableReference, _ names: inout Set<String>, _ wildcard: inout Bool) {
        switch reference {
        case .subquery(let q, _, _): collect(q, &names, &wildcard)
        case .join(let j):
            collect(j.left, &names, &wildcard)
            collect(j.right, &names, &wildcard)
            switch j.condition {
            case .on(let e): collect(e, &names)
            case .using(let columns): for c in columns { names.insert(c.lowercased()) }
            case .none: break
            }
        default: break
        }
    }

    static func collect(_ e: Expression, _ names: inout Set<String>) {
        e.walk { x in
            if case .column(_, let name, _) = x.kind { names.insert(name.lowercased()) }
            return true
        }
    }
}
