"""Checks Baton's query answers against DuckDB's (driven by check_queries.sh).

Each query runs once in Baton (`baton query`, CSV on stdout) and once in DuckDB over the same
files. DuckDB's column types decide how Baton's text is read back: integers, strings and dates
must match exactly, floats within a relative tolerance of 1e-9 (math.isclose), or 1e-12 apart
near zero: a result that is exactly 0, such as q9's r2 for a group where v1 and v2 are
uncorrelated, comes out of either engine as rounding noise (4e-37 against 6e-34). Rows are
compared as multisets (both sides sorted) unless the query's ORDER BY fixes the order. One line
per query; exit status 1 if any query failed.
"""

import argparse
import csv
import datetime
import decimal
import io
import math
import os
import subprocess
import sys
import time

import duckdb

NULL = "\\N"  # --output-null for Baton, so a null is told apart from an empty string
REL_TOL = 1e-9
ABS_TOL = 1e-12

# The db-benchmark group-by questions in DuckDB's SQL; `x` is the table.
H2O = [
    ("q1", "SELECT id1, sum(v1) AS v1 FROM x GROUP BY id1"),
    ("q2", "SELECT id1, id2, sum(v1) AS v1 FROM x GROUP BY id1, id2"),
    ("q3", "SELECT id3, sum(v1) AS v1, avg(v3) AS v3 FROM x GROUP BY id3"),
    ("q4", "SELECT id4, avg(v1) AS v1, avg(v2) AS v2, avg(v3) AS v3 FROM x GROUP BY id4"),
    ("q5", "SELECT id6, sum(v1) AS v1, sum(v2) AS v2, sum(v3) AS v3 FROM x GROUP BY id6"),
    ("q6", "SELECT id4, id5, median(v3) AS median_v3, stddev(v3) AS sd_v3 FROM x GROUP BY id4, id5"),
    ("q7", "SELECT id3, max(v1) - min(v2) AS range_v1_v2 FROM x GROUP BY id3"),
    ("q8", "SELECT id6, v3 AS largest2_v3 FROM (SELECT id6, v3, row_number() OVER "
           "(PARTITION BY id6 ORDER BY v3 DESC) AS order_v3 FROM x WHERE v3 IS NOT NULL) "
           "sub_query WHERE order_v3 <= 2"),
    ("q9", "SELECT id2, id4, pow(corr(v1, v2), 2) AS r2_v1_v2 FROM x GROUP BY id2, id4"),
    ("q10", "SELECT id1, id2, id3, id4, id5, id6, sum(v3) AS v3, count(*) AS count "
            "FROM x GROUP BY id1, id2, id3, id4, id5, id6"),
]

# TPC-H in its standard text (comma joins); {table} marks where a table is named.
# The flag says whether ORDER BY fixes the row order (then rows are compared in order).
TPCH = [
    ("Q1", True, """
select l_returnflag, l_linestatus,
       sum(l_quantity) as sum_qty,
       sum(l_extendedprice) as sum_base_price,
       sum(l_extendedprice * (1 - l_discount)) as sum_disc_price,
       sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) as sum_charge,
       avg(l_quantity) as avg_qty,
       avg(l_extendedprice) as avg_price,
       avg(l_discount) as avg_disc,
       count(*) as count_order
from {lineitem}
where l_shipdate <= date '1998-12-01' - interval '90' day
group by l_returnflag, l_linestatus
order by l_returnflag, l_linestatus"""),
    ("Q3", True, """
select l_orderkey,
       sum(l_extendedprice * (1 - l_discount)) as revenue,
       o_orderdate, o_shippriority
from {customer}, {orders}, {lineitem}
where c_mktsegment = 'BUILDING'
  and c_custkey = o_custkey
  and l_orderkey = o_orderkey
  and o_orderdate < date '1995-03-15'
  and l_shipdate > date '1995-03-15'
group by l_orderkey, o_orderdate, o_shippriority
order by revenue desc, o_orderdate
limit 10"""),
    ("Q6", True, """
select sum(l_extendedprice * l_discount) as revenue
from {lineitem}
where l_shipdate >= date '1994-01-01'
  and l_shipdate < date '1994-01-01' + interval '1' year
  and l_discount between 0.06 - 0.01 and 0.06 + 0.01
  and l_quantity < 24"""),
    ("Q10", True, """
select c_custkey, c_name,
       sum(l_extendedprice * (1 - l_discount)) as revenue,
       c_acctbal, n_name, c_address, c_phone, c_comment
from {customer}, {orders}, {lineitem}, {nation}
where c_custkey = o_custkey
  and l_orderkey = o_orderkey
  and o_orderdate >= date '1993-10-01'
  and o_orderdate < date '1993-10-01' + interval '3' month
  and l_returnflag = 'R'
  and c_nationkey = n_nationkey
group by c_custkey, c_name, c_acctbal, c_phone, n_name, c_address, c_comment
order by revenue desc
limit 20"""),
]
TPCH_TABLES = ["customer", "orders", "lineitem", "nation"]


def sql_path(path):
    return "'" + path.replace("'", "''") + "'"


def kind_of(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, (float, decimal.Decimal)):
        return "float"
    if isinstance(value, datetime.date):
        return "date"
    return "str"


def column_kinds(rows, width):
    """The kind of each column, from the first non-null value DuckDB returned in it."""
    kinds = ["str"] * width
    for i in range(width):
        for row in rows:
            if row[i] is not None:
                kinds[i] = kind_of(row[i])
                break
    return kinds


def normalize(value, kind):
    """A DuckDB value in the form Baton's text is read into."""
    if value is None:
        return None
    if kind == "float":
        return float(value)
    if kind == "bool":
        return "true" if value else "false"
    if kind == "date":
        return value.isoformat()
    return value


def parse(text, kind):
    """Baton's CSV field as a value of the column's kind; the raw text if it does not parse."""
    if text == NULL:
        return None
    try:
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
        if kind == "bool":
            return text.lower()
        if kind == "date":
            return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        return ("unparsed", text)
    return text


def sort_key(row):
    # None first; numbers, strings and unparsed text apart, so that mixed kinds still sort.
    key = []
    for v in row:
        if v is None:
            key.append((0, 0))
        elif isinstance(v, tuple):
            key.append((3, v[1]))
        elif isinstance(v, str):
            key.append((2, v))
        elif isinstance(v, float) and math.isnan(v):
            key.append((1, math.inf, 1))
        else:
            key.append((1, v, 0))
    return key


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return type(a) is type(b) and a == b


def show(row):
    return "(" + ", ".join("NULL" if v is None else repr(v[1] if isinstance(v, tuple) else v) for v in row) + ")"


def compare(baton_text, duck_names, duck_rows, ordered):
    """None if the answers agree, else what differs first."""
    reader = csv.reader(io.StringIO(baton_text))
    header = next(reader, None)
    if header is None:
        return "baton printed nothing"
    if [h.lower() for h in header] != [n.lower() for n in duck_names]:
        return f"columns: baton {header} vs duckdb {duck_names}"
    kinds = column_kinds(duck_rows, len(duck_names))
    expected = [tuple(normalize(v, k) for v, k in zip(row, kinds)) for row in duck_rows]
    got = []
    for line, fields in enumerate(reader, start=2):
        if len(fields) != len(kinds):
            return f"output line {line} has {len(fields)} fields, expected {len(kinds)}: {fields}"
        got.append(tuple(parse(f, k) for f, k in zip(fields, kinds)))
    if not ordered:
        expected.sort(key=sort_key)
        got.sort(key=sort_key)
    for i, (g, e) in enumerate(zip(got, expected)):
        if not all(same(a, b) for a, b in zip(g, e)):
            where = f"row {i + 1}" + ("" if ordered else " (sorted)")
            return f"{where}: baton {show(g)} vs duckdb {show(e)}"
    if len(got) != len(expected):
        n = min(len(got), len(expected))
        extra = got[n] if len(got) > n else expected[n]
        side = "baton" if len(got) > n else "duckdb"
        return f"rows: baton {len(got)} vs duckdb {len(expected)}; first extra row ({side}): {show(extra)}"
    return None


def run_baton(baton, sql, threads):
    cmd = [baton, "query", sql, "--format", "csv", "--output-null", NULL, "--threads", str(threads)]
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return proc, time.monotonic() - start


def check(label, baton_sql, duck_sql, ordered, con, args):
    proc, seconds = run_baton(args.baton, baton_sql, args.threads)
    if proc.returncode != 0:
        message = (proc.stderr.strip().splitlines() or ["(no message)"])[0]
        print(f"FAIL {label}: baton exited {proc.returncode}: {message}", flush=True)
        return False
    cur = con.execute(duck_sql)
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    problem = compare(proc.stdout, names, rows, ordered)
    if problem:
        print(f"FAIL {label}: {problem}", flush=True)
        return False
    print(f"PASS {label}: {len(rows)} rows, baton {seconds:.2f}s", flush=True)
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baton", required=True)
    parser.add_argument("--groupby", required=True, help="the group-by CSV")
    parser.add_argument("--groupby-baton", help="the same rows as a .baton file (checked too)")
    parser.add_argument("--tpch", required=True, help="folder with customer/orders/lineitem/nation.csv")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    con.execute(f"CREATE VIEW x AS SELECT * FROM read_csv({sql_path(args.groupby)})")
    for t in TPCH_TABLES:
        con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_csv({sql_path(os.path.join(args.tpch, t + '.csv'))})")

    ok = True
    sources = [("csv", args.groupby)] + ([("baton", args.groupby_baton)] if args.groupby_baton else [])
    for source, path in sources:
        for name, sql in H2O:
            ok &= check(f"h2o-{name} ({source})", sql.replace("FROM x", f"FROM {sql_path(path)}"),
                        sql, False, con, args)
    for name, ordered, sql in TPCH:
        baton_sql = sql.format(**{t: f"{sql_path(os.path.join(args.tpch, t + '.csv'))} {t}" for t in TPCH_TABLES})
        ok &= check(f"tpch-{name}", baton_sql, sql.format(**{t: t for t in TPCH_TABLES}), ordered, con, args)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
