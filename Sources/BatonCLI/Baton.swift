import ArgumentParser
import Columns
import Storage

@main
struct Baton: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baton",
        abstract: "A columnar batch-processing engine: CSV in and out, compressed column files, fast scans.",
        discussion: """
            Exit codes: 0 success; 2 invalid input or option; 3 file not found; 4 not a Baton file;
            5 written by a newer format version; 6 checksum mismatch; 7 truncated file;
            8 corrupt file; 9 I/O error; 10 a bad input record; 11 more rejected records than
            --max-errors allows; 12 invalid pipeline; 13 a pipeline check failed; 14 another run
            of the pipeline is in progress; 15 the query cannot run within --memory-limit even by
            spilling; 16 spill files would pass --max-temp-size; 64 usage error.
            """,
        version: batonVersion,
        subcommands: [QueryCommand.self, ExplainCommand.self, RunCommand.self, ValidateCommand.self, PlanCommand.self, GraphCommand.self,
                      RunsCommand.self, StageCommand.self, Convert.self, SchemaCommand.self, Cat.self, Inspect.self, Generate.self])
}

/// Runs a command body, turning a `BatonError` into its message on stderr and its exit code.
func run(_ body: () throws(BatonError) -> Void) throws(ExitCode) {
    Signals.install()
    Allocator.tuneForColumnarWork()
    do {
        try body()
    } catch {
        Output.standardError("baton: error: \(error)\n")
        throw ExitCode(error.exitCode)
    }
}

extension BatonError {
    /// The process exit code for this kind of failure (listed in `baton --help`).
    var exitCode: Int32 {
        switch kind {
        case .invalidInput: 2
        case .fileNotFound: 3
        case .notBatonFile: 4
        case .unsupportedVersion: 5
        case .checksumMismatch: 6
        case .truncated: 7
        case .corrupt: 8
        case .io: 9
        case .badRecord: 10
        case .tooManyErrors: 11
        case .invalidPipeline: 12
        case .checkFailed: 13
        case .busy: 14
        case .memoryLimit: 15
        case .diskLimit: 16
        }
    }
}
