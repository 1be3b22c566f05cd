import Codecs
import Columns

/// Reads Arrow IPC data as Baton batches: the stream format (from a pipe, a file or memory)
/// and the file format (Feather v2, through its footer).
///
/// Streaming: holds one record batch at a time (split into batches of at most
/// `Batch.capacity` rows) and every dictionary seen so far.
///
/// ```swift
/// let reader = try ArrowReader(path: "trips.arrow")
/// while let batch = try reader.next() { … }
/// ```
public final class ArrowReader {
    /// nil only for a stream with no bytes at all (a producer that wrote nothing).
    public private(set) var schema: Schema?
    /// The Arrow form of the schema: encodings and original types.
    private(set) var arrowSchema: ArrowSchema?
    public let name: String

    private enum Source {
        case stream(ArrowInput)
        case file(RandomAccessFile, blocks: [FileBlock])
    }

    private var source: Source
    private var dictionaries: [Int64: ArrowDictionary] = [:]
    private var pending: [Batch] = []
    private var messageIndex = 0
    private var nextBlock = 0
    private var ended = false

    /// A stream reader; reads the schema message at once.
    public init(stream input: ArrowInput) throws(BatonError) {
        name = input.name
        source = .stream(input)
        guard let (message, body, context) = try nextStreamMessage() else {
            ended = true
            return
        }
        guard case .schema(let schema) = message, body.isEmpty else {
            throw BatonError(.corrupt, "\(context): the stream does not start with a schema message", at: .init(file: name),
                             hint: "Arrow IPC streams start with the schema; is this the right input?")
        }
        try adopt(schema)
    }

    /// A reader of a file in either IPC format, told apart by its first bytes.
    public convenience init(path: String) throws(BatonError) {
        let file = try RandomAccessFile(path: path)
        let head = try file.read(at: 0, count: min(6, file.size), what: "the header")
        if head == ArrowFileLayout.magic {
            try self.init(file: file)
        } else {
            try self.init(stream: file.sequential())
        }
    }

    /// A reader of an IPC file held in memory (one read whole from a pipe: its footer, at the
    /// end, says where the dictionaries are).
    public convenience init(fileBytes: [UInt8], name: String) throws(BatonError) {
        try self.init(file: RandomAccessFile(name: name, contents: fileBytes))
    }

    private init(file: RandomAccessFile) throws(BatonError) {
        name = file.path
        let footer = try ArrowFileLayout.footer(file)
        source = .file(file, blocks: footer.batches)
        try adopt(footer.schema)
        for block in footer.dictionaries {
            let (message, body, context) = try blockMessage(file, block)
            guard case .dictionaryBatch(let id, let layout, let isDelta) = message else {
                throw BatonError(.corrupt, "\(context): a footer dictionary block holds another kind of message", at: .init(file: name),
                                 hint: "the file is damaged; write it again")
            }
            try addDictionary(id: id, layout: layout, isDelta: isDelta, body: body, context: context)
        }
    }

    private func adopt(_ schema: ArrowSchema) throws(BatonError) {
        do throws(BatonError) {
            self.schema = try schema.batonSchema()
        } catch {
            throw error.inFile(name)
        }
        arrowSchema = schema
    }

    /// The next batch, or nil at the end of the data.
    public func next() throws(BatonError) -> Batch? {
        while pending.isEmpty {
            guard !ended, let schema, let arrowSchema else { return nil }
            let message: ArrowMessage, body: [UInt8], context: String
            switch source {
            case .stream:
                guard let read = try nextStreamMessage() else {
                    ended = true
                    return nil
                }
                (message, body, context) = read
            case .file(let file, let blocks):
                guard nextBlock < blocks.count else {
                    ended = true
                    return nil
                }
                (message, body, context) = try blockMessage(file, blocks[nextBlock])
                nextBlock += 1
            }
            switch message {
            case .schema:
                throw BatonError(.corrupt, "\(context): a second schema message", at: .init(file: name), hint: "concatenated streams must be read one at a time")
            case .dictionaryBatch(let id, let layout, let isDelta):
                try addDictionary(id: id, layout: layout, isDelta: isDelta, body: body, context: context)
            case .recordBatch(let layout):
                var decoder = ArrowBatchDecoder(layout: layout, body: body, file: name, context: context)
                let columns = try decoder.columns(arrowSchema.fields, dictionaries: dictionaries)
                if layout.length == 0 { continue }
                do throws(BatonError) {
                    pending = try Batch.split(schema: schema, columns: columns).reversed()
                } catch {
                    var located = error.inFile(name)
                    located.message = "\(context): \(located.message)"
                    throw located
                }
            }
        }
        return pending.removeLast()
    }

    private func addDictionary(id: Int64, layout: RecordBatchLayout, isDelta: Bool, body: [UInt8], context: String) throws(BatonError) {
        guard let field = arrowSchema?.fields.first(where: { $0.dictionary?.id == id }) else {
            throw BatonError(.corrupt, "\(context): a dictionary batch for id \(id), which no column uses", at: .init(file: name),
                             hint: "the stream's schema and dictionaries disagree")
        }
        var decoder = ArrowBatchDecoder(layout: layout, body: body, file: name, context: "\(context) (dictionary \(id))")
        let valueField = ArrowField(name: field.name, nullable: true, type: field.type, dictionary: nil)
        let column = try decoder.column(valueField)
        guard case .string(let values) = column.storage else { preconditionFailure("a utf8 column decodes to strings") }
        if isDelta {
            guard var current = dictionaries[id] else {
                throw BatonError(.corrupt, "\(context): a delta for dictionary \(id) before the dictionary itself",
                                 at: .init(file: name, column: field.name), hint: "the producer must send the dictionary first")
            }
            var merged = current.values
            for i in 0..<values.count { merged.append(from: values, at: i) }
            if current.validity != nil || column.validity != nil {
                var bits = current.validity ?? Bitmap(repeating: true, count: current.values.count)
                bits.append(contentsOf: column.validity ?? Bitmap(repeating: true, count: values.count))
                current.validity = bits
            }
            current.values = merged
            dictionaries[id] = current
        } else {
            dictionaries[id] = ArrowDictionary(values: values, validity: column.validity)
        }
    }

    /// The next message of a stream, nil at its end (an end-of-stream marker, or the input
    /// simply ending between messages, which Arrow readers accept).
    private func nextStreamMessage() throws(BatonError) -> (ArrowMessage, [UInt8], String)? {
        guard case .stream(let input) = source else { return nil }
        let start = input.offset
        let index = messageIndex
        messageIndex += 1
        let context = "message \(index) at byte \(start)"
        func truncated(_ what: String) -> BatonError {
            BatonError(.truncated, "\(context): the input ends inside \(what)", at: .init(file: name),
                       hint: "the producer stopped mid-stream or the data was cut; check the upstream process")
        }
        var word = try input.take(4)
        if word.isEmpty { return nil }
        guard word.count == 4 else { throw truncated("the message length") }
        var length = word.withUnsafeBytes { Int32(littleEndian: $0.loadUnaligned(as: Int32.self)) }
        if length == -1 {
            // The continuation marker (0xFFFFFFFF) of Arrow 0.15+; the length follows.
            word = try input.take(4)
            guard word.count == 4 else { throw truncated("the message length") }
            length = word.withUnsafeBytes { Int32(littleEndian: $0.loadUnaligned(as: Int32.self)) }
        }
        if length == 0 { return nil }
        // Metadata is a schema or a batch's buffer list: kilobytes. A huge length means the
        // bytes are not Arrow (CSV text read as a length), so fail now rather than wait for them.
        guard length > 0, length <= 1 << 26 else {
            throw BatonError(.corrupt, "\(context): the metadata length \(length) is implausible", at: .init(file: name),
                             hint: "the input is not an Arrow IPC stream")
        }
        let metadata = try input.take(Int(length))
        guard metadata.count == Int(length) else { throw truncated("the \(length)-byte metadata") }
        let (message, bodyLength) = try parse(metadata, context: context)
        let body = try input.take(bodyLength)
        guard body.count == bodyLength else { throw truncated("the \(bodyLength)-byte body (got \(body.count))") }
        return (message, body, context)
    }

    private func parse(_ metadata: [UInt8], context: String) throws(BatonError) -> (ArrowMessage, Int) {
        do throws(BatonError) {
            return try ArrowMessage.parse(FlatBuffer(bytes: metadata, context: context))
        } catch {
            throw error.inFile(name)
        }
    }

    /// The message a footer block points to.
    private func blockMessage(_ file: RandomAccessFile, _ block: FileBlock) throws(BatonError) -> (ArrowMessage, [UInt8], String) {
        let context = "block at byte \(block.offset)"
        let framed = try file.read(at: block.offset, count: block.metadataLength, what: context)
        var start = 0
        if framed.count >= 4 && framed[0..<4] == [0xFF, 0xFF, 0xFF, 0xFF] { start = 4 }
        guard framed.count >= start + 4 else {
            throw BatonError(.corrupt, "\(context): the block's metadata length \(block.metadataLength) is too small",
                             at: .init(file: name), hint: "the file is damaged; write it again")
        }
        let length = framed.withUnsafeBytes { Int(Int32(littleEndian: $0.loadUnaligned(fromByteOffset: start, as: Int32.self))) }
        guard length > 0, length <= framed.count - start - 4 else {
            throw BatonError(.corrupt, "\(context): a \(length)-byte message does not fit its \(block.metadataLength)-byte block",
                             at: .init(file: name), hint: "the file is damaged; write it again")
        }
        let (message, bodyLength) = try parse(Array(framed[(start + 4)..<(start + 4 + length)]), context: context)
        guard bodyLength <= block.bodyLength else {
            throw BatonError(.corrupt, "\(context): the message's body of \(bodyLength) bytes exceeds its block's \(block.bodyLength)",
                             at: .init(file: name), hint: "the file is damaged; write it again")
        }
        let body = try file.read(at: block.offset + block.metadataLength, count: bodyLength, what: context)
        return (message, body, context)
    }
}
