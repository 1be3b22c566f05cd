"""A Baton stage through PySpark's mapInArrow (local mode) on a million rows, empty partitions
among them, checked against the same query run by Baton alone over the whole data."""
import os
import subprocess
import sys
import tempfile

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402
from baton_spark import map_in_arrow  # noqa: E402

BATON = os.environ.get("BATON", ".build/debug/baton")
ROWS = 1_000_000
QUERY = "SELECT id, v * 2 AS v2, upper(name) AS name, day FROM {} WHERE v > 25.0 AND name <> 'k3'"
OUTPUT = "id long, v2 double, name string, day timestamp"


def main():
    # Workers run this interpreter (the venv with pyarrow), not whatever python3 is on PATH.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    spark = (SparkSession.builder.master("local[2]").appName("baton-stage-test")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.execution.arrow.maxRecordsPerBatch", "20000")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        df = (spark.range(0, ROWS, 1, numPartitions=10)
              .withColumn("v", F.when(F.col("id") % 97 == 0, None).otherwise((F.col("id") * 7919 % 1000) / 10.0))
              .withColumn("name", F.concat(F.lit("k"), (F.col("id") % 7).cast("string")))
              .withColumn("day", F.timestamp_seconds(F.lit(1_704_067_200) + F.col("id") % 1000)))
        # Partitions 2 and 7 lose every row but stay in the plan: empty partitions.
        df = df.where(~F.spark_partition_id().isin(2, 7))
        staged = map_in_arrow(df, QUERY.format("input"), OUTPUT, baton_path=BATON).toArrow()
        whole = df.toArrow()
        partitions = df.rdd.getNumPartitions()
    finally:
        spark.stop()

    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "all.arrow")
        feather.write_feather(whole, path)
        out = subprocess.run([BATON, "query", QUERY.format(f"'{path}'"), "--format", "arrow"],
                             capture_output=True, check=True).stdout
    alone = ipc.open_stream(pa.BufferReader(out)).read_all()

    def rows(table):
        table = table.sort_by("id")
        return [table[c].to_pylist() if not pa.types.is_timestamp(table[c].type) else
                table[c].cast(pa.int64()).to_pylist() for c in ["id", "v2", "name", "day"]]

    staged_rows, alone_rows = rows(staged), rows(alone.cast(pa.schema([
        ("id", pa.int64()), ("v2", pa.float64()), ("name", pa.string()), ("day", pa.timestamp("us", tz="UTC"))])))
    problems = []
    if staged.num_rows != alone.num_rows:
        problems.append(f"{staged.num_rows} rows through Spark, {alone.num_rows} from Baton alone")
    for name, a, b in zip(["id", "v2", "name", "day"], staged_rows, alone_rows):
        if a != b:
            problems.append(f"column {name} differs")
    if problems:
        print("spark stage: FAIL: " + "; ".join(problems), file=sys.stderr)
        return 1
    print(f"spark stage: {staged.num_rows} rows from {partitions} partitions (2 empty) match Baton alone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
