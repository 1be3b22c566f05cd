import Columns

/// File.fbs `Block`: where one message of an IPC file lies.
struct FileBlock: Equatable {
    var offset: Int
    /// The framed metadata: continuation marker, length, flatbuffer and padding.
    var metadataLength: Int
    var bodyLength: Int
}

/// The IPC file format (Feather v2): `ARROW1`, two padding bytes, the stream's messages and
/// end-of-stream marker, the `Footer` flatbuffer, its 32-bit length, and `ARROW1` again.
enum ArrowFileLayout {
    static let magic: [UInt8] = Array("ARROW1".utf8)

    struct Footer {
        var schema: ArrowSchema
        var dictionaries: [FileBlock]
        var batches: [FileBlock]
    }

    static func footer(_ file: RandomAccessFile) throws(BatonError) -> Footer {
        func damaged(_ what: String) -> BatonError {
            BatonError(.truncated, what, at: .init(file: file.path),
                       hint: "an Arrow file ends with its footer and ARROW1; the file is incomplete or damaged, write it again")
        }
        guard file.size >= 6 + 2 + 4 + 6 else { throw damaged("a \(file.size)-byte file is too short for the Arrow file format") }
        let tail = try file.read(at: file.size - 10, count: 10, what: "the file trailer")
        guard Array(tail[4...]) == magic else { throw damaged("the file starts with ARROW1 but does not end with it") }
        let length = tail.withUnsafeBytes { Int(Int32(littleEndian: $0.loadUnaligned(as: Int32.self))) }
        guard length > 0, length <= file.size - 18 else {
            throw BatonError(.corrupt, "the footer length \(length) does not fit the \(file.size)-byte file", at: .init(file: file.path),
                             hint: "the file is damaged; write it again")
        }
        let start = file.size - 10 - length
        let buffer = FlatBuffer(bytes: try file.read(at: start, count: length, what: "the footer"), context: "footer at byte \(start)")
        do throws(BatonError) {
            let table = try FlatTable.root(buffer)
            guard let schema = try table.table(1) else { throw buffer.error("the footer has no schema") }
            func blocks(_ index: Int) throws(BatonError) -> [FileBlock] {
                guard let (count, at) = try table.vector(index, stride: 24) else { return [] }
                var result: [FileBlock] = []
                for i in 0..<count {
                    let p = at + 24 * i
                    let block = FileBlock(offset: Int(try buffer.load(Int64.self, at: p)),
                                          metadataLength: Int(try buffer.load(Int32.self, at: p + 8)),
                                          bodyLength: Int(try buffer.load(Int64.self, at: p + 16)))
                    guard block.offset >= 8, block.metadataLength > 0, block.bodyLength >= 0,
                          block.offset <= start - block.metadataLength - block.bodyLength else {
                        throw buffer.error("block \(i) (offset \(block.offset), \(block.metadataLength) + \(block.bodyLength) bytes) lies outside the data")
                    }
                    result.append(block)
                }
                return result
            }
            return Footer(schema: try ArrowSchema(schema), dictionaries: try blocks(2), batches: try blocks(3))
        } catch {
            throw error.inFile(file.path)
        }
    }

    static func footerBytes(schema: ArrowSchema, dictionaries: [FileBlock], batches: [FileBlock]) -> [UInt8] {
        func structs(_ blocks: [FileBlock]) -> FlatValue {
            var bytes: [UInt8] = []
            for b in blocks {
                bytes.appendLittleEndian(Int64(b.offset))
                bytes.appendLittleEndian(Int32(b.metadataLength))
                bytes.appendLittleEndian(Int32(0))
                bytes.appendLittleEndian(Int64(b.bodyLength))
            }
            return .structs(bytes, count: blocks.count)
        }
        return FlatBufferBuilder.build(.table([.int16(ArrowMessage.version), .value(schema.flat),
                                               .value(structs(dictionaries)), .value(structs(batches))]))
    }
}
