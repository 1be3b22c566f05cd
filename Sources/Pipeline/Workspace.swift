import Columns
import Codecs
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The directory beside a pipeline where its runs keep their state:
///
/// ```
/// .baton/NAME/
///   lock          held (flock) by the run in progress
///   stages/S.baton each source's and transform's materialised output
///   state.tsv     stage, fingerprint, rows, output size: stages known complete
///   files.tsv     path, size, mtime, content hash: input files already hashed
///   pending.tsv   sink files written but not yet renamed into place
///   runs.jsonl    one JSON record per run (what `baton runs` lists)
/// ```
/// Every file but the log is replaced by rename, so a killed run leaves the previous state.
public final class Workspace: @unchecked Sendable {
    public let directory: String
    var lockDescriptor: Int32 = -1
    /// Stages finish on their own threads: the workspace's files are rewritten one at a time.
    private let files = NSLock()
    private var writes = 0

    public init(directory: String) throws(BatonError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory + "/stages", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: directory + "/rejects", withIntermediateDirectories: true)
        } catch {
            throw BatonError(.io, "cannot create the workspace: \(error.localizedDescription)", at: .init(file: directory))
        }
    }

    deinit { unlock() }

    public func output(_ stage: String) -> String { "\(directory)/stages/\(stage).baton" }

    // MARK: Lock

    /// Takes the workspace for this process, or fails at once if another run holds it.
    public func lock() throws(BatonError) {
        let path = directory + "/lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BatonError(.io, "cannot open the workspace lock", at: .init(file: path)) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buffer = [UInt8](repeating: 0, count: 64)
            let n = pread(fd, &buffer, 63, 0)
            close(fd)
            let holder = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            throw BatonError(.busy, "another run of this pipeline is in progress (process \(holder))",
                             at: .init(file: directory), hint: "wait for it to finish; runs of one pipeline never overlap")
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        lockDescriptor = fd
    }

    public func unlock() {
        guard lockDescriptor >= 0 else { return }
        flock(lockDescriptor, LOCK_UN)
        close(lockDescriptor)
        lockDescriptor = -1
    }

    // MARK: Tables kept as text

    func readTable(_ name: String) -> [[String]] {
        guard let text = try? String(contentsOfFile: directory + "/" + name, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    func writeTable(_ name: String, _ rows: [[String]]) throws(BatonError) {
        let text = rows.map { $0.joined(separator: "\t") }.joined(separator: "\n") + (rows.isEmpty ? "" : "\n")
        try writeAtomically(directory + "/" + name, text)
    }

    func writeAtomically(_ path: String, _ text: String) throws(BatonError) {
        files.lock()
        defer { files.unlock() }
        writes += 1
        let temporary = path + ".tmp-\(getpid())-\(writes)"
        do {
            try text.write(toFile: temporary, atomically: false, encoding: .utf8)
            guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            unlink(temporary)
            throw BatonError(.io, "cannot write \(path): \(error.localizedDescription)", at: .init(file: path))
        }
    }

    // MARK: State

    public struct Completed: Sendable, Equatable {
        public var fingerprint: String
        public var rows: Int
        /// Size and modification time of the output when it was completed: a sink whose file
        /// was since removed or changed is written again.
        public var outputSize: Int
        public var outputTime: Int
    }

    public func completed() -> [String: Completed] {
        var out: [String: Completed] = [:]
        for row in readTable("state.tsv") where row.count >= 5 {
            out[row[0]] = Completed(fingerprint: row[1], rows: Int(row[2]) ?? 0, outputSize: Int(row[3]) ?? -1, outputTime: Int(row[4]) ?? -1)
        }
        return out
    }

    public func saveCompleted(_ state: [String: Completed]) throws(BatonError) {
        try writeTable("state.tsv", state.keys.sorted().map { k in
            let c = state[k]!
            return [k, c.fingerprint, String(c.rows), String(c.outputSize), String(c.outputTime)]
        })
    }

    // MARK: Files

    /// Size and modification time (nanoseconds) of a file, or nil if it does not exist.
    public static func status(_ path: String) -> (size: Int, time: Int)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (Int(info.st_size), Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec))
    }

    /// Content hashes of input files, computed once per (size, time) of each file.
    public func contentHashes(_ paths: [String]) throws(BatonError) -> [String: (size: Int, time: Int, hash: String)] {
        var cache: [String: (Int, Int, String)] = [:]
        for row in readTable("files.tsv") where row.count == 4 {
            cache[row[0]] = (Int(row[1]) ?? -1, Int(row[2]) ?? -1, row[3])
        }
        var out: [String: (size: Int, time: Int, hash: String)] = [:]
        var changed = false
        for path in paths {
            guard let (size, time) = Self.status(path) else {
                throw BatonError(.fileNotFound, "no such file", at: .init(file: path), hint: "check the source path")
            }
            if let cached = cache[path], cached.0 == size, cached.1 == time {
                out[path] = (size, time, cached.2)
                continue
            }
            let hash = try Fingerprint.hashFile(path)
            out[path] = (size, time, hash)
            cache[path] = (size, time, hash)
            changed = true
        }
        if changed {
            try writeTable("files.tsv", cache.keys.sorted().map { [$0, String(cache[$0]!.0), String(cache[$0]!.1), cache[$0]!.2] })
        }
        return out
    }

    // MARK: Pending sink files

    private let pendingLock = NSLock()

    func pending() -> [[String]] { readTable("pending.tsv") }
    func savePending(_ rows: [[String]]) throws(BatonError) { try writeTable("pending.tsv", rows) }

    /// Records a sink file about to be written, so that a killed run's leftovers can be removed.
    func addPending(_ path: String) throws(BatonError) {
        pendingLock.lock()
        defer { pendingLock.unlock() }
        try savePending(pending() + [[path]])
    }

    /// Removes what a killed run left: temporary stage outputs and unrenamed sink files.
    func cleanLeftovers() {
        let stages = directory + "/stages"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: stages)) ?? [] where name.hasPrefix(".") && name.contains(".tmp-") {
            unlink(stages + "/" + name)
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.contains(".tmp-") {
            unlink(directory + "/" + name)
        }
        for row in pending() where !row.isEmpty {
            try? FileManager.default.removeItem(atPath: row[0])
        }
        try? savePending([])
    }

    // MARK: Run log

    public var logPath: String { directory + "/runs.jsonl" }

    func appendLog(_ line: String) throws(BatonError) {
        let fd = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BatonError(.io, "cannot open the run log", at: .init(file: logPath)) }
        defer { close(fd) }
        let text = line + "\n"
        let written = text.withCString { write(fd, $0, strlen($0)) }
        guard written == text.utf8.count else { throw BatonError(.io, "cannot append to the run log", at: .init(file: logPath)) }
    }

    /// Past runs, oldest first, as JSON objects.
    public func runs() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }
}

/// Hashes for fingerprints: XXH64 as hex.
enum Fingerprint {
    static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    static func hash(_ text: String) -> String {
        var copy = text
        return hex(copy.withUTF8 { Checksum.xxh64(UnsafeRawBufferPointer($0)) })
    }

    /// The content hash of a file, read in 4 MiB pieces (a chained XXH64).
    static func hashFile(_ path: String) throws(BatonError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BatonError(.fileNotFound, "cannot open", at: .init(file: path), hint: "check the source path") }
        defer { close(fd) }
        let size = 4 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        defer { buffer.deallocate() }
        var h: UInt64 = 0
        while true {
            let n = read(fd, buffer, size)
            guard n >= 0 else { throw BatonError(.io, "cannot read", at: .init(file: path)) }
            if n == 0 { break }
            h = Checksum.xxh64(UnsafeRawBufferPointer(start: buffer, count: n)) ^ (h &* 0x9E37_79B9_7F4A_7C15)
        }
        return hex(h)
    }
}
