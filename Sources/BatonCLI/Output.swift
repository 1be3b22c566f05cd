import ArgumentParser
import Arrow
import CSV
import Columns
import Storage
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Where text output goes: stdout, or a file written atomically.
enum Output {
    static func standardError(_ text: String) {
        var text = text
        text.withUTF8 { _ = try? FileDescriptor.standardError.writeAll(UnsafeRawBufferPointer($0)) }
    }

    /// A sink that writes to stdout. A closed pipe (`baton cat … | head`) ends the process
    /// quietly with status 0, as Unix filters do.
    static func standardOutput() -> TextSink {
        TextSink { (bytes) throws(BatonError) in
            do {
                _ = try FileDescriptor.standardOutput.writeAll(bytes)
            } catch Errno.brokenPipe {
                exit(0)
            } catch {
                throw BatonError(.io, "cannot write to standard output: \(error)")
            }
        }
    }

    /// A sink into a file that appears under `path` only once `commit` runs.
    static func file(_ file: AtomicOutputFile) -> TextSink {
        TextSink { (bytes) throws(BatonError) in try file.write(bytes) }
    }
}

/// The formats `cat`, `convert` and `generate` write: text, or an Arrow IPC stream (the IPC
/// file format when the output is a file named .arrow or .feather).
enum TextFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, jsonl, arrow
}

/// The Arrow layout for an output path: the IPC file format (Feather v2) for a named file,
/// except `.arrows` (the stream-file convention); a stream for stdout.
func arrowLayout(path: String) -> ArrowWriter.Format {
    path == "-" || path.lowercased().hasSuffix(".arrows") ? .stream : .file
}

/// A `TextSink` a class can share with the Arrow writer's byte callback.
final class SinkBox {
    var sink: TextSink
    init(_ sink: TextSink) { self.sink = sink }
}

/// One writer over either text format, so commands handle both with one code path.
enum TextWriter {
    case csv(CSVWriter)
    case jsonl(JSONLinesWriter)
    case arrow(ArrowWriter, SinkBox)

    init(_ format: TextFormat, schema: Schema, sink: TextSink, csv options: CSVWriteOptions = CSVWriteOptions(),
         arrow: ArrowWriter.Format = .stream, arrowOptions: ArrowWriteOptions = ArrowWriteOptions()) {
        switch format {
        case .csv: self = .csv(CSVWriter(schema: schema, options: options, sink: sink))
        case .jsonl: self = .jsonl(JSONLinesWriter(schema: schema, sink: sink))
        case .arrow:
            let box = SinkBox(sink)
            let writer = ArrowWriter(schema: schema, format: arrow, options: arrowOptions) { (bytes) throws(BatonError) in
                box.sink.bytes(bytes)
                try box.sink.flushIfFull()
            }
            self = .arrow(writer, box)
        }
    }

    mutating func write(_ batch: Batch) throws(BatonError) {
        switch self {
        case .csv(var w): try w.write(batch); self = .csv(w)
        case .jsonl(var w): try w.write(batch); self = .jsonl(w)
        case .arrow(let w, let box):
            // A batch goes out whole and at once: a consumer on a pipe (Spark, Dask) starts on it
            // while the next is computed.
            try w.write(batch)
            try box.sink.flushNow()
        }
    }

    mutating func finish() throws(BatonError) {
        switch self {
        case .csv(var w): try w.finish(); self = .csv(w)
        case .jsonl(var w): try w.finish(); self = .jsonl(w)
        case .arrow(let w, let box):
            try w.finish()
            try box.sink.flushNow()
        }
    }
}

/// Removes temporary output files when the process is interrupted, so Ctrl-C or a SIGTERM
/// from an orchestrator leaves neither a partial output nor a stray temporary file.
enum Signals {
    static func install() {
        signal(SIGPIPE, SIG_IGN)
        // A parent may spawn us with these blocked (threads of Dispatch block them, and a
        // child inherits its spawner's mask); unblock them or Ctrl-C and SIGTERM never arrive.
        var set = sigset_t()
        sigemptyset(&set)
        for sig in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, sig) }
        sigprocmask(SIG_UNBLOCK, &set, nil)
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { received in
                TemporaryFiles.shared.removeAllNow()
                _exit(128 + received)
            }
        }
    }
}
