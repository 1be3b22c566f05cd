import Columns
@testable import Operators
@testable import Spill
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A scratch directory under /tmp, removed (with anything left in it) when done.
final class ScratchDirectory {
    let path: String
    init() {
        var template = Array("/tmp/spill-test-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }
    var entries: [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
    deinit {
        for name in entries { unlink(path + "/" + name) }
        rmdir(path)
    }
}

/// Each spilling operator at tiny memory budgets against its own unlimited run: the same rows
/// (in the same order where the operator defines one), a spill metric above zero to prove the
/// spill happened, and no file left in the temp directory — also after a failure mid-spill.
@Suite struct SpillDifferentialTests {
    typealias Twin = OperatorTwinTests

    static func context(_ threads: Int, limit: Int?, _ scratch: ScratchDirectory, maxTemp: Int? = nil) -> ExecutionContext {
        ExecutionContext(threads: threads, memory: MemoryBudget(limit: limit), spill: SpillSpace(directory: scratch.path, maxBytes: maxTemp))
    }

    @Test(arguments: [1, 2, 7])
    func sortSpillsRunsAndMergesToTheInMemoryOrder(threads: Int) throws {
        let scratch = ScratchDirectory()
        let table = Twin.table(rows: 20_000, seed: 23, batchRows: 500)
        // Few distinct keys: many ties, so stability across runs is tested too.
        let keys = [SortKey(column: 1, descending: true), SortKey(column: 2, nullsFirst: true), SortKey(column: 0)]
        let expected = Twin.rows(try Sort(TableScan(table, name: "t"), keys: keys).collect(ExecutionContext(threads: 1)))
        for limit in [60_000, 120_000] {
            let sort = Sort(TableScan(table, name: "t"), keys: keys)
            let context = Self.context(threads, limit: limit, scratch)
            let result = try sort.collect(context)
            #expect(Twin.rows(result) == expected)
            // At the smallest budget: runs, then at least one intermediate merge level.
            #expect(sort.metrics.spilledRows > (limit == 60_000 ? table.rowCount : 0))
            #expect(sort.metrics.spillFiles > 2 && sort.metrics.spilledBytes > 0)
            #expect(context.memory.peak <= limit)
            #expect(scratch.entries.isEmpty)
        }
    }

    @Test func sortFailureMidSpillLeavesNoFiles() throws {
        let scratch = ScratchDirectory()
        let table = Twin.table(rows: 20_000, seed: 3, batchRows: 500)
        let context = Self.context(2, limit: 60_000, scratch)
        context.spill.injectedFailureAfterFrames = 5
        #expect(throws: BatonError.self) { try Sort(TableScan(table, name: "t"), keys: [SortKey(column: 4)]).collect(context) }
        #expect(context.spill.used == 0)
        #expect(scratch.entries.isEmpty)
    }

    @Test func sortDiskCapIsItsOwnError() throws {
        let scratch = ScratchDirectory()
        let table = Twin.table(rows: 20_000, seed: 3, batchRows: 500)
        let context = Self.context(1, limit: 60_000, scratch, maxTemp: 20_000)
        #expect { try Sort(TableScan(table, name: "t"), keys: [SortKey(column: 4)]).collect(context) } throws: { error in
            (error as? BatonError)?.kind == .diskLimit
        }
        #expect(context.spill.used == 0)
    }
}
