import Columns
import Utilities

/// Reading the input block by block: tokenizing, converting, widening, rejecting, emitting.
extension CSVReader {
    enum PassResult { case done, restart }

    /// One pass over the input with the current schema.
    func pass(_ summary: inout CSVReadSummary, onSchema: (Schema, Bool) throws(BatonError) -> Void,
                      onRejected: ([RejectedRecord]) throws(BatonError) -> Void,
                      _ body: (Batch) throws(BatonError) -> Void) throws(BatonError) -> PassResult {
        var state = PassState(parts: (0..<max(1, options.threads)).map { _ in Tokens() })
        bytesParsed = 0
        for fileIndex in files.indices {
            let result = try passFile(fileIndex, &state, &summary, onSchema: onSchema, onRejected: onRejected, body)
            if result == .restart { return .restart }
        }
        return .done
    }

    /// What a pass carries from file to file.
    struct PassState {
        /// Rows delivered so far in this pass.
        var emitted = 0
        /// Token buffers, one per range, reused block after block.
        var parts: [Tokens]
    }

    /// Reads one file of the input (the only one, or one of a glob's).
    func passFile(_ fileIndex: Int, _ state: inout PassState, _ summary: inout CSVReadSummary,
                          onSchema: (Schema, Bool) throws(BatonError) -> Void,
                          onRejected: ([RejectedRecord]) throws(BatonError) -> Void,
                          _ body: (Batch) throws(BatonError) -> Void) throws(BatonError) -> PassResult {
        let dialect = options.dialect
        let tokenizer = Tokenizer(dialect, blankLinesAreRecords: singleColumn)
        let file = files[fileIndex]
        let stream: InputStream
        let block: ByteBlock
        if fileIndex == 0, let open = openStream {
            stream = open
            block = ByteBlock(head)
            openStream = nil
            head = []
        } else {
            stream = try InputStream(path: file)
            block = ByteBlock()
        }
        name = stream.name
        var lineBase = 0
        var byteBase = 0
        var firstBlock = true
        var leadingPending = true
        var headerPending = dialect.header
        var more = true
        while more || !block.isEmpty {
            if block.count < options.blockSize && more {
                more = try block.fill(from: stream, upTo: options.blockSize)
            }
            if firstBlock && block.starts(with: [0xEF, 0xBB, 0xBF]) {
                block.removeFirst(3)
                byteBase = 3
            }
            let final = !more
            // About 1 MiB a range: enough ranges to share among the threads, and few enough
            // records per range that its columns fit one batch without a copy.
            let wanted = Self.ranges(blockSize: block.count) + 1
            if state.parts.count < wanted { state.parts += (state.parts.count..<wanted).map { _ in Tokens() } }
            // Past the header and leading blank lines, ranges are converted as they are
            // tokenized, with line numbers counted from the range's start and shifted below.
            let fused = leadingPending || headerPending ? nil : makeConverter()
            let blockByteBase = byteBase
            let (ranges, consumed, early) = block.withUnsafeBytes { raw in
                tokenizeBlock(raw, tokenizer: tokenizer, final: final, parts: &state.parts,
                              convert: fused.map { converter in
                                  { raw, t in converter.convert(raw, t, BlockPosition(file: self.name, lineBase: 0, byteBase: blockByteBase)) }
                              })
            }
            var earlyOutcomes = early
            if consumed == 0 && !final {
                // Bounded: memory, and field positions being 30-bit offsets into the block.
                let limit = min(options.maxRecordBytes, Int(Tokens.offsetMask) / 2)
                guard block.count < limit + options.blockSize else {
                    throw BatonError(.badRecord, "a record is longer than \(limit >> 20) MiB",
                                     at: .init(file: name, line: lineBase + state.parts[0].lines + 1),
                                     hint: "check --quote (an unbalanced quote makes the rest of the file one field), or raise --max-record-size")
                }
                // One record longer than the block: read more before trying again.
                more = try block.fill(from: stream, upTo: block.count + options.blockSize)
                continue
            }
            var positions: [BlockPosition] = []
            var lines = lineBase
            for p in 0..<ranges {
                positions.append(BlockPosition(file: name, lineBase: lines, byteBase: byteBase))
                lines += state.parts[p].lines
            }
            // Blank lines at the start of a file are skipped (in one-column files too, where
            // later ones are nulls), then the header is dropped: both may take several blocks.
            var p = 0
            while (leadingPending || headerPending) && p < ranges {
                if leadingPending && singleColumn && state.parts[p].recordCount > 0 && Self.isBlankRecord(state.parts[p], 0) {
                    dropFirstRecord(&state.parts[p])
                    continue
                }
                if state.parts[p].recordCount == 0 { p += 1; continue }
                leadingPending = false
                if headerPending {
                    if fileIndex > 0, let expected = headerNames {
                        let names = block.withUnsafeBytes { raw in
                            Self.names(Array(raw), state.parts[p], 0, dialect)
                        }
                        guard names == expected else {
                            throw BatonError(.invalidInput, "the header differs from the first file's (\(expected.joined(separator: ",")))",
                                             at: .init(file: name, line: positions[p].lineBase + Int(state.parts[p].recordLines[0]) + 1,
                                                       text: names.joined(separator: ",")),
                                             hint: "a pattern must name files with the same columns")
                        }
                    }
                    dropFirstRecord(&state.parts[p])
                    headerPending = false
                }
            }
            firstBlock = false
            bytesParsed += consumed
            var columnsByPart: [[Column]] = []
            var rejected: [RejectedRecord] = []
            convert: while true {
                let outcomes: [RecordConverter.Outcome]
                if let early = earlyOutcomes {
                    outcomes = early.enumerated().map { p, outcome in outcome.shifted(by: positions[p].lineBase) }
                    earlyOutcomes = nil  // a widened schema converts again below
                } else {
                    let converter = makeConverter()
                    let partsSnapshot = state.parts
                    outcomes = block.withUnsafeBytes { raw in
                        let shared = SharedBytes(raw)
                        return parallelMap(ranges, threads: options.threads) { p in
                            converter.convert(shared.raw, partsSnapshot[p], positions[p])
                        }
                    }
                }
                columnsByPart = []
                rejected = []
                for outcome in outcomes {
                    switch outcome {
                    case .columns(let columns, let bad):
                        columnsByPart.append(columns)
                        rejected += bad
                    case .widen(let c, let type, let line, let text):
                        let field = fileSchema.fields[c]
                        summary.widened.append(.init(column: field.name, from: field.type, to: type, file: name, line: line, text: text))
                        var fields = fileSchema.fields
                        fields[c].type = type
                        fileSchema = try Schema(fields)
                        // Batches already delivered have the narrower type: start over when the
                        // input can be read again; otherwise the caller decides whether a
                        // schema change mid-stream is acceptable.
                        if state.emitted == 0 {
                            try onSchema(schema, true)  // nothing was delivered: a clean start
                        } else if stream.rereadable && options.restartOnWidening {
                            return .restart
                        } else {
                            try onSchema(schema, false)
                        }
                        continue convert
                    }
                }
                break
            }
            if !rejected.isEmpty {
                try handle(rejected, &summary, onRejected)
            }
            let outputSchema = schema
            for columns in columnsByPart where (columns.first?.count ?? 0) > 0 {
                for var batch in try Batch.split(schema: outputSchema, columns: columns) {
                    if let limit = options.limit {
                        if state.emitted >= limit { return .done }
                        if state.emitted + batch.count > limit {
                            batch = batch.narrowed(to: SelectionVector((0..<UInt32(limit - state.emitted)).map { $0 }))
                        }
                    }
                    try body(batch)
                    state.emitted += batch.count
                    summary.rowsRead += batch.count
                }
            }
            if let limit = options.limit, state.emitted >= limit { return .done }
            lineBase = lines
            byteBase += consumed
            block.removeFirst(consumed)
            if final { break }
        }
        return .done
    }

    /// A converter for the current schema.
    func makeConverter() -> RecordConverter {
        let dialect = options.dialect
        return RecordConverter(
            fieldCount: fileSchema.count, types: fileSchema.fields.map(\.type), projection: projection,
            names: fileSchema.names, nullStrings: dialect.nullStrings.map { Array($0.utf8) }, escape: dialect.escape,
            quote: dialect.quote, locked: locked)
    }

    func handle(_ rejected: [RejectedRecord], _ summary: inout CSVReadSummary,
                        _ onRejected: ([RejectedRecord]) throws(BatonError) -> Void) throws(BatonError) {
        if options.onError == .fail {
            let first = rejected[0]
            throw BatonError(.badRecord, first.reason,
                             at: .init(file: name, line: first.line, column: first.column, text: first.text),
                             hint: Self.hint(for: first))
        }
        summary.rejected += rejected.count
        try onRejected(rejected)
        if case .count(let limit) = options.maxErrors, summary.rejected > limit {
            throw BatonError(.tooManyErrors, "more than \(limit) records were rejected (the last at line \(rejected.last!.line))",
                             at: .init(file: name), hint: "fix the input, or raise --max-errors")
        }
    }

    static func hint(for record: RejectedRecord) -> String {
        if record.column != nil, let text = record.text {
            let shown = text.contains(where: { $0 == " " || $0 == "'" || $0 == "\"" }) || text.isEmpty ? "'\(text)'" : text
            return "--null \(shown), or --on-error skip"
        }
        if record.reason.hasPrefix("expected") {
            return "check --delimiter and --quote, or --on-error skip"
        }
        return "--on-error skip to drop such records, or reject=FILE to keep them aside"
    }

    /// A record of one empty unquoted field: a blank line in a one-column file.
    static func isBlankRecord(_ t: Tokens, _ r: Int) -> Bool {
        let f = Int(t.recordFields[r])
        return t.recordFields[r + 1] - t.recordFields[r] == 1 && t.ends[f] & Tokens.quotedFlag == 0
            && t.starts[f] == t.ends[f] & Tokens.offsetMask
    }

    func dropFirstRecord(_ t: inout Tokens) {
        guard t.recordCount > 0 else { return }
        let fields = Int(t.recordFields[1])
        t.starts.removeFirst(fields)
        t.ends.removeFirst(fields)
        t.recordFields.removeFirst(1)
        for i in t.recordFields.indices { t.recordFields[i] -= UInt32(fields) }
        t.recordOffsets.removeFirst(1)
        t.recordLines.removeFirst(1)
        t.recordEnds.removeFirst(1)
        t.problems = t.problems.compactMap { $0.record == 0 ? nil : ($0.record - 1, $0.reason) }
    }
}
