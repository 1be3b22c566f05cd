"""One `baton stage` process: Arrow record batches in, Arrow record batches out.

stdin is fed from a thread while the caller reads stdout, so neither pipe can fill up and stall
the other; stderr is collected and raised with the exit code if the process fails.
"""
import os
import shutil
import subprocess
import threading

import pyarrow as pa
import pyarrow.ipc as ipc


def find_baton(path=None):
    """The baton executable: `path`, $BATON, or `baton` on PATH."""
    candidate = path or os.environ.get("BATON") or shutil.which("baton")
    if not candidate or not os.path.exists(candidate):
        raise FileNotFoundError("baton executable not found: pass baton_path=, set $BATON, or put baton on PATH")
    return candidate


class BatonStageError(RuntimeError):
    pass


class BatonStage:
    """Runs `baton stage SQL` over an iterator of record batches sharing `input_schema`."""

    def __init__(self, sql, baton_path=None, extra_args=()):
        self.sql = sql
        self.baton = find_baton(baton_path)
        self.extra_args = list(extra_args)
        #: The schema of the last run's output stream (known once its first message is read).
        self.output_schema = None

    def run(self, batches, input_schema):
        """Yields the output record batches. An empty `batches` still sends the schema, so the
        process sees an empty table with the right columns."""
        if not os.access(self.baton, os.X_OK):
            os.chmod(self.baton, 0o755)
        process = subprocess.Popen([self.baton, "stage", self.sql, *self.extra_args],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        failure = []
        stderr = []

        def feed():
            try:
                with ipc.new_stream(process.stdin, input_schema) as writer:
                    for batch in batches:
                        writer.write_batch(batch)
            except BrokenPipeError:
                pass  # baton stopped early (an error it reports itself, or a LIMIT)
            except BaseException as error:  # noqa: BLE001 - re-raised in the reading thread
                failure.append(error)
            finally:
                try:
                    process.stdin.close()
                except BrokenPipeError:
                    pass

        def drain():
            stderr.append(process.stderr.read())

        feeder = threading.Thread(target=feed, daemon=True)
        errors = threading.Thread(target=drain, daemon=True)
        feeder.start()
        errors.start()
        try:
            reader = ipc.open_stream(process.stdout)
            self.output_schema = reader.schema
            for batch in reader:
                yield batch
        except pa.ArrowInvalid:
            pass  # no output at all: the exit status below says why
        finally:
            # Closing stdout first matters when the consumer stops early: baton then sees a
            # closed pipe and exits, which in turn unblocks the feeder.
            process.stdout.close()
            feeder.join()
            status = process.wait()
            errors.join()
        if failure:
            raise failure[0]
        if status != 0:
            message = b"".join(stderr).decode(errors="replace").strip()
            raise BatonStageError(f"baton stage exited with status {status}: {message}")


def run_stage(table, sql, baton_path=None):
    """A whole pyarrow Table through one process; returns a Table (empty with the query's
    schema when no row comes out)."""
    stage = BatonStage(sql, baton_path)
    batches = list(stage.run(iter(table.to_batches()), table.schema))
    return pa.Table.from_batches(batches, schema=stage.output_schema)


def conform(batch, schema):
    """`batch` with the types of `schema`: dictionaries decoded, timestamps given the zone the
    consumer declares (Baton's are UTC instants), integers and floats cast as declared."""
    arrays = []
    for field in schema:
        column = batch.column(batch.schema.get_field_index(field.name))
        if pa.types.is_dictionary(column.type) and not pa.types.is_dictionary(field.type):
            column = column.dictionary_decode()
        if column.type != field.type:
            column = column.cast(field.type)
        arrays.append(column)
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
