import Columns
import Kernels
import Operators
import SQL
import Storage

/// Placeholder column numbers for values computed later in a SELECT (group keys, aggregates,
/// window functions): bound expressions use them first, and are remapped once the operators
/// that compute those values are built and their positions known.
private let keyBase = 1 << 40
private let aggregateBase = 2 << 40
private let windowBase = 3 << 40

extension Binder {
    func planSelect(_ select: Select, orderBy: [OrderItem], limit: Expression?, offset: Expression?) throws(BatonError) -> Planned {
        // FROM and WHERE (with joins planned from the WHERE's equalities for comma joins).
        var input = try planFromAndWhere(select)
        let inputScope = input.scope

        // Aggregation.
        let itemExpressions = select.items.compactMap { item -> Expression? in
            if case .expression(let e, _) = item { return e }
            return nil
        }
        let aggregated = !select.groupBy.isEmpty || select.groupByAll || itemExpressions.contains(where: \.containsAggregate)
            || (select.having != nil) || orderBy.contains(where: { $0.expression.containsAggregate })
        var keys: [PhysicalExpression] = []
        var keySignatures: [String] = []
        var keyNames: [String] = []
        if select.groupByAll {
            for item in select.items {
                if case .expression(let e, let alias) = item, !e.containsAggregate, !e.containsWindow {
                    keys.append(try bind(e, inputScope))
                    keyNames.append(alias ?? name(of: e))
                }
            }
        }
        for g in select.groupBy {
            var target = g
            if case .literal(.integer(let k)) = g.kind {
                guard k >= 1, Int(k) <= itemExpressions.count, case .expression(let e, _) = select.items[Int(k) - 1] else {
                    throw text.error("GROUP BY position \(k) is not in the select list", at: g.range)
                }
                target = e
            } else if case .column(nil, let n, _) = g.kind, !canResolve(n, inputScope) {
                // GROUP BY an output alias.
                for item in select.items {
                    if case .expression(let e, let alias?) = item, alias.lowercased() == n.lowercased() { target = e }
                }
            }
            keys.append(try bind(target, inputScope))
            keyNames.append(name(of: target))
        }
        keySignatures = keys.map(signature)

        var aggregates: [(call: AggregateKind, arguments: [PhysicalExpression], fraction: Double?, text: String, signature: String)] = []
        var windows: [(function: FunctionCall, arguments: [PhysicalExpression], partition: [PhysicalExpression],
                       order: [(PhysicalExpression, OrderItem)], text: String)] = []

        // Binds an expression over the rows after aggregation (or the input rows without it).
        var aggregateHook: BindingHook?
        aggregateHook = { [self] e throws(BatonError) -> PhysicalExpression? in
            guard aggregated else { return nil }
            if case .function(let call) = e.kind, call.over == nil, call.star || AggregateKind.named(call.name) != nil {
                return try bindAggregate(call, e, inputScope, &aggregates)
            }
            if !e.containsAggregate && !e.containsWindow, let bound = try? bind(e, inputScope) {
                if let k = keySignatures.firstIndex(of: signature(bound)) {
                    return .column(keyBase + k, bound.type, name: keyNames[k])
                }
                if bound.isConstant { return bound }
                if case .column(_, _, let n) = bound {
                    throw text.error("column \"\(n)\" must appear in GROUP BY or be used in an aggregate function", at: e.range,
                                     hint: "add it to GROUP BY, or wrap it in first(…) or max(…)")
                }
            }
            return nil
        }
        let hook: BindingHook = { [self] e throws(BatonError) -> PhysicalExpression? in
            if case .function(let call) = e.kind, let over = call.over {
                var arguments: [PhysicalExpression] = []
                for a in call.arguments { arguments.append(try bind(a, inputScope, hook: aggregateHook)) }
                var partition: [PhysicalExpression] = []
                for p in over.partitionBy { partition.append(try bind(p, inputScope, hook: aggregateHook)) }
                var order: [(PhysicalExpression, OrderItem)] = []
                for o in over.orderBy { order.append((try bind(o.expression, inputScope, hook: aggregateHook), o)) }
                let type = try windowResultType(call, arguments, e.range)
                windows.append((call, arguments, partition, order, source(e.range)))
                return .column(windowBase + windows.count - 1, type, name: call.name)
            }
            return try aggregateHook?(e)
        }

        // The select list.
        var outputs: [PhysicalExpression] = []
        var names: [String] = []
        for item in select.items {
            switch item {
            case .wildcard(let qualifier, let exclude, let range):
                if aggregated { throw text.error("* cannot be used with GROUP BY or aggregates", at: range, hint: "list the columns") }
                var any = false
                for (i, c) in inputScope.columns.enumerated() where !c.hidden {
                    if let qualifier, c.qualifier?.lowercased() != qualifier.lowercased() { continue }
                    if exclude.contains(where: { $0.lowercased() == c.name.lowercased() }) { continue }
                    outputs.append(.column(i, c.type, name: c.name))
                    names.append(c.name)
                    any = true
                }
                if !any, let qualifier { throw text.error("no table named \(qualifier) in FROM", at: range) }
            case .expression(let e, let alias):
                outputs.append(try bind(e, inputScope, hook: hook))
                names.append(alias ?? name(of: e))
            }
        }
        let having = try select.having.map { (h) throws(BatonError) -> PhysicalExpression in
            try coerce(try bind(h, inputScope, hook: hook), to: .bool, h.range, "HAVING needs a Bool")
        }
        // ORDER BY: output columns by position or name, else expressions over the rows.
        var sortColumns: [(Int, OrderItem)] = []
        var hidden: [PhysicalExpression] = []
        for item in orderBy {
            if let k = try outputOrdinal(item.expression, inputScope, names: names),
               !(isColumnOfInput(item.expression, inputScope) && !names.contains(where: { $0.lowercased() == columnName(item.expression)?.lowercased() })) {
                sortColumns.append((k, item))
                continue
            }
            let bound = try bind(item.expression, inputScope, hook: hook)
            if let k = outputs.firstIndex(where: { signature($0) == signature(bound) }) {
                sortColumns.append((k, item))
            } else {
                if select.distinct {
                    throw text.error("with SELECT DISTINCT, ORDER BY expressions must appear in the select list", at: item.expression.range)
                }
                sortColumns.append((outputs.count + hidden.count, item))
                hidden.append(bound)
            }
        }

        // Build: aggregate, HAVING, windows, projection, DISTINCT, sort, limit.
        var remap: (Int) -> Int = { $0 }
        if aggregated {
            var pre = keys
            var calls: [AggregateCall] = []
            for a in aggregates {
                let start = pre.count
                pre += a.arguments
                let resolved = AggregateCall.resolve(a.call, arguments: Array(start..<pre.count), types: a.arguments.map(\.type),
                                                     fraction: a.fraction, text: a.text)
                switch resolved {
                case .success(let call): calls.append(call)
                case .failure(let failure): throw text.error(failure.message, at: select.range)
                }
            }
            if pre.isEmpty { pre = [.literal(.int64(0), .int64)] }
            let preNames = keyNames + aggregates.flatMap { a in a.arguments.map(\.description) }
            let project = try Project(input.node, pre, names: pre.count == preNames.count ? preNames : ["#0"])
            let k = keys.count
            let node = try HashAggregate(project, keys: Array(0..<k), aggregates: calls, names: keyNames + calls.map(\.text))
            input = Planned(node: node, scope: Scope(columns: node.schema.fields.map { ScopeColumn(qualifier: nil, name: $0.name, type: $0.type) }))
            remap = { i in
                if i >= aggregateBase && i < windowBase { return k + (i - aggregateBase) }
                if i >= keyBase && i < aggregateBase { return i - keyBase }
                return i
            }
        }
        if let having {
            input.node = Filter(input.node, having.remapped(remap))
        }
        var windowPositions: [Int] = []
        if !windows.isEmpty {
            let width = input.node.schema.count
            var extras: [PhysicalExpression] = []
            func place(_ e: PhysicalExpression) -> Int {
                let r = e.remapped(remap)
                if case .column(let i, _, _) = r { return i }
                extras.append(r)
                return width + extras.count - 1
            }
            var functions: [(WindowFunction, [Int], [SortKey])] = []
            for w in windows {
                let partition = w.partition.map(place)
                let order = w.order.map { SortKey(column: place($0.0), descending: $0.1.descending, nullsFirst: $0.1.nullsFirst) }
                let arguments = w.arguments.map(place)
                functions.append((try windowFunction(w.function, arguments: arguments, types: w.arguments.map(\.type), text: w.text,
                                                     hasOrder: !order.isEmpty), partition, order))
            }
            var node: any ExecutionNode = input.node
            if !extras.isEmpty {
                let passthrough = node.schema.fields.enumerated().map { PhysicalExpression.column($0, $1.type, name: $1.name) }
                node = try Project(node, passthrough + extras, names: node.schema.names + extras.indices.map { "#w\($0)" })
            }
            // One Window operator per distinct PARTITION BY / ORDER BY.
            var done = [Bool](repeating: false, count: functions.count)
            windowPositions = [Int](repeating: 0, count: functions.count)
            for i in functions.indices where !done[i] {
                let same = functions.indices.filter { j in
                    !done[j] && functions[j].1 == functions[i].1
                        && functions[j].2.map { "\($0.column)\($0.descending)\($0.nullsFirst)" } == functions[i].2.map { "\($0.column)\($0.descending)\($0.nullsFirst)" }
                }
                let base = node.schema.count
                node = try Window(node, partitionKeys: functions[i].1, orderKeys: functions[i].2, functions: same.map { functions[$0].0 },
                                  names: same.map { functions[$0].0.text })
                for (offset, j) in same.enumerated() {
                    windowPositions[j] = base + offset
                    done[j] = true
                }
            }
            input.node = node
            let previous = remap
            let positions = windowPositions
            remap = { i in i >= windowBase ? positions[i - windowBase] : previous(i) }
        }
        let projected = (outputs + hidden).map { $0.remapped(remap) }
        var node: any ExecutionNode = try Project(input.node, projected, names: names + hidden.indices.map { "#order\($0)" })
        if select.distinct { node = try distinct(node) }
        if !sortColumns.isEmpty {
            let keys = sortColumns.map { SortKey(column: $0.0, descending: $0.1.descending, nullsFirst: $0.1.nullsFirst) }
            node = Sort(node, keys: keys, limit: try limitValue(limit, offset).map { $0.0 + $0.1 })
        }
        if !hidden.isEmpty {
            node = try Project(node, names.indices.map { PhysicalExpression.column($0, projected[$0].type, name: names[$0]) }, names: names)
        }
        let scope = Scope(columns: zip(names, projected).map { ScopeColumn(qualifier: nil, name: $0, type: $1.type) })
        let skip = try limitValue(limit, offset)?.1 ?? 0
        if let sort = node as? Sort, sort.limit != nil, skip == 0 {
            return Planned(node: node, scope: scope)  // the top-N already cut it
        }
        return try applyLimit(Planned(node: node, scope: scope), limit, offset)
    }

    private func isColumnOfInput(_ e: Expression, _ scope: Scope) -> Bool {
        if case .column = e.kind, let name = columnName(e) {
            return canResolve(name, scope)
        }
        return false
    }

    func canResolve(_ name: String, _ scope: Scope) -> Bool {
        do {
            _ = try scope.resolve(qualifier: nil, name: name, quoted: false, range: SourceRange(0, 0), text: text)
            return true
        } catch {
            return false
        }
    }

    /// The query text of a range.
    func source(_ range: SourceRange) -> String {
        String(decoding: Array(text.text.utf8)[range.start..<range.end], as: UTF8.self)
    }

    private func columnName(_ e: Expression) -> String? {
        if case .column(_, let name, _) = e.kind { return name }
        return nil
    }

    /// The output name of an unaliased select item: a column's own name, else its text.
    func name(of e: Expression) -> String {
        if case .column(_, let name, _) = e.kind { return name }
        return source(e.range)
    }

    /// Identifies equal bound expressions (GROUP BY x matched against x in the select list).
    func signature(_ e: PhysicalExpression) -> String {
        "\(e.type)|\(e)|\(e.columnsRead.sorted())"
    }

    private func bindAggregate(_ call: FunctionCall, _ e: Expression, _ scope: Scope,
                               _ aggregates: inout [(call: AggregateKind, arguments: [PhysicalExpression], fraction: Double?, text: String, signature: String)]) throws(BatonError) -> PhysicalExpression {
        var kind: AggregateKind
        if call.star {
            kind = .countStar
        } else {
            guard let named = AggregateKind.named(call.name) else { preconditionFailure() }
            kind = named
        }
        var arguments: [PhysicalExpression] = []
        for a in call.arguments {
            if a.containsAggregate { throw text.error("aggregate calls cannot be nested", at: a.range) }
            arguments.append(try bind(a, scope))
        }
        if kind == .count && arguments.isEmpty { kind = .countStar }
        if call.distinct {
            guard kind == .count else {
                throw text.error("DISTINCT is supported in count only", at: e.range, hint: "aggregate over SELECT DISTINCT in a subquery")
            }
            kind = .countDistinct
        }
        var fraction: Double?
        if kind == .quantileCont || kind == .quantileDisc {
            guard arguments.count == 2, arguments[1].isConstant else {
                throw text.error("\(call.name) takes a value and a constant fraction, e.g. \(call.name)(x, 0.9)", at: e.range)
            }
            switch try constantValue(arguments[1]) {
            case .float64(let f) where f >= 0 && f <= 1: fraction = f
            case .int64(let i) where i == 0 || i == 1: fraction = Double(i)
            default: throw text.error("the fraction of \(call.name) must be between 0 and 1", at: call.arguments[1].range)
            }
            arguments.removeLast()
        }
        if [.sum, .avg].contains(kind), let t = arguments.first?.type, t != .int64 && t != .float64 {
            throw text.error("\(call.name) expects a number, got \(t)", at: e.range)
        }
        if [.stddevSamp, .stddevPop, .varSamp, .varPop, .corr].contains(kind) {
            arguments = try arguments.map { (a) throws(BatonError) -> PhysicalExpression in
                a.type == .int64 ? .cast(a, .float64, tryCast: false) : try coerce(a, to: .float64, e.range, "\(call.name) expects numbers")
            }
        }
        let textOfCall = source(e.range)
        let sig = "\(kind)|\(fraction ?? -1)|" + arguments.map(signature).joined(separator: ";")
        let resultType: DataType
        switch AggregateCall.resolve(kind, arguments: Array(0..<arguments.count), types: arguments.map(\.type), fraction: fraction, text: textOfCall) {
        case .failure(let failure): throw text.error(failure.message, at: e.range)
        case .success(let call): resultType = call.resultType
        }
        let index: Int
        if let existing = aggregates.firstIndex(where: { $0.signature == sig }) {
            index = existing
        } else {
            aggregates.append((kind, arguments, fraction, textOfCall, sig))
            index = aggregates.count - 1
        }
        return .column(aggregateBase + index, resultType, name: textOfCall)
    }

    private func windowResultType(_ call: FunctionCall, _ arguments: [PhysicalExpression], _ range: SourceRange) throws(BatonError) -> DataType {
        switch call.name {
        case "row_number", "rank", "dense_rank":
            guard arguments.isEmpty else { throw text.error("\(call.name) takes no arguments", at: range) }
            return .int64
        default:
            let kind: AggregateKind? = call.star ? .countStar : AggregateKind.named(call.name)
            guard var kind else {
                throw text.error("\(call.name) is not a window function", at: range,
                                 hint: "window functions: row_number, rank, dense_rank, and the aggregates")
            }
            if kind == .count && arguments.isEmpty { kind = .countStar }
            switch AggregateCall.resolve(kind, arguments: Array(arguments.indices), types: arguments.map(\.type), text: call.name) {
            case .success(let c): return c.resultType
            case .failure(let f): throw text.error(f.message, at: range)
            }
        }
    }

    private func windowFunction(_ call: FunctionCall, arguments: [Int], types: [DataType], text t: String,
                                hasOrder: Bool) throws(BatonError) -> WindowFunction {
        let frame: WindowFrameSpec
        if let f = call.over?.frame {
            func offset(_ b: WindowFrame.Bound) -> Int?? {
                switch b {
                case .unboundedPreceding, .unboundedFollowing: return .some(nil)
                case .preceding(let n): return .some(-Int(n))
                case .currentRow: return .some(0)
                case .following(let n): return .some(Int(n))
                }
            }
            switch (f.units, f.start, f.end) {
            case (.range, .unboundedPreceding, .currentRow): frame = .runningWithPeers
            case (.range, .unboundedPreceding, .unboundedFollowing), (.rows, .unboundedPreceding, .unboundedFollowing): frame = .partition
            case (.rows, _, _): frame = .rows(start: offset(f.start)!, end: offset(f.end)!)
            default: throw text.error("RANGE frames other than UNBOUNDED PRECEDING to CURRENT ROW are not supported", at: SourceRange(0, 0),
                                      hint: "use ROWS BETWEEN … instead")
            }
        } else {
            frame = hasOrder ? .runningWithPeers : .partition
        }
        switch call.name {
        case "row_number": return WindowFunction(kind: .rowNumber, frame: frame, text: t)
        case "rank": return WindowFunction(kind: .rank, frame: frame, text: t)
        case "dense_rank": return WindowFunction(kind: .denseRank, frame: frame, text: t)
        default:
            var kind = call.star ? .countStar : AggregateKind.named(call.name)!
            if kind == .count && arguments.isEmpty { kind = .countStar }
            let resolved = try AggregateCall.resolve(kind, arguments: arguments, types: types, text: t).mapError { _ in
                BatonError(.invalidInput, "bad window aggregate")
            }.get()
            return WindowFunction(kind: .aggregate(resolved), frame: frame, text: t)
        }
    }
}
