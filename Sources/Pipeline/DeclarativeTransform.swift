import Yams

/// The declarative transform keys, turned into one SQL query.
///
/// The keys apply in a fixed order whatever their order in the file: from / join / union, then
/// filter, derive, aggregate, select, distinct, sort, limit. A step that must see the previous
/// step's output columns (aggregate after derive, select after aggregate) reads it as a
/// subquery; the rest share one SELECT.
enum DeclarativeTransform {
    struct Builder {
        var items: String?
        var from: String
        var filter: String?
        var groupBy: String?
        var depth = 0

        var text: String {
            var sql = "SELECT \(items ?? "*") FROM \(from)"
            if let filter { sql += " WHERE \(filter)" }
            if let groupBy { sql += " GROUP BY \(groupBy)" }
            return sql
        }

        /// The query so far becomes the FROM of the next step.
        mutating func nest() {
            depth += 1
            from = "(\(text)) AS step\(depth)"
            items = nil
            filter = nil
            groupBy = nil
        }
    }

    static func identifier(_ name: String) -> String {
        PipelineReader.isIdentifier(name) && !keywords.contains(name.uppercased()) ? name : quoted(name)
    }

    /// A name in double quotes: always safe, even for a stage called `order`.
    static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Words the SQL parser reserves: a stage or column with such a name is quoted.
    static let keywords: Set<String> = [
        "ALL", "AND", "ANTI", "AS", "ASC", "BETWEEN", "BY", "CASE", "CAST", "CROSS", "DESC", "DISTINCT", "ELSE", "END",
        "EXCEPT", "EXISTS", "FALSE", "FIRST", "FROM", "FULL", "GROUP", "HAVING", "ILIKE", "IN", "INNER", "INTERSECT",
        "INTERVAL", "IS", "JOIN", "LAST", "LEFT", "LIKE", "LIMIT", "NOT", "NULL", "NULLS", "OFFSET", "ON", "OR", "ORDER",
        "OUTER", "OVER", "PARTITION", "RIGHT", "ROWS", "SELECT", "SEMI", "THEN", "TRUE", "UNION", "USING", "WHEN",
        "WHERE", "WINDOW", "WITH", "DATE", "TIMESTAMP", "RANGE",
    ]

    static func sql(_ keys: [String: Node], _ keyLines: [String: Int], stage: String, reader: inout PipelineReader) -> String? {
        func line(_ key: String) -> Int? { keyLines[key] }
        var from: String
        if let node = keys["from"] {
            guard let name = reader.string(node, "from", stage: stage) else { return nil }
            from = identifier(name)
        } else if keys["union"] == nil {
            reader.problems.append(PipelineProblem(line: line("join"), stage: stage, "join needs from: (the left side)"))
            return nil
        } else {
            from = ""
        }
        if let node = keys["union"] {
            guard let names = reader.strings(node, "union", stage: stage) else { return nil }
            let all = (from.isEmpty ? [] : [from]) + names.map(identifier)
            guard all.count >= 2 else {
                reader.problems.append(PipelineProblem(line: line("union"), stage: stage, "union needs at least two stages"))
                return nil
            }
            from = "(" + all.map { "SELECT * FROM \($0)" }.joined(separator: " UNION ALL ") + ") AS stacked"
        }
        if let node = keys["join"] {
            guard let m = reader.mapping(node, "join", stage: stage) else { return nil }
            var with: String?
            var condition: String?
            var type = "inner"
            for (key, value) in m {
                switch key.scalar?.string ?? "" {
                case "with": with = reader.string(value, "with", stage: stage)
                case "on": condition = reader.string(value, "on", stage: stage).map { "ON \($0)" }
                case "using": condition = reader.strings(value, "using", stage: stage).map { "USING (" + $0.map(identifier).joined(separator: ", ") + ")" }
                case "type": type = reader.string(value, "type", stage: stage)?.lowercased() ?? "inner"
                default:
                    reader.problems.append(PipelineProblem(line: reader.line(key), stage: stage, "unknown join key '\(key.scalar?.string ?? "?")'",
                                                           hint: "join takes with, on or using, and type"))
                }
            }
            guard let with, let condition else {
                reader.problems.append(PipelineProblem(line: line("join"), stage: stage, "join needs with: and on: or using:"))
                return nil
            }
            guard ["inner", "left", "right", "full", "semi", "anti"].contains(type) else {
                reader.problems.append(PipelineProblem(line: line("join"), stage: stage, "unknown join type '\(type)'",
                                                       hint: "types are inner, left, right, full, semi and anti"))
                return nil
            }
            from += " \(type.uppercased()) JOIN \(identifier(with)) \(condition)"
        }
        var b = Builder(from: from)
        if let node = keys["filter"] { b.filter = reader.string(node, "filter", stage: stage) }
        var derived = false
        if let node = keys["derive"], let m = reader.mapping(node, "derive", stage: stage) {
            var items: [String] = ["*"]
            for (key, value) in m {
                guard let expression = reader.string(value, "derive", stage: stage) else { continue }
                items.append("\(expression) AS \(identifier(key.scalar?.string ?? ""))")
            }
            b.items = items.joined(separator: ", ")
            derived = true
        }
        var aggregated = false
        if let node = keys["aggregate"], let m = reader.mapping(node, "aggregate", stage: stage) {
            if derived { b.nest() }
            var by: [String] = []
            var measures: [String] = []
            for (key, value) in m {
                switch key.scalar?.string ?? "" {
                case "by": by = reader.strings(value, "by", stage: stage) ?? []
                case "measures":
                    guard let mm = reader.mapping(value, "measures", stage: stage) else { continue }
                    for (name, expression) in mm {
                        guard let e = reader.string(expression, "a measure", stage: stage) else { continue }
                        measures.append("\(e) AS \(identifier(name.scalar?.string ?? ""))")
                    }
                default:
                    reader.problems.append(PipelineProblem(line: reader.line(key), stage: stage,
                                                           "unknown aggregate key '\(key.scalar?.string ?? "?")'",
                                                           hint: "aggregate takes by: (columns) and measures: (name: expression)"))
                }
            }
            guard !measures.isEmpty || !by.isEmpty else {
                reader.problems.append(PipelineProblem(line: line("aggregate"), stage: stage, "aggregate needs by:, measures: or both"))
                return nil
            }
            b.items = (by + measures).joined(separator: ", ")
            if !by.isEmpty { b.groupBy = by.joined(separator: ", ") }
            aggregated = true
        }
        if let node = keys["select"], let columns = reader.strings(node, "select", stage: stage) {
            if derived || aggregated { b.nest() }
            b.items = columns.joined(separator: ", ")
        }
        var sql = b.text
        if let node = keys["distinct"], reader.bool(node, "distinct", stage: stage) == true {
            sql = "SELECT DISTINCT" + sql.dropFirst("SELECT".count)
        }
        if let node = keys["sort"], let items = reader.strings(node, "sort", stage: stage) {
            sql += " ORDER BY " + items.joined(separator: ", ")
        }
        if let node = keys["limit"], let n = reader.integer(node, "limit", stage: stage) {
            sql += " LIMIT \(n)"
        }
        for key in ["source", "sink", "sql", "options", "format", "partition_by", "delimiter", "header", "null"] where keys[key] != nil {
            reader.problems.append(PipelineProblem(line: line(key), stage: stage, "'\(key)' does not apply to a declarative transform"))
        }
        return sql
    }
}
