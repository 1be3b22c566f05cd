import Testing
import SQL

@Suite struct PrecedenceTests {
    @Test func arithmeticBindsMultiplicationFirstAndAssociatesLeft() throws {
        #expect(try expr("1 + 2 * 3") == "(1 + (2 * 3))")
        #expect(try expr("1 * 2 + 3") == "((1 * 2) + 3)")
        #expect(try expr("a - b - c") == "((a - b) - c)")
        #expect(try expr("a / b * c % d") == "(((a / b) * c) % d)")
        #expect(try expr("(1 + 2) * 3") == "((1 + 2) * 3)")
    }

    @Test func logicOrIsLoosestThenAndThenNot() throws {
        #expect(try expr("a OR b AND c") == "(a OR (b AND c))")
        #expect(try expr("a AND b OR c AND d") == "((a AND b) OR (c AND d))")
        #expect(try expr("NOT a AND b") == "((NOT a) AND b)")
        #expect(try expr("NOT a = b") == "(NOT (a = b))")
        #expect(try expr("NOT NOT a") == "(NOT (NOT a))")
        #expect(try expr("a or b or c") == "((a OR b) OR c)")
    }

    @Test func comparisonsSitBetweenLogicAndConcat() throws {
        #expect(try expr("a = b AND c <> d") == "((a = b) AND (c <> d))")
        #expect(try expr("a || b = c") == "((a || b) = c)")
        #expect(try expr("a + 1 >= b * 2") == "((a + 1) >= (b * 2))")
        #expect(try expr("a || b + c") == "(a || (b + c))")
        #expect(try expr("a == b") == "(a = b)")
        #expect(try expr("a != b") == "(a <> b)")
        #expect(try expr("a < b") == "(a < b)")
        #expect(try expr("a <= b") == "(a <= b)")
        #expect(try expr("a > b") == "(a > b)")
    }

    @Test func predicatesShareTheComparisonLevel() throws {
        #expect(try expr("a IS NULL AND b IS NOT NULL") == "((a IS NULL) AND (b IS NOT NULL))")
        #expect(try expr("a + 1 IS NULL") == "((a + 1) IS NULL)")
        #expect(try expr("NOT a IS NULL") == "(NOT (a IS NULL))")
        #expect(try expr("a IS DISTINCT FROM b + 1") == "(a IS DISTINCT FROM (b + 1))")
        #expect(try expr("a IS NOT DISTINCT FROM b") == "(a IS NOT DISTINCT FROM b)")
        #expect(try expr("a IS TRUE") == "(a IS NOT DISTINCT FROM TRUE)")
        #expect(try expr("a IS NOT FALSE") == "(a IS DISTINCT FROM FALSE)")
        #expect(try expr("a IN (1, 2 + 3) OR b") == "((a IN (1, (2 + 3))) OR b)")
        #expect(try expr("a NOT IN ('x')") == "(a NOT IN ('x'))")
        #expect(try expr("a BETWEEN 1 AND 2 AND b") == "((a BETWEEN 1 AND 2) AND b)")
        #expect(try expr("a NOT BETWEEN b - 1 AND b + 1") == "(a NOT BETWEEN (b - 1) AND (b + 1))")
        #expect(try expr("a LIKE 'x%' AND b NOT ILIKE 'Y_'") == "((a LIKE 'x%') AND (b NOT ILIKE 'Y_'))")
        #expect(try expr("a LIKE 'x!%%' ESCAPE '!'") == "(a LIKE 'x!%%' ESCAPE '!')")
        #expect(try expr("a || 'x' LIKE b || '%'") == "((a || 'x') LIKE (b || '%'))")
    }

    @Test func unaryBindsTighterThanMultiplication() throws {
        #expect(try expr("-a * b") == "((-a) * b)")
        #expect(try expr("- -a") == "(-(-a))")
        #expect(try expr("+a") == "(+a)")
        #expect(try expr("a - -b") == "(a - (-b))")
        #expect(try expr("-(a + b)") == "(-(a + b))")
    }

    @Test func castBindsTightest() throws {
        #expect(try expr("-a::int") == "(-CAST(a AS Int64))")
        #expect(try expr("a + b::double") == "(a + CAST(b AS Float64))")
        #expect(try expr("a::varchar::date") == "CAST(CAST(a AS String) AS Date)")
        #expect(try expr("(a + b)::text") == "CAST((a + b) AS String)")
        #expect(try expr("-5::text") == "(-CAST(5 AS String))")
    }

    @Test func aMinusSignBeforeANumberFoldsIntoTheLiteral() throws {
        #expect(try expr("-5") == "-5")
        #expect(try expr("-5 * 2") == "(-5 * 2)")
        #expect(try expr("-9223372036854775808") == "-9223372036854775808")
        #expect(try expr("- -1.5") == "(--1.5)")
        #expect(try expr("1-2") == "(1 - 2)")
    }
}
