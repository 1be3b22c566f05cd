import Columns
import Operators
import SQL

/// A column visible to expressions: its table qualifier, name and type. Its position in a
/// `Scope` is its position in the batches of the node that produces it.
struct ScopeColumn {
    var qualifier: String?
    var name: String
    var type: DataType
    /// The right-hand copy of a `USING` column: reachable only with its qualifier, and not
    /// part of `*`.
    var hidden = false
}

struct Scope {
    var columns: [ScopeColumn]
    /// Every column of the inputs, read or not, for the hint of an unknown-name error.
    var known: [String] = []

    /// The position of the column an expression names.
    /// Unquoted names match case-insensitively (as in DuckDB); quoted ones exactly.
    func resolve(qualifier: String?, name: String, quoted: Bool, range: SourceRange, text: QueryText) throws(BatonError) -> Int {
        let matches = columns.indices.filter { i in
            let c = columns[i]
            if let qualifier, c.qualifier?.lowercased() != qualifier.lowercased() { return false }
            if qualifier == nil && c.hidden { return false }
            return quoted ? c.name == name : c.name.lowercased() == name.lowercased()
        }
        if matches.count == 1 { return matches[0] }
        let shown = qualifier.map { "\($0).\(name)" } ?? name
        if matches.isEmpty {
            let names = known.isEmpty ? columns.filter { !$0.hidden }.map { c in c.qualifier.map { "\($0).\(c.name)" } ?? c.name } : known
            let close = names.filter { $0.lowercased().hasSuffix(name.lowercased()) || name.lowercased().hasPrefix($0.lowercased()) }
            let hint = close.first.map { "did you mean \($0)? " } ?? ""
            throw text.error("no column named \"\(shown)\"", at: range,
                             hint: hint + "the columns are: " + (names.isEmpty ? "(none)" : names.joined(separator: ", ")))
        }
        // The same column reached twice (USING joins keep one copy under both qualifiers).
        throw text.error("column name \"\(shown)\" is ambiguous", at: range,
                         hint: "qualify it: " + matches.map { "\(columns[$0].qualifier ?? "?").\(name)" }.joined(separator: " or "))
    }
}

/// A plan fragment: the node and the scope of its output columns.
struct Planned {
    var node: any ExecutionNode
    var scope: Scope

    /// The scope with every column under one qualifier (a FROM alias).
    func qualified(_ qualifier: String?) -> Planned {
        var copy = self
        copy.scope.columns = scope.columns.map { ScopeColumn(qualifier: qualifier, name: $0.name, type: $0.type, hidden: $0.hidden) }
        copy.scope.known = []
        return copy
    }
}
