import Columns
import Storage
import Testing

@Suite struct AtomicWriteTests {
    @Test func unfinishedWriteLeavesNothing() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (schema, columns) = try everyTypeTable(rows: 100)
        do {
            let writer = try BatonWriter(path: dir.file("out.baton"), schema: schema, options: WriteOptions(rowGroupSize: 10))
            try writer.write(try Batch(schema: schema, columns: columns))
            // A temporary file exists while writing, never the final name.
            #expect(!dir.contents.contains("out.baton"))
            #expect(dir.contents.count == 1 && dir.contents[0].hasPrefix(".out.baton.tmp-"))
            writer.abort()
        }
        #expect(dir.contents.isEmpty)
    }

    @Test func droppedWriterRemovesItsTemporaryFile() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (schema, columns) = try everyTypeTable(rows: 10)
        do {
            let writer = try BatonWriter(path: dir.file("out.baton"), schema: schema)
            try writer.write(try Batch(schema: schema, columns: columns))
        }
        #expect(dir.contents.isEmpty)
    }

    @Test func failedWriteKeepsThePreviousFile() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (schema, columns) = try everyTypeTable(rows: 50)
        let path = dir.file("out.baton")
        try write(schema, columns, to: path)
        let before = readBytes(path)
        let writer = try BatonWriter(path: path, schema: schema)
        let other = try Schema([Field("z", .int64)])
        let error = thrownError { try writer.write(try Batch(schema: other, columns: [.int64([1])])) }
        #expect(error?.kind == .invalidInput)
        writer.abort()
        #expect(readBytes(path) == before)
        #expect(dir.contents == ["out.baton"])
    }

    @Test func missingDirectoryIsAClearError() throws {
        let schema = try Schema([Field("a", .int64)])
        let error = thrownError { _ = try BatonWriter(path: "/nonexistent-dir/out.baton", schema: schema) }
        #expect(error?.kind == .io)
        #expect(error?.description == "/nonexistent-dir/out.baton: the directory does not exist (hint: create it first)")
    }
}

@Suite struct WriterFailureTests {
    /// After a failed write the writer refuses to finish: rows may be missing from its file.
    @Test func aFailedWritePoisonsTheWriter() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let schema = try Schema([Field("a", .int64)])
        let writer = try BatonWriter(path: dir.file("out.baton"), schema: schema)
        try writer.write(try Batch(schema: schema, columns: [.int64([1, 2])]))
        let other = try Schema([Field("z", .int64)])
        #expect(thrownError { try writer.write(try Batch(schema: other, columns: [.int64([3])])) }?.kind == .invalidInput)
        let later = thrownError { try writer.finish() }
        #expect(later?.message.hasPrefix("an earlier write failed") == true)
        #expect(dir.contents.isEmpty)
    }
}
