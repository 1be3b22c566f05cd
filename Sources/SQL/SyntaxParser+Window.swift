import Columns

/// `OVER (PARTITION BY … ORDER BY … [ROWS | RANGE frame])` after a function call.
extension SyntaxParser {
    mutating func parseWindowSpecification() throws(BatonError) -> WindowSpecification {
        guard let open = accept(symbol: "(") else {
            if atName { throw error("named windows are not supported", at: current.range, hint: "write OVER (…) in full") }
            throw unexpected("\"(\" after OVER")
        }
        var window = WindowSpecification()
        if accept("PARTITION") != nil {
            try expect("BY", " after PARTITION")
            window.partitionBy = try parseExpressionList()
        }
        if accept("ORDER") != nil {
            try expect("BY", " after ORDER")
            window.orderBy = try parseOrderItems()
        }
        if let units = accept("ROWS") ?? accept("RANGE") {
            window.frame = try parseFrame(units: units.keyword == "ROWS" ? .rows : .range)
        }
        try expectClosing(open)
        return window
    }

    /// `BETWEEN start AND end`, or a lone start that ends at the current row.
    private mutating func parseFrame(units: WindowFrame.Units) throws(BatonError) -> WindowFrame {
        let between = accept("BETWEEN") != nil
        let startRange = current.range
        let start = try parseFrameBound()
        if start == .unboundedFollowing {
            throw error("a window frame cannot start at UNBOUNDED FOLLOWING", at: range(from: startRange.start))
        }
        guard between else { return WindowFrame(units: units, start: start, end: .currentRow) }
        try expect("AND", " between the frame's bounds")
        let endRange = current.range
        let end = try parseFrameBound()
        if end == .unboundedPreceding {
            throw error("a window frame cannot end at UNBOUNDED PRECEDING", at: range(from: endRange.start))
        }
        return WindowFrame(units: units, start: start, end: end)
    }

    /// `UNBOUNDED PRECEDING`, `n PRECEDING`, `CURRENT ROW`, `n FOLLOWING`, `UNBOUNDED FOLLOWING`.
    private mutating func parseFrameBound() throws(BatonError) -> WindowFrame.Bound {
        if accept("CURRENT") != nil {
            try expect("ROW", " after CURRENT")
            return .currentRow
        }
        if accept("UNBOUNDED") != nil {
            if accept("PRECEDING") != nil { return .unboundedPreceding }
            if accept("FOLLOWING") != nil { return .unboundedFollowing }
            throw unexpected("PRECEDING or FOLLOWING after UNBOUNDED")
        }
        guard current.kind == .integer else {
            throw unexpected("a frame bound (UNBOUNDED PRECEDING, n PRECEDING, CURRENT ROW, n FOLLOWING or UNBOUNDED FOLLOWING)")
        }
        guard case .literal(.integer(let rows)) = try parseNumber(negative: false, start: current.range.start).kind else {
            preconditionFailure("an integer token parses to an integer literal")
        }
        if accept("PRECEDING") != nil { return .preceding(rows) }
        if accept("FOLLOWING") != nil { return .following(rows) }
        throw unexpected("PRECEDING or FOLLOWING after \(rows)")
    }
}
