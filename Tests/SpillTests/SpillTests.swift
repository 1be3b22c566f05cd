import Columns
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
    /// Names in the directory.
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

@Suite struct SpillFileTests {
    /// Every column type, with nulls, in plain and dictionary strings.
    static func batch() -> Batch {
        let schema = try! Schema([Field("i", .int64), Field("f", .float64), Field("b", .bool), Field("s", .string),
                                  Field("d", .string), Field("day", .date), Field("t", .timestamp)])
        let columns = [Column.int64([1, nil, -7, Int64.max]), Column.float64([1.5, -0.0, nil, .infinity]),
                       Column.bool([true, nil, false, true]), Column.string(["Zürich", "", nil, "oslo"]),
                       Column.dictionary([1, 0, nil, 1], values: ["a", "bb"]), Column.date([nil, 0, -3, 19000]),
                       Column.timestamp([5, nil, 7, -1])]
        return try! Batch(schema: schema, columns: columns)
    }

    @Test func roundTripsEveryTypeWithNulls() throws {
        let scratch = ScratchDirectory()
        let space = SpillSpace(directory: scratch.path)
        let file = try space.makeFile(for: "Test")
        let batch = Self.batch()
        try file.append(batch)
        try file.append(batch.narrowed(to: SelectionVector([1, 3])))
        #expect(file.frames.count == 2 && file.rows == 6)
        #expect(space.used == file.byteCount && space.filesCreated == 1)
        let back = try file.read(0, schema: batch.schema)
        #expect(back.columns.map(\.values) == batch.columns.map(\.values))
        let second = try file.read(1, schema: batch.schema)
        #expect(second.columns.map(\.values) == batch.compacted().columns.map { $0.gather(SelectionVector([1, 3])).values })
        // Unlinked at creation: nothing named is ever in the directory.
        #expect(scratch.entries.isEmpty)
    }

    @Test func diskCapFailsWithItsOwnKindAndReleasesOnClose() throws {
        let scratch = ScratchDirectory()
        let space = SpillSpace(directory: scratch.path, maxBytes: 600)
        var file: SpillFile? = try space.makeFile(for: "Sort")
        var failure: BatonError?
        do {
            for _ in 0..<100 { try file!.append(Self.batch()) }
        } catch {
            failure = error
        }
        #expect(failure?.kind == .diskLimit)
        #expect(failure?.description.contains("Sort needs") == true)
        #expect(failure?.description.contains("--max-temp-size") == true)
        #expect(space.used > 0 && space.used <= 600)
        file = nil
        #expect(space.used == 0)
        #expect(scratch.entries.isEmpty)
    }

    @Test func injectedFailureIsAnIOError() throws {
        let scratch = ScratchDirectory()
        let space = SpillSpace(directory: scratch.path)
        space.injectedFailureAfterFrames = 1
        let file = try space.makeFile(for: "Test")
        try file.append(Self.batch())
        #expect(throws: BatonError.self) { try file.append(Self.batch()) }
    }

    @Test func missingDirectoryIsAnIOErrorWithAHint() {
        let space = SpillSpace(directory: "/tmp/spill-no-such-dir/x")
        #expect { try space.makeFile(for: "Sort") } throws: { error in
            (error as? BatonError)?.kind == .io && "\(error)".contains("--temp-dir")
        }
    }
}

@Suite struct MemoryBudgetTests {
    @Test func reservationsShareOneLimitAndTrackPeaks() throws {
        let budget = MemoryBudget(limit: 1000)
        let a = budget.reservation("A"), b = budget.reservation("B")
        #expect(a.tryGrow(by: 600))
        #expect(!b.tryGrow(by: 500))
        #expect(b.tryGrow(by: 400))
        a.shrink(by: 300)
        #expect(b.tryResize(to: 700))
        #expect(budget.used == 1000 && budget.peak == 1000 && a.peak == 600 && b.peak == 700)
        #expect { try a.grow(by: 2000, needing: "one group") } throws: { error in
            let e = error as! BatonError
            return e.kind == .memoryLimit && e.description.contains("A needs 1.9 KiB more for one group") && e.hint != nil
        }
        b.free()
        #expect(budget.used == 300)
    }

    @Test func limitsParse() throws {
        #expect(try MemoryLimit.parse("unlimited") == nil)
        #expect(try MemoryLimit.parse("2GB") == 2 << 30)
        #expect(try MemoryLimit.parse("256mb") == 256 << 20)
        #expect(try MemoryLimit.parse("50%") == MemoryLimit.physicalMemory / 2)
        #expect(throws: BatonError.self) { try MemoryLimit.parse("lots") }
        #expect(throws: BatonError.self) { try MemoryLimit.parse("150%") }
        #expect(ByteSize.parse("1.5k") == 1536)
        #expect(ByteSize.text(300 * 1024) == "300 KiB")
    }
}
