import Columns
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a run says as it goes: one event per stage start, progress tick, finish or failure.
public enum RunEvent: Sendable {
    case started(stage: String, kind: String)
    case progress(stage: String, rows: Int, bytes: Int, totalBytes: Int?)
    case skipped(stage: String, reason: String)
    case finished(StageReport)
    case failed(stage: String, error: String)
}

/// How progress is shown: a live display on a terminal, plain lines otherwise, or JSON lines
/// for another orchestrator to parse.
public enum ProgressStyle: String, Sendable {
    case auto, plain, json, none
}

/// Writes run events to standard error in the chosen style. Thread-safe: stages run concurrently.
public final class ProgressReporter: @unchecked Sendable {
    let style: ProgressStyle
    let lock = NSLock()
    let started = Date()
    var live: [String: (rows: Int, bytes: Int, total: Int?, since: Date)] = [:]
    var liveLines = 0
    let write: (String) -> Void

    public init(style: ProgressStyle, write: @escaping (String) -> Void = { text in
        var text = text
        text.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }) {
        if style == .auto {
            self.style = isatty(2) != 0 ? .auto : .plain
        } else {
            self.style = style
        }
        self.write = write
    }

    public func report(_ event: RunEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch style {
        case .none: return
        case .json: write(json(event) + "\n")
        case .plain: if let line = plain(event) { write(line + "\n") }
        case .auto: terminal(event)
        }
    }

    static func seconds(_ s: Double) -> String { String(format: "%.2f s", s) }

    func plain(_ event: RunEvent) -> String? {
        switch event {
        case .started(let stage, let kind): return "\(stage): started (\(kind))"
        case .progress: return nil
        case .skipped(let stage, let reason): return "\(stage): skipped (\(reason))"
        case .finished(let r):
            var line = "\(r.stage): \(r.status.rawValue) in \(Self.seconds(r.seconds)), \(r.rowsOut) rows"
            if r.rejected > 0 { line += ", \(r.rejected) rejected" }
            for c in r.checks where !c.passed { line += "\n  check \(c.check.description) [\(c.check.severity.rawValue)]: \(c.message)" }
            return line
        case .failed(let stage, let error): return "\(stage): failed: \(error)"
        }
    }

    /// A live block of one line per running stage, redrawn in place.
    func terminal(_ event: RunEvent) {
        var out = liveLines > 0 ? "\u{1B}[\(liveLines)A\u{1B}[J" : ""
        switch event {
        case .started(let stage, _): live[stage] = (0, 0, nil, Date())
        case .progress(let stage, let rows, let bytes, let total): live[stage] = (rows, bytes, total, live[stage]?.since ?? Date())
        case .skipped, .finished, .failed:
            let stage: String = switch event {
            case .skipped(let s, _): s
            case .finished(let r): r.stage
            case .failed(let s, _): s
            default: ""
            }
            live[stage] = nil
            if let line = plain(event) { out += line + "\n" }
        }
        liveLines = 0
        for (stage, p) in live.sorted(by: { $0.key < $1.key }) {
            let elapsed = max(0.001, Date().timeIntervalSince(p.since))
            var line = "  ▸ \(stage): \(p.rows) rows, \(p.bytes >> 20) MiB, \(Int(Double(p.rows) / elapsed)) rows/s"
            if let total = p.total, total > 0, p.bytes > 0 {
                let remaining = elapsed * Double(total - p.bytes) / Double(p.bytes)
                line += ", \(Int(100 * Double(p.bytes) / Double(total)))%, ETA \(Self.seconds(max(0, remaining)))"
            }
            out += line + "\n"
            liveLines += 1
        }
        write(out)
    }

    func json(_ event: RunEvent) -> String {
        var object: [String: Any] = ["time": ISO8601DateFormatter().string(from: Date())]
        switch event {
        case .started(let stage, let kind):
            object["event"] = "stage_started"; object["stage"] = stage; object["kind"] = kind
        case .progress(let stage, let rows, let bytes, let total):
            object["event"] = "stage_progress"; object["stage"] = stage; object["rows"] = rows; object["bytes"] = bytes
            if let total { object["total_bytes"] = total }
        case .skipped(let stage, let reason):
            object["event"] = "stage_skipped"; object["stage"] = stage; object["reason"] = reason
        case .finished(let r):
            object["event"] = r.status == .failed ? "stage_failed" : "stage_finished"
            object.merge(r.json) { a, _ in a }
        case .failed(let stage, let error):
            object["event"] = "stage_failed"; object["stage"] = stage; object["error"] = error
        }
        return Self.encode(object)
    }

    static func encode(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// What one stage did in one run: the run log's and the summary table's row.
public struct StageReport: Sendable {
    public enum Status: String, Sendable { case ran, skipped, failed, notRun = "not_run" }
    public var stage: String
    public var kind: String
    public var status: Status
    public var rowsIn = 0
    public var rowsOut = 0
    public var rejected = 0
    public var bytes = 0
    public var seconds = 0.0
    public var peakMemory = 0
    public var spilledBytes = 0
    public var checks: [CheckResult] = []
    public var error: String?

    public init(stage: String, kind: String, status: Status) {
        self.stage = stage
        self.kind = kind
        self.status = status
    }

    var json: [String: Any] {
        var o: [String: Any] = ["stage": stage, "kind": kind, "status": status.rawValue, "rows_in": rowsIn, "rows_out": rowsOut,
                                "rejected": rejected, "bytes": bytes, "seconds": (seconds * 1000).rounded() / 1000,
                                "peak_memory": peakMemory, "spilled_bytes": spilledBytes]
        if !checks.isEmpty {
            o["checks"] = checks.map { c -> [String: Any] in
                ["check": c.check.description, "severity": c.check.severity.rawValue, "passed": c.passed, "failing": c.failing,
                 "message": c.message, "sample": c.sample]
            }
        }
        if let error { o["error"] = error }
        return o
    }
}
