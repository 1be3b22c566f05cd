import Testing
import Columns
import SQL

@Suite struct ExpressionTests {
    @Test func numbersAreIntegersUnlessTheyHaveAPointOrExponent() throws {
        #expect(try Parser.parseExpression("42").kind.literal == .integer(42))
        #expect(try Parser.parseExpression("9223372036854775807").kind.literal == .integer(.max))
        #expect(try Parser.parseExpression("1.5").kind.literal == .float(1.5))
        #expect(try Parser.parseExpression(".06").kind.literal == .float(0.06))
        #expect(try Parser.parseExpression("2.").kind.literal == .float(2))
        #expect(try Parser.parseExpression("1e3").kind.literal == .float(1000))
        #expect(try Parser.parseExpression("2.5E-1").kind.literal == .float(0.25))
        #expect(try Parser.parseExpression("99999999999999999999.0").kind.literal == .float(1e20))
    }

    @Test func stringsAndKeywordLiterals() throws {
        #expect(try Parser.parseExpression("'it''s'").kind.literal == .string("it's"))
        #expect(try Parser.parseExpression("''").kind.literal == .string(""))
        #expect(try Parser.parseExpression("'two\nlines'").kind.literal == .string("two\nlines"))
        #expect(try Parser.parseExpression("'naïve ☃'").kind.literal == .string("naïve ☃"))
        #expect(try Parser.parseExpression("TRUE").kind.literal == .bool(true))
        #expect(try Parser.parseExpression("false").kind.literal == .bool(false))
        #expect(try Parser.parseExpression("Null").kind.literal == .null)
        #expect(try Parser.parseExpression("DATE '1998-12-01'").kind.literal == .date("1998-12-01"))
        #expect(try Parser.parseExpression("timestamp '2024-01-31 12:00:00'").kind.literal == .timestamp("2024-01-31 12:00:00"))
    }

    @Test func intervalsTakeEitherSpellingAndPluralUnits() throws {
        #expect(try Parser.parseExpression("INTERVAL '90' DAY").kind.literal == .interval(90, .day))
        #expect(try Parser.parseExpression("interval 3 days").kind.literal == .interval(3, .day))
        #expect(try Parser.parseExpression("INTERVAL '1' YEAR").kind.literal == .interval(1, .year))
        #expect(try Parser.parseExpression("INTERVAL '3 months'").kind.literal == .interval(3, .month))
        #expect(try Parser.parseExpression("INTERVAL -2 HOURS").kind.literal == .interval(-2, .hour))
        #expect(try Parser.parseExpression("INTERVAL '-2' week").kind.literal == .interval(-2, .week))
        for unit in ["microsecond", "millisecond", "second", "minute", "hour", "day", "week", "month", "year"] {
            #expect(try Parser.parseExpression("INTERVAL 1 \(unit)s").kind.literal == .interval(1, IntervalUnit(rawValue: unit)!))
        }
        #expect(try expr("date '1998-12-01' - interval '90' day") == "(DATE '1998-12-01' - INTERVAL 90 day)")
    }

    @Test func wordsThatStartLiteralsStillNameColumns() throws {
        #expect(try expr("date") == "date")
        #expect(try expr("date + 1") == "(date + 1)")
        #expect(try expr("timestamp < interval") == "(timestamp < interval)")
        #expect(try expr("interval - 1") == "(interval - 1)")
        #expect(try expr("date(ts)") == "date(ts)")
    }

    @Test func columnReferences() throws {
        #expect(try expr("a") == "a")
        #expect(try expr("t.a") == "t.a")
        #expect(try expr("\"Quoted Col\"") == "\"Quoted Col\"")
        #expect(try expr("t.\"x\"\"y\"") == "t.\"x\"y\"")
        #expect(try expr("\"T\".a") == "T.a")
        let quoted = try Parser.parseExpression("\"Quoted Col\"")
        guard case .column(nil, "Quoted Col", quoted: true) = quoted.kind else {
            Issue.record("expected a quoted column, got \(quoted.kind)")
            return
        }
        let plain = try Parser.parseExpression("MixedCase")
        guard case .column(nil, "MixedCase", quoted: false) = plain.kind else {
            Issue.record("expected a plain column keeping its case, got \(plain.kind)")
            return
        }
    }

    @Test func functionCalls() throws {
        #expect(try expr("f()") == "f()")
        #expect(try expr("Sum(a + 1)") == "sum((a + 1))")
        #expect(try expr("coalesce(a, b, 0)") == "coalesce(a, b, 0)")
        #expect(try expr("count(*)") == "count(*)")
        #expect(try expr("count(DISTINCT x)") == "count(DISTINCT x)")
        #expect(try expr("count(ALL x)") == "count(x)")
        #expect(try expr("left(s, 3) || right(s, 2)") == "(left(s, 3) || right(s, 2))")
        #expect(try expr("no_such_function(1)") == "no_such_function(1)")
        #expect(try expr("EXTRACT(year FROM d)") == "date_part('year', d)")
        #expect(try expr("substring(s FROM 2 FOR 3)") == "substring(s, 2, 3)")
        #expect(try expr("substring(s, 2, 3)") == "substring(s, 2, 3)")
    }

    @Test func windowFunctions() throws {
        #expect(try expr("row_number() OVER ()") == "row_number() OVER ()")
        #expect(try expr("row_number() OVER (PARTITION BY a, b ORDER BY c DESC)")
            == "row_number() OVER (PARTITION BY a, b ORDER BY c DESC)")
        #expect(try expr("sum(x) OVER (ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)")
            == "sum(x) OVER (ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)")
        #expect(try expr("avg(x) OVER (PARTITION BY g ORDER BY t RANGE BETWEEN 3 PRECEDING AND 2 FOLLOWING)")
            == "avg(x) OVER (PARTITION BY g ORDER BY t RANGE BETWEEN 3 PRECEDING AND 2 FOLLOWING)")
        #expect(try expr("sum(x) OVER (ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)")
            == "sum(x) OVER (ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)")
        #expect(try expr("sum(x) OVER (ORDER BY t ROWS 5 PRECEDING)")
            == "sum(x) OVER (ORDER BY t ROWS BETWEEN 5 PRECEDING AND CURRENT ROW)")
        #expect(try expr("lag(x) OVER (ORDER BY t NULLS FIRST) - x") == "(lag(x) OVER (ORDER BY t NULLS FIRST) - x)")
    }

    @Test func caseExpressions() throws {
        #expect(try expr("CASE WHEN a > 0 THEN 'pos' WHEN a < 0 THEN 'neg' ELSE 'zero' END")
            == "CASE WHEN (a > 0) THEN 'pos' WHEN (a < 0) THEN 'neg' ELSE 'zero' END")
        #expect(try expr("CASE a WHEN 1 THEN 'one' END") == "CASE a WHEN 1 THEN 'one' END")
        #expect(try expr("case when a then b end + 1") == "(CASE WHEN a THEN b END + 1)")
    }

    @Test func castsAndTypeNames() throws {
        #expect(try expr("CAST(a AS INTEGER)") == "CAST(a AS Int64)")
        #expect(try expr("TRY_CAST(a AS date)") == "TRY_CAST(a AS Date)")
        let spellings: [(String, DataType)] = [
            ("int", .int64), ("integer", .int64), ("bigint", .int64), ("smallint", .int64), ("tinyint", .int64),
            ("double", .float64), ("double precision", .float64), ("float", .float64), ("real", .float64),
            ("decimal(15, 2)", .float64), ("numeric", .float64), ("varchar", .string), ("varchar(10)", .string),
            ("text", .string), ("string", .string), ("bool", .bool), ("boolean", .bool), ("date", .date),
            ("timestamp", .timestamp),
        ]
        for (name, type) in spellings {
            #expect(try expr("x::\(name)") == "CAST(x AS \(type))", "\(name)")
            #expect(try expr("cast(x as \(name.uppercased()))") == "CAST(x AS \(type))", "\(name)")
        }
    }

    @Test func parenthesesAndWhitespaceAndComments() throws {
        #expect(try expr("((a))") == "a")
        #expect(try expr("a -- the rest is a comment\n + /* inline */ b") == "(a + b)")
        #expect(try expr("a /* nested /* comments */ close */ + b") == "(a + b)")
        #expect(try expr("a\t+\r\nb") == "(a + b)")
    }
}

extension Expression.Kind {
    /// The literal, if this is one.
    var literal: Literal? {
        if case .literal(let literal) = self { return literal }
        return nil
    }
}
