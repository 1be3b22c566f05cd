import Testing
import SQL

/// The queries of the benchmarks Baton is measured with, in their standard text.
@Suite struct BenchmarkQueryTests {
    /// db-benchmark (H2O.ai) group-by questions 1 to 10, as run against DuckDB.
    static let groupBy = [
        "SELECT id1, sum(v1) AS v1 FROM x GROUP BY id1",
        "SELECT id1, id2, sum(v1) AS v1 FROM x GROUP BY id1, id2",
        "SELECT id3, sum(v1) AS v1, avg(v3) AS v3 FROM x GROUP BY id3",
        "SELECT id4, avg(v1) AS v1, avg(v2) AS v2, avg(v3) AS v3 FROM x GROUP BY id4",
        "SELECT id6, sum(v1) AS v1, sum(v2) AS v2, sum(v3) AS v3 FROM x GROUP BY id6",
        "SELECT id4, id5, quantile_cont(v3, 0.5) AS median_v3, stddev(v3) AS sd_v3 FROM x GROUP BY id4, id5",
        "SELECT id3, max(v1)-min(v2) AS range_v1_v2 FROM x GROUP BY id3",
        """
        SELECT id6, v3 AS largest2_v3 FROM (SELECT id6, v3, row_number() OVER (PARTITION BY id6 ORDER BY v3 DESC) \
        AS order_v3 FROM x WHERE v3 IS NOT NULL) sub_query WHERE order_v3 <= 2
        """,
        "SELECT id2, id4, pow(corr(v1, v2), 2) AS r2 FROM x GROUP BY id2, id4",
        "SELECT id1, id2, id3, id4, id5, id6, sum(v3) AS v3, count(*) AS count FROM x GROUP BY id1, id2, id3, id4, id5, id6",
    ]

    @Test(arguments: groupBy.indices)
    func groupByQuestionParses(index: Int) throws {
        _ = try Parser.parse(Self.groupBy[index])
    }

    @Test func groupByTreesAreAsWritten() throws {
        #expect(try sql(Self.groupBy[6]) == "SELECT id3, (max(v1) - min(v2)) AS range_v1_v2 FROM x GROUP BY id3")
        #expect(try sql(Self.groupBy[7]) == """
            SELECT id6, v3 AS largest2_v3 FROM (SELECT id6, v3, row_number() OVER (PARTITION BY id6 ORDER BY v3 DESC) \
            AS order_v3 FROM x WHERE (v3 IS NOT NULL)) AS sub_query WHERE (order_v3 <= 2)
            """)
        #expect(try sql(Self.groupBy[8]) == "SELECT id2, id4, pow(corr(v1, v2), 2) AS r2 FROM x GROUP BY id2, id4")
    }

    static let tpchQ1 = """
        select
        \tl_returnflag,
        \tl_linestatus,
        \tsum(l_quantity) as sum_qty,
        \tsum(l_extendedprice) as sum_base_price,
        \tsum(l_extendedprice * (1 - l_discount)) as sum_disc_price,
        \tsum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) as sum_charge,
        \tavg(l_quantity) as avg_qty,
        \tavg(l_extendedprice) as avg_price,
        \tavg(l_discount) as avg_disc,
        \tcount(*) as count_order
        from
        \tlineitem
        where
        \tl_shipdate <= date '1998-12-01' - interval '90' day
        group by
        \tl_returnflag,
        \tl_linestatus
        order by
        \tl_returnflag,
        \tl_linestatus;
        """

    static let tpchQ3 = """
        select
        \tl_orderkey,
        \tsum(l_extendedprice * (1 - l_discount)) as revenue,
        \to_orderdate,
        \to_shippriority
        from
        \tcustomer,
        \torders,
        \tlineitem
        where
        \tc_mktsegment = 'BUILDING'
        \tand c_custkey = o_custkey
        \tand l_orderkey = o_orderkey
        \tand o_orderdate < date '1995-03-15'
        \tand l_shipdate > date '1995-03-15'
        group by
        \tl_orderkey,
        \to_orderdate,
        \to_shippriority
        order by
        \trevenue desc,
        \to_orderdate
        limit 10;
        """

    static let tpchQ6 = """
        select
        \tsum(l_extendedprice * l_discount) as revenue
        from
        \tlineitem
        where
        \tl_shipdate >= date '1994-01-01'
        \tand l_shipdate < date '1994-01-01' + interval '1' year
        \tand l_discount between .06 - 0.01 and .06 + 0.01
        \tand l_quantity < 24;
        """

    static let tpchQ10 = """
        select
        \tc_custkey,
        \tc_name,
        \tsum(l_extendedprice * (1 - l_discount)) as revenue,
        \tc_acctbal,
        \tn_name,
        \tc_address,
        \tc_phone,
        \tc_comment
        from
        \tcustomer,
        \torders,
        \tlineitem,
        \tnation
        where
        \tc_custkey = o_custkey
        \tand l_orderkey = o_orderkey
        \tand o_orderdate >= date '1993-10-01'
        \tand o_orderdate < date '1993-10-01' + interval '3' month
        \tand l_returnflag = 'R'
        \tand c_nationkey = n_nationkey
        group by
        \tc_custkey,
        \tc_name,
        \tc_acctbal,
        \tc_phone,
        \tn_name,
        \tc_address,
        \tc_comment
        order by
        \trevenue desc
        limit 20;
        """

    @Test func tpchQ1() throws {
        #expect(try sql(Self.tpchQ1) == """
            SELECT l_returnflag, l_linestatus, sum(l_quantity) AS sum_qty, sum(l_extendedprice) AS sum_base_price, \
            sum((l_extendedprice * (1 - l_discount))) AS sum_disc_price, \
            sum(((l_extendedprice * (1 - l_discount)) * (1 + l_tax))) AS sum_charge, avg(l_quantity) AS avg_qty, \
            avg(l_extendedprice) AS avg_price, avg(l_discount) AS avg_disc, count(*) AS count_order FROM lineitem \
            WHERE (l_shipdate <= (DATE '1998-12-01' - INTERVAL 90 day)) GROUP BY l_returnflag, l_linestatus \
            ORDER BY l_returnflag, l_linestatus
            """)
    }

    @Test func tpchQ3() throws {
        #expect(try sql(Self.tpchQ3) == """
            SELECT l_orderkey, sum((l_extendedprice * (1 - l_discount))) AS revenue, o_orderdate, o_shippriority \
            FROM ((customer CROSS JOIN orders) CROSS JOIN lineitem) \
            WHERE (((((c_mktsegment = 'BUILDING') AND (c_custkey = o_custkey)) AND (l_orderkey = o_orderkey)) \
            AND (o_orderdate < DATE '1995-03-15')) AND (l_shipdate > DATE '1995-03-15')) \
            GROUP BY l_orderkey, o_orderdate, o_shippriority ORDER BY revenue DESC, o_orderdate LIMIT 10
            """)
    }

    @Test func tpchQ6() throws {
        #expect(try sql(Self.tpchQ6) == """
            SELECT sum((l_extendedprice * l_discount)) AS revenue FROM lineitem \
            WHERE ((((l_shipdate >= DATE '1994-01-01') AND (l_shipdate < (DATE '1994-01-01' + INTERVAL 1 year))) \
            AND (l_discount BETWEEN (0.06 - 0.01) AND (0.06 + 0.01))) AND (l_quantity < 24))
            """)
    }

    @Test func tpchQ10() throws {
        #expect(try sql(Self.tpchQ10) == """
            SELECT c_custkey, c_name, sum((l_extendedprice * (1 - l_discount))) AS revenue, c_acctbal, n_name, \
            c_address, c_phone, c_comment FROM (((customer CROSS JOIN orders) CROSS JOIN lineitem) CROSS JOIN nation) \
            WHERE ((((((c_custkey = o_custkey) AND (l_orderkey = o_orderkey)) AND (o_orderdate >= DATE '1993-10-01')) \
            AND (o_orderdate < (DATE '1993-10-01' + INTERVAL 3 month))) AND (l_returnflag = 'R')) \
            AND (c_nationkey = n_nationkey)) \
            GROUP BY c_custkey, c_name, c_acctbal, c_phone, n_name, c_address, c_comment ORDER BY revenue DESC LIMIT 20
            """)
    }
}
