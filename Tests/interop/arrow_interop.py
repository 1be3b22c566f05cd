"""Baton against pyarrow: files and streams written by pyarrow (every type Baton maps, nulls,
dictionaries, each body compression) are read by `baton`, and what Baton writes is read back by
pyarrow and compared value for value.

Baton's mapping, which the expectations below encode: integers become int64, float32 float64,
large_utf8 utf8, timestamps microseconds (nanoseconds rounded toward minus infinity) without a
time zone (values are UTC instants), dictionaries stay dictionary<int32, utf8>.
"""
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather
import pyarrow.ipc as ipc

BATON = os.environ.get("BATON", ".build/debug/baton")
WORK = tempfile.mkdtemp(prefix="baton-interop-")
failures = []
checks = 0


def baton(*args, stdin=b""):
    done = subprocess.run([BATON, *args], input=stdin, capture_output=True)
    if done.returncode != 0:
        raise AssertionError(f"baton {' '.join(args)} exited {done.returncode}: {done.stderr.decode()}")
    return done.stdout


def check(name, condition, detail=""):
    global checks
    checks += 1
    if not condition:
        failures.append(f"{name}: {detail}")
        print(f"FAIL {name}: {detail}", file=sys.stderr)


def normalized(column):
    """Python values as Baton holds them: timestamps as UTC microseconds, dates as days."""
    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    t = column.type
    if pa.types.is_dictionary(t):
        column = column.cast(t.value_type)
        t = t.value_type
    if pa.types.is_timestamp(t):
        raw = column.view(pa.int64()) if hasattr(column, "view") else column.cast(pa.int64())
        factor = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": None}[t.unit]
        values = raw.to_pylist()
        if factor is None:
            return [None if v is None else v // 1000 for v in values]
        return [None if v is None else v * factor for v in values]
    if pa.types.is_date32(t):
        return column.view(pa.int32()).to_pylist()
    if pa.types.is_large_string(t):
        return column.cast(pa.string()).to_pylist()
    return column.to_pylist()


def source_table(rows=1000):
    """Every type with nulls; two string columns repeat enough to be dictionaries."""
    def nulls(values, every):
        return [None if i % every == 3 else v for i, v in enumerate(values)]

    n = rows
    base = dt.datetime(2024, 3, 1, 12, 30, 15, 123456)
    return pa.table({
        "i32": pa.array(nulls([(i * 7919) % 100000 - 50000 for i in range(n)], 5), pa.int32()),
        "i64": pa.array(nulls([i * 1_000_000_007 - 2**40 for i in range(n)], 7), pa.int64()),
        "f64": pa.array(nulls([i / 3 - 100.25 for i in range(n)], 6), pa.float64()),
        "flag": pa.array(nulls([i % 3 == 0 for i in range(n)], 4), pa.bool_()),
        "name": pa.array(nulls([f"name-{i}-é" if i % 11 else "" for i in range(n)], 9), pa.string()),
        "big": pa.array(nulls([f"large {i}" for i in range(n)], 8), pa.large_string()),
        "day": pa.array(nulls([dt.date(1969, 12, 25) + dt.timedelta(days=i) for i in range(n)], 10), pa.date32()),
        "ts": pa.array(nulls([base + dt.timedelta(seconds=37 * i) for i in range(n)], 12), pa.timestamp("us")),
        "ts_utc": pa.array(nulls([base + dt.timedelta(minutes=i) for i in range(n)], 13), pa.timestamp("us", tz="UTC")),
        "ts_ny_ms": pa.array(nulls([base + dt.timedelta(hours=i) for i in range(n)], 14), pa.timestamp("ms", tz="America/New_York")),
        "ts_ns": pa.array(nulls([1_700_000_000_123_456_789 + 1001 * i for i in range(n)], 15), pa.timestamp("ns")),
        "city": pa.array(nulls([["Oslo", "Lima", "Pune", "Kyiv"][i % 4] for i in range(n)], 6), pa.string()).dictionary_encode(),
        "code": pa.array(nulls([f"c{i % 3}" for i in range(n)], 5), pa.string()).dictionary_encode().cast(
            pa.dictionary(pa.int8(), pa.string())),
    })


def compare(name, expected, actual):
    check(f"{name}: columns", expected.column_names == actual.column_names,
          f"{expected.column_names} != {actual.column_names}")
    check(f"{name}: rows", expected.num_rows == actual.num_rows, f"{expected.num_rows} != {actual.num_rows}")
    for column in expected.column_names:
        if column not in actual.column_names:
            continue
        want, got = normalized(expected[column]), normalized(actual[column])
        diff = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b), None)
        check(f"{name}: column {column}", want == got,
              f"first difference at row {diff}: {want[diff] if diff is not None else ''!r} != {got[diff] if diff is not None else ''!r}")


def expected_types(table):
    """The Arrow types Baton writes back for each source column."""
    for field in table.schema:
        t = field.type
        if pa.types.is_dictionary(t):
            want = pa.dictionary(pa.int32(), pa.string())
        elif pa.types.is_integer(t):
            want = pa.int64()
        elif pa.types.is_large_string(t):
            want = pa.string()
        elif pa.types.is_timestamp(t):
            want = pa.timestamp("us")
        else:
            want = t
        yield field.name, want


def check_types(name, source, output, dictionaries=True):
    for column, want in expected_types(source):
        if not dictionaries and pa.types.is_dictionary(want):
            # With no batch to look at, Baton's schema does not know a column was encoded.
            want = pa.string()
        got = output.schema.field(column).type
        check(f"{name}: type of {column}", got == want, f"{got} != {want}")


def path(name):
    return os.path.join(WORK, name)


def read_stream(data):
    return ipc.open_stream(pa.BufferReader(data)).read_all()


def main():
    table = source_table()
    batches = table.to_batches(max_chunksize=300)

    for compression in [None, "lz4", "zstd"]:
        label = compression or "uncompressed"
        options = ipc.IpcWriteOptions(compression=compression, emit_dictionary_deltas=True)
        # An IPC file: pyarrow → baton convert → IPC file (and CSV) → pyarrow.
        with ipc.new_file(path(f"in-{label}.arrow"), table.schema, options=ipc.IpcWriteOptions(compression=compression)) as w:
            for b in batches:
                w.write_batch(b)
        for codec in ["none", "lz4", "zstd"]:
            baton("convert", path(f"in-{label}.arrow"), path(f"out-{label}-{codec}.arrow"), "--codec", codec)
            back = ipc.open_file(path(f"out-{label}-{codec}.arrow")).read_all()
            compare(f"file {label} -> baton file {codec}", table, back)
            check_types(f"file {label} -> baton file {codec}", table, back)

        # A stream with dictionary deltas (each batch adds values): through baton stage.
        sink = pa.BufferOutputStream()
        with ipc.new_stream(sink, table.schema, options=options) as w:
            for b in batches:
                w.write_batch(b)
        stream = sink.getvalue().to_pybytes()
        for codec in ["none", "lz4", "zstd"]:
            out = baton("stage", "SELECT * FROM input", "--codec", codec, stdin=stream)
            back = read_stream(out)
            compare(f"stream {label} -> baton stage {codec}", table, back)
            check_types(f"stream {label} -> baton stage {codec}", table, back)

    # Feather v2 with pyarrow's defaults (LZ4 compression), queried by name.
    feather.write_feather(table, path("in.feather"))
    out = baton("query", f"SELECT city, count(*) AS n, sum(i64) AS total FROM '{path('in.feather')}' "
                         "WHERE city IS NOT NULL GROUP BY city ORDER BY city", "--format", "arrow")
    got = read_stream(out)
    groups = {}
    for city, value in zip(normalized(table["city"]), table["i64"].to_pylist()):
        if city is not None:
            count, total = groups.get(city, (0, 0))
            groups[city] = (count + 1, total + (value or 0))
    want_rows = sorted((city, count, total) for city, (count, total) in groups.items())
    got_rows = list(zip(normalized(got["city"]), got["n"].to_pylist(), got["total"].to_pylist()))
    check("feather query group-by", got_rows == want_rows, f"{got_rows} != {want_rows}")

    # One record batch longer than a Baton batch (65,536 rows), as pyarrow writes a table.
    long = pa.table({"x": pa.array(range(150_000), pa.int64())})
    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, long.schema) as w:
        w.write_table(long)
    back = read_stream(baton("stage", "SELECT x, x * 2 AS y FROM input WHERE x % 3 = 0", stdin=sink.getvalue().to_pybytes()))
    check("long batch", back["x"].to_pylist() == list(range(0, 150_000, 3)) and
          back["y"].to_pylist() == [2 * v for v in range(0, 150_000, 3)])

    # Empty streams: a schema and no batches; a pipe with no bytes and a declared schema.
    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, table.schema):
        pass
    back = read_stream(baton("stage", "SELECT * FROM input", stdin=sink.getvalue().to_pybytes()))
    check("schema-only stream: rows", back.num_rows == 0, str(back.num_rows))
    check_types("schema-only stream", table, back, dictionaries=False)
    with open(path("schema.yaml"), "w") as f:
        f.write("columns:\n  - name: id\n    type: Int64\n  - name: name\n    type: String\n")
    back = read_stream(baton("stage", "SELECT id, name FROM input", "--schema", path("schema.yaml"), stdin=b""))
    check("no bytes with --schema", back.num_rows == 0 and back.schema.names == ["id", "name"]
          and back.schema.field("id").type == pa.int64(), str(back.schema))
    back = read_stream(baton("stage", "SELECT count(*) AS n FROM input", stdin=b""))
    check("no bytes, no schema, count(*)", back["n"].to_pylist() == [0], str(back.to_pylist()))

    # CSV on stdin to an Arrow stream, and Arrow to CSV.
    csv = b"id,name,when\n1,Ann,2024-01-02 03:04:05\n2,,\n3,Cid,1999-12-31 23:59:59.5\n"
    back = read_stream(baton("stage", "SELECT * FROM input", stdin=csv))
    check("csv stdin -> arrow", back.to_pylist() == [
        {"id": 1, "name": "Ann", "when": dt.datetime(2024, 1, 2, 3, 4, 5)},
        {"id": 2, "name": None, "when": None},
        {"id": 3, "name": "Cid", "when": dt.datetime(1999, 12, 31, 23, 59, 59, 500000)}], str(back.to_pylist()))
    text = baton("stage", f"SELECT name, day FROM input WHERE i64 = {1_000_000_007 - 2**40}", "--format", "csv", stdin=stream)
    check("arrow stdin -> csv", text.decode() == "name,day\nname-1-é,1969-12-26\n", repr(text.decode()))

    print(f"arrow interop: {checks - len(failures)} of {checks} checks passed")
    if not failures:
        shutil.rmtree(WORK)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
