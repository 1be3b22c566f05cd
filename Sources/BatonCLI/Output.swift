import ArgumentParser
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

/// The text formats `cat` and `generate` write.
enum TextFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, jsonl
}

/// One writer over either text format, so commands handle both with one code path.
enum TextWriter {
    case csv(CSVWriter)
    case jsonl(JSONLinesWriter)

    init(_ format: TextFormat, schema: Schema, sink: TextSink, csv options: CSVWriteOptions = CSVWriteOptions()) {
        switch format {
        case .csv: self = .csv(CSVWriter(schema: schema, options: options, sink: sink))
        case .jsonl: self = .jsonl(JSONLinesWriter(schema: schema, sink: sink))
        }
    }

    mutating func write(_ batch: Batch) throws(BatonError) {
        switch self {
        case .csv(var w): try w.write(batch); self = .csv(w)
        case .jsonl(var w): try w.write(batch); self = .jsonl(w)
        }
    }

    mutating func finish() throws(BatonError) {
        switch self {
        case .csv(var w): try w.finish(); self = .csv(w)
        case .jsonl(var w): try w.finish(); self = .jsonl(w)
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
