import Arrow
import CSV
import Columns
import Foundation
import Storage
#if canImport(Glibc)
import Glibc
#endif

/// A sink's output written under a temporary name beside its target, renamed into place only
/// when the whole run has succeeded, so a failed run leaves the previous outputs as they were.
final class PendingSink: @unchecked Sendable {
    let stage: String
    let spec: SinkSpec
    /// The final path (a file, or a directory for partitioned output); `-` for stdout.
    let target: String
    /// Where this run writes: beside the target (same file system, so the rename is atomic),
    /// or in the workspace for standard output.
    let temporary: String
    var fingerprint = ""

    init(stage: String, spec: SinkSpec, target: String, runID: String, workspace: Workspace) {
        self.stage = stage
        self.spec = spec
        self.target = target
        if target == "-" {
            temporary = "\(workspace.directory)/stdout-\(stage)-\(runID).\(spec.format.rawValue)"
        } else {
            let trimmed = target.hasSuffix("/") ? String(target.dropLast()) : target
            let slash = trimmed.lastIndex(of: "/")
            let directory = slash.map { String(trimmed[...$0]) } ?? ""
            let name = slash.map { String(trimmed[trimmed.index(after: $0)...]) } ?? trimmed
            temporary = "\(directory).\(name).pending-\(runID)"
        }
    }

    var finalPath: String { target.hasSuffix("/") ? String(target.dropLast()) : target }

    /// Writes the table at `input` (a Baton file); returns rows and bytes written.
    func write(from input: String, table: String, threads: Int) throws(BatonError) -> (Int, Int) {
        let parent = (finalPath as NSString).deletingLastPathComponent
        if target != "-" && !parent.isEmpty {
            do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
                throw BatonError(.io, "cannot create the directory: \(error.localizedDescription)", at: .init(file: parent))
            }
        }
        let reader = try BatonReader(path: input)
        if let column = spec.partitionBy {
            return try writePartitioned(reader, column: column, threads: threads)
        }
        let writer = try FileWriter(path: temporary, schema: reader.schema, spec: spec, threads: threads)
        do throws(BatonError) {
            let summary = try reader.scan(threads: threads) { (batch) throws(BatonError) in try writer.write(batch) }
            let bytes = try writer.finish()
            return (summary.rowsReturned, bytes)
        } catch {
            writer.abort()
            throw error
        }
    }

    /// One file per value of `column`, named `column=value.ext`, in a directory.
    func writePartitioned(_ reader: BatonReader, column: String, threads: Int) throws(BatonError) -> (Int, Int) {
        guard let index = reader.schema.names.firstIndex(of: column) else {
            throw BatonError(.invalidInput, "no column \(column) to partition by", at: .init(file: spec.path))
        }
        try? FileManager.default.removeItem(atPath: temporary)
        do { try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true) } catch {
            throw BatonError(.io, "cannot create the directory: \(error.localizedDescription)", at: .init(file: temporary))
        }
        var writers: [String: FileWriter] = [:]
        var rows = 0
        do throws(BatonError) {
            _ = try reader.scan(threads: threads) { (batch) throws(BatonError) in
                let (order, groups) = Self.partition(batch, column: index)
                for key in order {
                    if writers[key] == nil {
                        writers[key] = try FileWriter(path: "\(temporary)/\(column)=\(key).\(spec.format.rawValue)", schema: reader.schema,
                                                      spec: spec, threads: threads)
                    }
                    try writers[key]!.write(batch.narrowed(to: SelectionVector(groups[key]!)))
                }
                rows += batch.count
            }
            var bytes = 0
            for key in writers.keys.sorted() { bytes += try writers[key]!.finish() }
            return (rows, bytes)
        } catch {
            for writer in writers.values { writer.abort() }
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// The live rows of `batch` grouped by their value in `column`, as file-name keys in
    /// order of first appearance. Dictionary-encoded strings are grouped by code (one name per
    /// distinct value); other types go value by value.
    static func partition(_ batch: Batch, column index: Int) -> ([String], [String: [UInt32]]) {
        var groups: [String: [UInt32]] = [:]
        var order: [String] = []
        let keys = batch.columns[index]
        let physical = batch.selection?.indices
        if case .dictionary(let codes, let values) = keys.storage {
            var byCode = [[UInt32]](repeating: [], count: values.count)
            var nulls: [UInt32] = []
            var firstSeen: [Int] = []
            for r in 0..<batch.count {
                let row = physical.map { Int($0[r]) } ?? r
                if keys.isNull(row) {
                    if nulls.isEmpty { firstSeen.append(-1) }
                    nulls.append(UInt32(r))
                    continue
                }
                let code = Int(codes[row])
                if byCode[code].isEmpty { firstSeen.append(code) }
                byCode[code].append(UInt32(r))
            }
            for code in firstSeen {
                let key = code < 0 ? "__null__" : fileName(values[code])
                if groups[key] == nil { order.append(key) }
                groups[key, default: []] += code < 0 ? nulls : byCode[code]
            }
            return (order, groups)
        }
        for r in 0..<batch.count {
            let row = physical.map { Int($0[r]) } ?? r
            let value = keys.value(at: row)
            let key = value.isNull ? "__null__" : fileName(value.description)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(UInt32(r))
        }
        return (order, groups)
    }

    static func fileName(_ value: String) -> String {
        if value.isEmpty { return "__empty__" }
        return String(value.map { $0 == "/" || $0 == "\0" ? "_" : $0 })
    }

    /// Moves the output into place (or copies it to standard output).
    func commit() throws(BatonError) {
        if target == "-" {
            guard let data = FileManager.default.contents(atPath: temporary) else {
                throw BatonError(.io, "the output of sink \(stage) is gone", at: .init(file: temporary))
            }
            data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(1, raw.baseAddress! + offset, raw.count - offset)
                    if n <= 0 { break }
                    offset += n
                }
            }
            unlink(temporary)
            return
        }
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: finalPath, isDirectory: &isDirectory)
        if spec.partitionBy != nil && exists {
            // A directory cannot be replaced by one rename: set the old one aside first.
            let old = temporary + ".old"
            guard rename(finalPath, old) == 0 else {
                throw BatonError(.io, "cannot move the previous output aside: \(String(cString: strerror(errno)))", at: .init(file: finalPath))
            }
            guard rename(temporary, finalPath) == 0 else {
                _ = rename(old, finalPath)
                throw BatonError(.io, "cannot rename the output into place: \(String(cString: strerror(errno)))", at: .init(file: finalPath))
            }
            try? FileManager.default.removeItem(atPath: old)
            return
        }
        guard rename(temporary, finalPath) == 0 else {
            throw BatonError(.io, "cannot rename the output into place: \(String(cString: strerror(errno)))", at: .init(file: finalPath),
                             hint: isDirectory.boolValue ? "a directory has that name" : nil)
        }
    }

    func discard() {
        try? FileManager.default.removeItem(atPath: temporary)
    }
}

/// A CSV, JSON lines or Baton file writer behind one interface.
final class FileWriter {
    enum Kind {
        case baton(BatonWriter)
        case csv(CSVWriter, AtomicOutputFile)
        case jsonl(JSONLinesWriter, AtomicOutputFile)
        case arrow(ArrowWriter, AtomicOutputFile)
    }

    var kind: Kind

    init(path: String, schema: Schema, spec: SinkSpec, threads: Int) throws(BatonError) {
        switch spec.format {
        case .baton:
            kind = .baton(try BatonWriter(path: path, schema: schema, options: WriteOptions(threads: threads)))
        case .arrow, .feather, .arrows:
            // An IPC file, except on stdout or for streams (.arrows): a stream.
            let file = try AtomicOutputFile(path: path)
            let stream = spec.format == .arrows || spec.path == "-" || spec.path.lowercased().hasSuffix(".arrows")
            kind = .arrow(ArrowWriter(schema: schema, format: stream ? .stream : .file) { (bytes) throws(BatonError) in try file.write(bytes) }, file)
        case .csv, .jsonl:
            let file = try AtomicOutputFile(path: path)
            let sink = TextSink { (bytes) throws(BatonError) in try file.write(bytes) }
            if spec.format == .csv {
                var options = CSVWriteOptions()
                options.delimiter = spec.delimiter
                options.header = spec.header
                options.nullString = spec.nullString
                kind = .csv(CSVWriter(schema: schema, options: options, sink: sink), file)
            } else {
                kind = .jsonl(JSONLinesWriter(schema: schema, sink: sink), file)
            }
        }
    }

    func write(_ batch: Batch) throws(BatonError) {
        switch kind {
        case .baton(let w): try w.write(batch)
        case .csv(var w, let f): try w.write(batch); kind = .csv(w, f)
        case .jsonl(var w, let f): try w.write(batch); kind = .jsonl(w, f)
        case .arrow(let w, _): try w.write(batch)
        }
    }

    /// Completes the file; returns its size.
    func finish() throws(BatonError) -> Int {
        switch kind {
        case .baton(let w): return try w.finish().fileBytes
        case .csv(var w, let f):
            try w.finish()
            try f.commit()
            return Workspace.status(f.path)?.size ?? 0
        case .jsonl(var w, let f):
            try w.finish()
            try f.commit()
            return Workspace.status(f.path)?.size ?? 0
        case .arrow(let w, let f):
            try w.finish()
            try f.commit()
            return Workspace.status(f.path)?.size ?? 0
        }
    }

    func abort() {
        switch kind {
        case .baton(let w): w.abort()
        case .csv(_, let f): f.abort()
        case .jsonl(_, let f): f.abort()
        case .arrow(_, let f): f.abort()
        }
    }
}
