"""PySpark: `DataFrame.mapInArrow` with one `baton stage` process per partition."""
import os

from .stage import BatonStage, conform, find_baton


def map_in_arrow(df, sql, schema, baton_path=None):
    """Runs `sql` (over the table `input`) on every partition of `df`; returns a DataFrame of
    `schema` (a Spark StructType or DDL string such as "id long, total double"), which the user
    must declare: it is what the query outputs, with Spark's names and types.

    The baton binary is shipped to the executors with SparkContext.addFile; it must be built for
    their platform (a static build, `swift build -c release --static-swift-stdlib`, runs without
    the Swift toolchain; liblz4 and libzstd must be installed).
    """
    from pyspark import SparkFiles
    from pyspark.sql.pandas.types import to_arrow_schema
    from pyspark.sql.types import StructType, _parse_datatype_string

    # Executors need pyarrow (mapInArrow does) but not this package: its code goes by value.
    try:
        from pyspark import cloudpickle
        from . import stage as stage_module

        cloudpickle.register_pickle_by_value(stage_module)
    except (ImportError, AttributeError):
        pass  # an old cloudpickle: the executors must have baton_spark installed

    baton = find_baton(baton_path)
    session = df.sparkSession
    session.sparkContext.addFile(baton)
    name = os.path.basename(baton)
    output = schema if isinstance(schema, StructType) else _parse_datatype_string(schema)
    timezone = session.conf.get("spark.sql.session.timeZone")
    input_arrow = _arrow_schema(to_arrow_schema, df.schema, timezone)
    output_arrow = _arrow_schema(to_arrow_schema, output, timezone)

    def partition(batches):
        stage = BatonStage(sql, SparkFiles.get(name))
        for batch in stage.run(batches, input_arrow):
            yield conform(batch, output_arrow)

    return df.mapInArrow(partition, output)


def _arrow_schema(to_arrow_schema, struct, timezone):
    """Spark 4 takes the session time zone; Spark 3 always says UTC, which the data then is not."""
    try:
        return to_arrow_schema(struct, timezone=timezone)
    except TypeError:
        return _with_timezone(to_arrow_schema(struct), timezone)


def _with_timezone(schema, timezone):
    """Spark hands timestamps over as timestamp[us, tz=session zone]."""
    import pyarrow as pa

    fields = []
    for field in schema:
        if pa.types.is_timestamp(field.type) and field.type.tz is not None:
            field = field.with_type(pa.timestamp("us", tz=timezone))
        fields.append(field)
    return pa.schema(fields)
