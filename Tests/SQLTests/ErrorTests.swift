import Testing
import Columns
import SQL

/// Syntax errors, word for word: the message, the position, the excerpt with its carets, and
/// the hint.
@Suite struct ErrorTests {
    @Test func missingExpressionNamesWhatWasFound() {
        let error = queryError("SELECT a, FROM t")
        #expect(error?.kind == .invalidInput)
        #expect(error?.message == """
            expected an expression, found "FROM" at line 1, column 11
              SELECT a, FROM t
                        ^^^^
            """)
        #expect(error?.hint == nil)
    }

    @Test func unclosedParenthesisPointsAtTheOpener() {
        #expect(queryError("SELECT (a + b")?.message == """
            expected ")" to close "(" at line 1, column 8, found end of query
              SELECT (a + b
                     ^
            """)
        #expect(queryError("SELECT count(a FROM t")?.message == """
            expected ")" to close "(" at line 1, column 13, found "FROM"
              SELECT count(a FROM t
                          ^
            """)
        #expect(queryError("SELECT CASE WHEN a THEN 1 FROM t")?.message == """
            expected END to close "CASE" at line 1, column 8, found "FROM"
              SELECT CASE WHEN a THEN 1 FROM t
                     ^^^^
            """)
    }

    @Test func unterminatedStringUnderlinesTheRestOfItsLine() {
        let error = queryError("SELECT 'abc\nFROM t")
        #expect(error?.message == """
            unterminated string literal at line 1, column 8
              SELECT 'abc
                     ^^^^
            """)
        #expect(error?.hint == "close it with '; write '' for a ' inside it")
        #expect(queryError("SELECT \"abc")?.message == """
            unterminated quoted identifier at line 1, column 8
              SELECT "abc
                     ^^^^
            """)
    }

    @Test func integerOverflowSuggestsAFloat() {
        let error = queryError("SELECT 99999999999999999999")
        #expect(error?.message == """
            integer literal 99999999999999999999 does not fit in 64 bits at line 1, column 8
              SELECT 99999999999999999999
                     ^^^^^^^^^^^^^^^^^^^^
            """)
        #expect(error?.hint == "write it as 99999999999999999999.0 for a float")
        let negative = expressionError("-9223372036854775809")
        #expect(negative?.message == """
            integer literal -9223372036854775809 does not fit in 64 bits at line 1, column 1
              -9223372036854775809
              ^^^^^^^^^^^^^^^^^^^^
            """)
        #expect(negative?.hint == "write it as -9223372036854775809.0 for a float")
    }

    @Test func unknownTypeListsTheTypes() {
        let error = queryError("SELECT CAST(x AS blob) FROM t")
        #expect(error?.message == """
            unknown type "blob" at line 1, column 18
              SELECT CAST(x AS blob) FROM t
                               ^^^^
            """)
        #expect(error?.hint == """
            the types are BIGINT (also INT, INTEGER, SMALLINT, TINYINT), DOUBLE (also FLOAT, REAL, DECIMAL, NUMERIC), \
            VARCHAR (also TEXT, STRING), BOOLEAN, DATE and TIMESTAMP
            """)
        #expect(expressionError("x::double  precise")?.message == """
            expected end of query, found "precise" at line 1, column 12
              x::double  precise
                         ^^^^^^^
            """)
        #expect(expressionError("x::Long(3)")?.message == """
            unknown type "Long" at line 1, column 4
              x::Long(3)
                 ^^^^
            """)
    }

    @Test func errorsOnALaterLineShowThatLine() {
        let error = queryError("SELECT a,\n       b +\nFROM t")
        #expect(error?.message == """
            expected an expression, found "FROM" at line 3, column 1
              FROM t
              ^^^^
            """)
    }

    @Test func endOfQueryPointsJustPastTheLastToken() {
        #expect(expressionError("a +")?.message == """
            expected an expression, found end of query at line 1, column 4
              a +
                 ^
            """)
        // Past the last token, not past trailing blank lines and comments.
        #expect(queryError("SELECT a FROM\n\n-- nothing here\n")?.message == """
            expected a table: a quoted file path, a name or "(", found end of query at line 1, column 14
              SELECT a FROM
                           ^
            """)
        #expect(expressionError("")?.message == """
            expected an expression, found end of query at line 1, column 1
              \n  ^
            """)
    }

    @Test func caretsKeepTabsSoTheyLineUp() {
        #expect(queryError("\tSELECT\t1 +")?.message == "expected an expression, found end of query at line 1, column 12\n"
            + "  \tSELECT\t1 +\n  \t      \t   ^")
    }

    @Test func columnsCountCharactersNotBytes() {
        #expect(queryError("SELECT 'héllo ☃', FROM t")?.message == """
            expected an expression, found "FROM" at line 1, column 19
              SELECT 'héllo ☃', FROM t
                                ^^^^
            """)
        #expect(queryError("SELECT ☃ # b")?.message == """
            unexpected character "#" at line 1, column 10
              SELECT ☃ # b
                       ^
            """)
    }

    @Test func reservedWordsAsNamesSuggestQuoting() {
        let error = queryError("SELECT a AS from FROM t")
        #expect(error?.message == """
            expected an alias after AS, found "from" at line 1, column 13
              SELECT a AS from FROM t
                          ^^^^
            """)
        #expect(error?.hint == "FROM is a reserved word; write \"from\" in double quotes to use it as a name")
        #expect(queryError("SELECT * FROM t JOIN u USING (a, order)")?.hint
            == "ORDER is a reserved word; write \"order\" in double quotes to use it as a name")
    }

    @Test func misplacedWords() {
        #expect(queryError("SELECT a b c FROM t")?.message == """
            expected end of query, found "c" at line 1, column 12
              SELECT a b c FROM t
                         ^
            """)
        #expect(queryError("SELECT * FROM a JOIN b WHERE x")?.message == """
            expected ON or USING after the joined table, found "WHERE" at line 1, column 24
              SELECT * FROM a JOIN b WHERE x
                                     ^^^^^
            """)
        #expect(queryError("SELECT * FROM a LEFT b ON x")?.message == """
            expected JOIN after LEFT, found "b" at line 1, column 22
              SELECT * FROM a LEFT b ON x
                                   ^
            """)
        #expect(queryError("SELECT * FROM a CROSS JOIN b ON x")?.message == """
            CROSS JOIN takes no ON condition at line 1, column 30
              SELECT * FROM a CROSS JOIN b ON x
                                           ^^
            """)
        #expect(queryError("SELECT a FROM t GROUP a")?.message == """
            expected BY after GROUP, found "a" at line 1, column 23
              SELECT a FROM t GROUP a
                                    ^
            """)
        #expect(queryError("SELECT 1 LIMIT 1 LIMIT 2")?.message == """
            LIMIT is given twice at line 1, column 18
              SELECT 1 LIMIT 1 LIMIT 2
                               ^^^^^
            """)
        #expect(expressionError("a IS 3")?.message == """
            expected NULL, DISTINCT FROM, TRUE or FALSE after IS, found "3" at line 1, column 6
              a IS 3
                   ^
            """)
        #expect(expressionError("CAST(a, int)")?.message == """
            expected AS in CAST, found "," at line 1, column 7
              CAST(a, int)
                    ^
            """)
        #expect(queryError("FROM t")?.message == """
            expected SELECT, found "FROM" at line 1, column 1
              FROM t
              ^^^^
            """)
    }

    @Test func lexicalErrors() {
        let comment = queryError("SELECT 1 /* note")
        #expect(comment?.message == """
            unterminated comment at line 1, column 10
              SELECT 1 /* note
                       ^^
            """)
        #expect(comment?.hint == "close it with */")
        #expect(queryError("SELECT 1x")?.message == """
            invalid number "1x" at line 1, column 8
              SELECT 1x
                     ^^
            """)
        #expect(queryError("SELECT \"\" FROM t")?.message == """
            empty quoted identifier at line 1, column 8
              SELECT "" FROM t
                     ^^
            """)
    }

    @Test func intervalsAndWindowFrames() {
        let unit = expressionError("INTERVAL 3 fortnights")
        #expect(unit?.message == """
            expected an interval unit, found "fortnights" at line 1, column 12
              INTERVAL 3 fortnights
                         ^^^^^^^^^^
            """)
        #expect(unit?.hint == "the units are MICROSECOND, MILLISECOND, SECOND, MINUTE, HOUR, DAY, WEEK, MONTH and YEAR (or their plurals)")
        #expect(expressionError("INTERVAL 'soon' DAY")?.message == """
            invalid interval 'soon' at line 1, column 10
              INTERVAL 'soon' DAY
                       ^^^^^^
            """)
        #expect(expressionError("sum(x) OVER (ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW)")?.message == """
            a window frame cannot start at UNBOUNDED FOLLOWING at line 1, column 27
              sum(x) OVER (ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW)
                                        ^^^^^^^^^^^^^^^^^^^
            """)
        #expect(expressionError("sum(x) OVER (ROWS BETWEEN 1 PRECEDING AND UNBOUNDED PRECEDING)")?.message == """
            a window frame cannot end at UNBOUNDED PRECEDING at line 1, column 43
              sum(x) OVER (ROWS BETWEEN 1 PRECEDING AND UNBOUNDED PRECEDING)
                                                        ^^^^^^^^^^^^^^^^^^^
            """)
    }

    @Test func unsupportedSyntaxSaysSo() {
        let except = queryError("SELECT a FROM t EXCEPT SELECT a FROM u")
        #expect(except?.message == """
            EXCEPT is not supported at line 1, column 17
              SELECT a FROM t EXCEPT SELECT a FROM u
                              ^^^^^^
            """)
        #expect(except?.hint == "use an ANTI JOIN (for EXCEPT) or a SEMI JOIN (for INTERSECT)")
        #expect(expressionError("a IN (SELECT b FROM t)")?.message == """
            IN (subquery) is not supported at line 1, column 7
              a IN (SELECT b FROM t)
                    ^^^^^^
            """)
        #expect(expressionError("(SELECT 1) + 1")?.message == """
            subqueries in expressions are not supported at line 1, column 2
              (SELECT 1) + 1
               ^^^^^^
            """)
        #expect(queryError("WITH RECURSIVE t AS (SELECT 1) SELECT * FROM t")?.message.hasPrefix(
            "WITH RECURSIVE is not supported at line 1, column 6") == true)
    }

    @Test func deepNestingIsRefusedBeforeTheStackRunsOut() {
        let text = String(repeating: "(", count: 1000) + "1" + String(repeating: ")", count: 1000)
        let error = expressionError(text)
        #expect(error?.message.hasPrefix("the query nests more than 100 levels deep at line 1, column 101\n") == true)
        #expect(error?.hint == "split it with WITH")
        let subqueries = "SELECT * FROM " + String(repeating: "(SELECT * FROM ", count: 500) + "t" + String(repeating: ")", count: 500)
        #expect(queryError(subqueries)?.message.hasPrefix("the query nests more than 100 levels deep") == true)
    }

    @Test func queryTextErrorIsUsableByTheBinder() {
        let text = QueryText("SELECT price * 2\nFROM t\nWHERE name + 1 > 0")
        #expect(text.position(of: 0) == (1, 1))
        #expect(text.position(of: 17) == (2, 1))
        #expect(text.position(of: 30) == (3, 7))
        let error = text.error("cannot add String and Int64", at: SourceRange(30, 38), hint: "cast one side")
        #expect(error.kind == .invalidInput)
        #expect(error.message == """
            cannot add String and Int64 at line 3, column 7
              WHERE name + 1 > 0
                    ^^^^^^^^
            """)
        #expect(error.hint == "cast one side")
        // A range over several lines underlines only the first, to its end.
        #expect(text.error("bad", at: SourceRange(7, 22)).message == """
            bad at line 1, column 8
              SELECT price * 2
                     ^^^^^^^^^
            """)
        // An empty range still gets one caret.
        #expect(text.error("here", at: SourceRange(6, 6)).message == """
            here at line 1, column 7
              SELECT price * 2
                    ^
            """)
    }
}
