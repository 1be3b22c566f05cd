import ArgumentParser
import Columns
import Query
import Spill
import Storage

#if canImport(Glibc)
import Glibc
#endif

/// `--memory-limit`, `--temp-dir` and `--max-temp-size`, shared by `baton query` and `baton explain`.
struct ResourceOptions: ParsableArguments {
    @Option(help: "Memory for data, shared by every operator: a size (2GB, 512MB), a percentage of RAM (50%) or unlimited. Operators spill to disk past it (default: 60% of RAM).")
    var memoryLimit: String?
    @Option(help: "Directory for spill files (default: $TMPDIR, else /tmp). Spill files are unlinked at once and vanish when the run ends, however it ends.")
    var tempDir: String?
    @Option(help: "Most disk spill files may take together, e.g. 20GB; past it the run fails with exit code 16 (default: no cap).")
    var maxTempSize: String?

    func validate() throws {
        do throws(BatonError) { _ = try limits() } catch { throw ValidationError(error.description) }
    }

    /// The limits these options ask for.
    func limits() throws(BatonError) -> ResourceLimits {
        let memory = try memoryLimit.map { (text) throws(BatonError) -> Int? in try MemoryLimit.parse(text) } ?? MemoryLimit.defaultBytes
        var maxBytes: Int?
        if let maxTempSize {
            guard let bytes = ByteSize.parse(maxTempSize), bytes > 0 else {
                throw BatonError(.invalidInput, "--max-temp-size: not a size", at: .init(text: maxTempSize), hint: "write it like 20GB or 500MB")
            }
            maxBytes = bytes
        }
        if let tempDir {
            var info = stat()
            guard stat(tempDir, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                throw BatonError(.invalidInput, "--temp-dir: not a directory", at: .init(file: tempDir), hint: "create it first, or name another")
            }
        }
        if let memory { Allocator.fit(toLimit: memory) }
        return ResourceLimits(memory: memory, temporaryDirectory: tempDir, maxTemporaryBytes: maxBytes)
    }
}
