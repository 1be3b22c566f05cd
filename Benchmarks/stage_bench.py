"""baton stage throughput, and a PySpark job with and without Baton (see stage.sh).

1. An Arrow IPC stream of ROWS rows (id int64, v float64, name dictionary<utf8>, day timestamp)
   in record batches of 64Ki rows, piped through
   `baton stage "SELECT id, v * 2 AS v2, upper(name) AS name, day FROM input WHERE v > 0.5"`
   to /dev/null: fastest of 3, as rows/s and MB/s of input.
2. The same transformation in a local PySpark session over SPARK_ROWS rows, written to Spark's
   `noop` sink: through baton_spark.map_in_arrow, then in PySpark alone; fastest of 3 each.
"""
import argparse
import os
import subprocess
import sys
import time

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))

SQL = "SELECT id, v * 2 AS v2, upper(name) AS name, day FROM input WHERE v > 0.5"


def stream_file(path, rows):
    if os.path.exists(path):
        return
    names = pa.array([f"key{i:03d}" for i in range(500)]).dictionary_encode()
    schema = pa.schema([("id", pa.int64()), ("v", pa.float64()),
                        ("name", pa.dictionary(pa.int32(), pa.string())), ("day", pa.timestamp("us"))])
    step = 1 << 16
    with open(path + ".tmp", "wb") as out, ipc.new_stream(out, schema) as writer:
        for start in range(0, rows, step):
            n = min(step, rows - start)
            ids = pa.array(range(start, start + n), pa.int64())
            v = pc.divide(pc.cast(pc.bit_wise_and(pc.multiply(ids, 2654435761), 0xFFFF), pa.float64()), 65535.0)
            codes = pc.cast(pc.bit_wise_and(ids, 511), pa.int32())
            codes = pc.if_else(pc.less(codes, 500), codes, 0)
            name = pa.DictionaryArray.from_arrays(codes, names.dictionary)
            day = pc.cast(pc.add(pc.multiply(ids, 1000), 1_700_000_000_000_000), pa.timestamp("us"))
            writer.write_batch(pa.record_batch([ids, v, name, day], schema=schema))
    os.rename(path + ".tmp", path)


def fastest(runs, body):
    best = None
    for _ in range(runs):
        start = time.perf_counter()
        body()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best


def stage_throughput(baton, path, rows):
    size = os.path.getsize(path)

    def run():
        with open(path, "rb") as source, open(os.devnull, "wb") as sink:
            subprocess.run([baton, "stage", SQL], stdin=source, stdout=sink, check=True)

    seconds = fastest(3, run)
    print(f"baton stage: {rows:,} rows, {size / 1e6:.0f} MB of Arrow IPC in {seconds:.2f} s: "
          f"{rows / seconds / 1e6:.2f} M rows/s, {size / seconds / 1e6:.0f} MB/s")


def spark_comparison(baton, rows):
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    from baton_spark import map_in_arrow

    spark = (SparkSession.builder.master("local[*]").appName("baton-stage-bench")
             .config("spark.sql.session.timeZone", "UTC").config("spark.ui.showConsoleProgress", "false")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        df = (spark.range(0, rows, 1, numPartitions=spark.sparkContext.defaultParallelism * 2)
              .withColumn("v", (F.col("id") * 2654435761 % 65536) / 65535.0)
              .withColumn("name", F.format_string("key%03d", F.col("id") % 500))
              .withColumn("day", F.timestamp_micros(F.col("id") * 1000 + 1_700_000_000_000_000)))
        df.cache().count()
        staged = map_in_arrow(df, SQL, "id long, v2 double, name string, day timestamp", baton_path=baton)
        alone = df.where(F.col("v") > 0.5).select("id", (F.col("v") * 2).alias("v2"), F.upper("name").alias("name"), "day")
        with_baton = fastest(3, lambda: staged.write.format("noop").mode("overwrite").save())
        spark_only = fastest(3, lambda: alone.write.format("noop").mode("overwrite").save())
    finally:
        spark.stop()
    print(f"pyspark local[*], {rows:,} rows: through baton stage (mapInArrow) {with_baton:.2f} s, "
          f"PySpark alone {spark_only:.2f} s ({with_baton / spark_only:.1f}x)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--baton", required=True)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--spark-rows", type=int, default=10_000_000)
    parser.add_argument("--data", default="../data/bench")
    args = parser.parse_args()
    os.makedirs(args.data, exist_ok=True)
    path = os.path.join(args.data, f"stage-{args.rows}.arrows")
    stream_file(path, args.rows)
    stage_throughput(args.baton, path, args.rows)
    if args.spark_rows > 0:
        spark_comparison(args.baton, args.spark_rows)


if __name__ == "__main__":
    main()
