import Columns
import SystemPackage

/// Opens `path` for reading, turning the operating system's refusal into the error users see:
/// a missing file is `.fileNotFound` (exit code 3), anything else `.io`.
public func openForReading(_ path: String) throws(BatonError) -> FileDescriptor {
    do {
        return try FileDescriptor.open(FilePath(path), .readOnly)
    } catch Errno.noSuchFileOrDirectory {
        throw BatonError(.fileNotFound, "no such file", at: .init(file: path), hint: "check the path")
    } catch {
        throw BatonError(.io, "cannot open: \(error)", at: .init(file: path))
    }
}
