import Testing
import SQL

/// Every node's range covers exactly its own text, so errors from the binder underline the
/// right words.
@Suite struct RangeTests {
    /// The text a range covers.
    func text(_ query: String, _ range: SourceRange) -> String {
        let bytes = Array(query.utf8)
        return String(decoding: bytes[range.start..<range.end], as: UTF8.self)
    }

    func select(_ query: Query) -> Select? {
        if case .select(let select) = query.body { return select }
        return nil
    }

    @Test func columnReferenceInAMultiLineQuery() throws {
        let query = "SELECT a,\n       t.bcd AS x\nFROM t"
        let items = try #require(select(try Parser.parse(query))).items
        guard case .expression(let column, alias: "x") = items[1] else {
            Issue.record("expected an aliased expression, got \(items[1])")
            return
        }
        #expect(column.range == SourceRange(17, 22))
        #expect(text(query, column.range) == "t.bcd")
        #expect(QueryText(query).position(of: column.range.start) == (2, 8))
    }

    @Test func expressionsCoverTheirOperandsAndParentheses() throws {
        let cases: [(String, String)] = [
            ("(a + b) * c", "(a + b) * c"),
            ("  a   +  b  ", "a   +  b"),
            ("-5", "-5"),
            ("- x", "- x"),
            ("NOT a = 1", "NOT a = 1"),
            ("x::int", "x::int"),
            ("CAST(x AS int)", "CAST(x AS int)"),
            ("a IS NOT NULL", "a IS NOT NULL"),
            ("a NOT BETWEEN 1 AND 2", "a NOT BETWEEN 1 AND 2"),
            ("a IN (1, 2)", "a IN (1, 2)"),
            ("a LIKE 'x' ESCAPE '!'", "a LIKE 'x' ESCAPE '!'"),
            ("CASE WHEN a THEN b END", "CASE WHEN a THEN b END"),
            ("sum(x) OVER (PARTITION BY g)", "sum(x) OVER (PARTITION BY g)"),
            ("count(*)", "count(*)"),
            ("DATE '2024-01-31'", "DATE '2024-01-31'"),
            ("INTERVAL 3 DAYS", "INTERVAL 3 DAYS"),
            ("\"Quoted Col\"", "\"Quoted Col\""),
            ("t.\"x\"", "t.\"x\""),
        ]
        for (source, covered) in cases {
            let expression = try Parser.parseExpression(source)
            #expect(text(source, expression.range) == covered, "\(source)")
        }
    }

    @Test func operandsKeepTheirOwnRanges() throws {
        let source = "price * (1 - discount)"
        let expression = try Parser.parseExpression(source)
        guard case .binary(.multiply, let left, let right) = expression.kind else {
            Issue.record("expected a multiplication, got \(expression.kind)")
            return
        }
        #expect(text(source, left.range) == "price")
        #expect(text(source, right.range) == "(1 - discount)")
        guard case .binary(.subtract, let one, let discount) = right.kind else {
            Issue.record("expected a subtraction, got \(right.kind)")
            return
        }
        #expect(one.range == SourceRange(9, 10))
        #expect(text(source, discount.range) == "discount")
    }

    @Test func queryAndClauseRanges() throws {
        let source = "  WITH c AS (SELECT 1 AS k) SELECT * FROM c ORDER BY k LIMIT 3 ;  "
        let query = try Parser.parse(source)
        #expect(text(source, query.range) == "WITH c AS (SELECT 1 AS k) SELECT * FROM c ORDER BY k LIMIT 3")
        #expect(text(source, query.with[0].range) == "c AS (SELECT 1 AS k)")
        #expect(text(source, query.with[0].query.range) == "SELECT 1 AS k")
        let body = try #require(select(query))
        #expect(text(source, body.range) == "SELECT * FROM c")
        guard case .wildcard(nil, [], let star) = body.items[0] else {
            Issue.record("expected *, got \(body.items[0])")
            return
        }
        #expect(text(source, star) == "*")
    }

    @Test func tableReferenceRanges() throws {
        let source = "SELECT t.* EXCLUDE (a) FROM 'x.csv' AS x JOIN read_csv('y', header => true) y USING (k), (SELECT 1) s"
        let body = try #require(select(try Parser.parse(source)))
        guard case .wildcard("t", ["a"], let star) = body.items[0] else {
            Issue.record("expected t.* EXCLUDE (a), got \(body.items[0])")
            return
        }
        #expect(text(source, star) == "t.* EXCLUDE (a)")
        guard case .join(let comma) = body.from, case .join(let join) = comma.left,
              case .file("x.csv", "x", let file) = join.left,
              case .function("read_csv", let arguments, let named, "y", let function) = join.right,
              case .subquery(_, "s", let subquery) = comma.right
        else {
            Issue.record("unexpected FROM: \(String(describing: body.from))")
            return
        }
        #expect(text(source, comma.range) == source.split(separator: "FROM ")[1])
        #expect(text(source, join.range) == "'x.csv' AS x JOIN read_csv('y', header => true) y USING (k)")
        #expect(text(source, file) == "'x.csv' AS x")
        #expect(text(source, function) == "read_csv('y', header => true) y")
        #expect(text(source, arguments[0].range) == "'y'")
        #expect(text(source, named[0].range) == "header => true")
        #expect(text(source, named[0].value.range) == "true")
        #expect(text(source, subquery) == "(SELECT 1) s")
    }

    @Test func unionRangesSpanBothSides() throws {
        let source = "(SELECT 1) UNION ALL SELECT 2 ORDER BY 1"
        let query = try Parser.parse(source)
        guard case .union(.query(let left), .select(let right), all: true, let range) = query.body else {
            Issue.record("expected a UNION ALL, got \(query.body)")
            return
        }
        #expect(text(source, range) == "(SELECT 1) UNION ALL SELECT 2")
        #expect(text(source, left.range) == "SELECT 1")
        #expect(text(source, right.range) == "SELECT 2")
        #expect(text(source, query.range) == source)
    }

    @Test func rangesAreUTF8ByteOffsets() throws {
        let source = "'☃' || ünïcödé"
        let expression = try Parser.parseExpression(source)
        guard case .binary(.concat, let left, let right) = expression.kind else {
            Issue.record("expected a concatenation, got \(expression.kind)")
            return
        }
        #expect(left.range == SourceRange(0, 5))
        #expect(text(source, right.range) == "ünïcödé")
        #expect(QueryText(source).position(of: right.range.start) == (1, 8))
    }
}
