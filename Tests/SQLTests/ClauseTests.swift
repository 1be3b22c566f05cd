import Testing
import SQL

@Suite struct ClauseTests {
    @Test func selectWithoutFrom() throws {
        #expect(try sql("SELECT 1+1") == "SELECT (1 + 1)")
        #expect(try sql("select 1, 'a' as b;") == "SELECT 1, 'a' AS b")
        #expect(try sql("  SELECT 1 ;  -- done") == "SELECT 1")
    }

    @Test func selectItems() throws {
        #expect(try sql("SELECT * FROM t") == "SELECT * FROM t")
        #expect(try sql("SELECT * EXCLUDE (a, b) FROM t") == "SELECT * EXCLUDE (a, b) FROM t")
        #expect(try sql("SELECT * EXCLUDE a FROM t") == "SELECT * EXCLUDE (a) FROM t")
        #expect(try sql("SELECT t.*, u.x FROM t, u") == "SELECT t.*, u.x FROM (t CROSS JOIN u)")
        #expect(try sql("SELECT a AS x, b y, c AS \"Z z\", d \"w\" FROM t")
            == "SELECT a AS x, b AS y, c AS Z z, d AS w FROM t")
        #expect(try sql("SELECT sum(v1) AS count, count(*) total FROM t") == "SELECT sum(v1) AS count, count(*) AS total FROM t")
        #expect(try sql("SELECT DISTINCT a, b FROM t") == "SELECT DISTINCT a, b FROM t")
        #expect(try sql("SELECT ALL a FROM t") == "SELECT a FROM t")
    }

    @Test func reservedWordsAreNeverAliases() throws {
        #expect(try sql("SELECT a FROM t WHERE a > 1") == "SELECT a FROM t WHERE (a > 1)")
        #expect(try sql("SELECT a FROM t GROUP BY a HAVING count(*) > 1 ORDER BY a LIMIT 1 OFFSET 2")
            == "SELECT a FROM t GROUP BY a HAVING (count(*) > 1) ORDER BY a LIMIT 1 OFFSET 2")
        #expect(try sql("SELECT a FROM t JOIN u USING (a)") == "SELECT a FROM (t INNER JOIN u USING (a))")
        #expect(try sql("SELECT a FROM t UNION ALL SELECT b FROM u") == "(SELECT a FROM t UNION ALL SELECT b FROM u)")
        // Unreserved keywords can still be aliases and names.
        #expect(try sql("SELECT a date, b rows FROM t first") == "SELECT a AS date, b AS rows FROM t AS first")
    }

    @Test func fromItems() throws {
        #expect(try sql("SELECT * FROM 'trips.csv'") == "SELECT * FROM 'trips.csv'")
        #expect(try sql("SELECT * FROM 'data/*.csv' AS d") == "SELECT * FROM 'data/*.csv' AS d")
        #expect(try sql("SELECT * FROM '-' x") == "SELECT * FROM '-' AS x")
        #expect(try sql("SELECT * FROM read_csv('x.txt', delim => '|', header => true) r")
            == "SELECT * FROM read_csv('x.txt', delim => '|', header => TRUE) AS r")
        #expect(try sql("SELECT * FROM Read_CSV()") == "SELECT * FROM read_csv()")
        #expect(try sql("SELECT * FROM cte") == "SELECT * FROM cte")
        #expect(try sql("SELECT * FROM \"My Table\" AS m") == "SELECT * FROM My Table AS m")
        #expect(try sql("SELECT s.a FROM (SELECT 1 AS a) AS s") == "SELECT s.a FROM (SELECT 1 AS a) AS s")
        #expect(try sql("SELECT * FROM (SELECT 1) s") == "SELECT * FROM (SELECT 1) AS s")
        #expect(try sql("SELECT * FROM (SELECT 1)") == "SELECT * FROM (SELECT 1)")
    }

    @Test func joinKinds() throws {
        let cases: [(String, String)] = [
            ("JOIN", "INNER"), ("INNER JOIN", "INNER"), ("LEFT JOIN", "LEFT"), ("LEFT OUTER JOIN", "LEFT"),
            ("RIGHT JOIN", "RIGHT"), ("RIGHT OUTER JOIN", "RIGHT"), ("FULL JOIN", "FULL"), ("FULL OUTER JOIN", "FULL"),
            ("SEMI JOIN", "SEMI"), ("ANTI JOIN", "ANTI"), ("LEFT SEMI JOIN", "SEMI"), ("LEFT ANTI JOIN", "ANTI"),
        ]
        for (written, kind) in cases {
            #expect(try sql("SELECT * FROM a \(written) b ON a.k = b.k")
                == "SELECT * FROM (a \(kind) JOIN b ON (a.k = b.k))", "\(written)")
        }
        #expect(try sql("SELECT * FROM a CROSS JOIN b") == "SELECT * FROM (a CROSS JOIN b)")
        #expect(try sql("SELECT * FROM a, b, c") == "SELECT * FROM ((a CROSS JOIN b) CROSS JOIN c)")
        #expect(try sql("SELECT * FROM a JOIN b USING (k, j)") == "SELECT * FROM (a INNER JOIN b USING (k, j))")
    }

    @Test func joinsAssociateLeftAndMayBeParenthesised() throws {
        #expect(try sql("SELECT * FROM a JOIN b ON x LEFT JOIN c ON y")
            == "SELECT * FROM ((a INNER JOIN b ON x) LEFT JOIN c ON y)")
        #expect(try sql("SELECT * FROM a JOIN (b JOIN c ON y) ON x")
            == "SELECT * FROM (a INNER JOIN (b INNER JOIN c ON y) ON x)")
        #expect(try sql("SELECT * FROM (a JOIN b ON x), c") == "SELECT * FROM ((a INNER JOIN b ON x) CROSS JOIN c)")
        #expect(try sql("SELECT * FROM 'x.csv' x JOIN read_csv('y.csv') AS y ON x.k = y.k")
            == "SELECT * FROM ('x.csv' AS x INNER JOIN read_csv('y.csv') AS y ON (x.k = y.k))")
    }

    @Test func parenthesesAroundASubqueryOrAJoinAreToldApart() throws {
        #expect(try sql("SELECT * FROM ((SELECT 1) UNION ALL (SELECT 2)) u")
            == "SELECT * FROM (((SELECT 1) UNION ALL (SELECT 2))) AS u")
        #expect(try sql("SELECT * FROM ((SELECT 1 AS k) s JOIN t USING (k))")
            == "SELECT * FROM ((SELECT 1 AS k) AS s INNER JOIN t USING (k))")
        #expect(try sql("SELECT * FROM ((a JOIN b USING (k)))") == "SELECT * FROM (a INNER JOIN b USING (k))")
    }

    @Test func whereGroupByHaving() throws {
        #expect(try sql("SELECT a, sum(b) FROM t WHERE c GROUP BY a, d + 1 HAVING sum(b) > 2")
            == "SELECT a, sum(b) FROM t WHERE c GROUP BY a, (d + 1) HAVING (sum(b) > 2)")
        let query = try Parser.parse("SELECT a, sum(b) FROM t GROUP BY ALL")
        guard case .select(let select) = query.body else {
            Issue.record("expected a SELECT")
            return
        }
        #expect(select.groupByAll)
        #expect(select.groupBy.isEmpty)
        #expect(try sql("SELECT a FROM t GROUP BY a") != "SELECT a FROM t GROUP BY ALL")
    }

    @Test func orderByLimitOffset() throws {
        #expect(try sql("SELECT a FROM t ORDER BY a, b DESC, c ASC NULLS FIRST, d DESC NULLS LAST")
            == "SELECT a FROM t ORDER BY a, b DESC, c NULLS FIRST, d DESC NULLS LAST")
        #expect(try sql("SELECT a FROM t LIMIT 10") == "SELECT a FROM t LIMIT 10")
        #expect(try sql("SELECT a FROM t OFFSET 5 ROWS LIMIT 2 * 5") == "SELECT a FROM t LIMIT (2 * 5) OFFSET 5")
        #expect(try sql("SELECT a FROM t ORDER BY 1 LIMIT 10 OFFSET 20") == "SELECT a FROM t ORDER BY 1 LIMIT 10 OFFSET 20")
    }

    @Test func unionsAssociateLeftAndTakeTheQuerysOrderBy() throws {
        #expect(try sql("SELECT 1 UNION SELECT 2 UNION ALL SELECT 3")
            == "((SELECT 1 UNION SELECT 2) UNION ALL SELECT 3)")
        #expect(try sql("SELECT 1 UNION DISTINCT SELECT 2") == "(SELECT 1 UNION SELECT 2)")
        #expect(try sql("(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL (SELECT b FROM u) ORDER BY 1 LIMIT 5")
            == "((SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL (SELECT b FROM u)) ORDER BY 1 LIMIT 5")
        #expect(try sql("SELECT 1 UNION ALL (SELECT 2 UNION ALL SELECT 3)")
            == "(SELECT 1 UNION ALL ((SELECT 2 UNION ALL SELECT 3)))")
    }

    @Test func commonTableExpressions() throws {
        #expect(try sql("WITH a AS (SELECT 1 AS x), b(y) AS (SELECT x FROM a) SELECT y FROM b")
            == "WITH a AS (SELECT 1 AS x), b(y) AS (SELECT x FROM a) SELECT y FROM b")
        #expect(try sql("WITH t AS (WITH u AS (SELECT 1) SELECT * FROM u) SELECT * FROM t ORDER BY 1")
            == "WITH t AS (WITH u AS (SELECT 1) SELECT * FROM u) SELECT * FROM t ORDER BY 1")
    }

    @Test func nestingUpToTheLimitParses() throws {
        let depth = 90
        let text = String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)
        #expect(try expr(text) == "1")
    }
}
