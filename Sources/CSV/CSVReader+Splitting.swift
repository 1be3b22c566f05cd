import Columns
import CShims
import Utilities

/// Cutting a block into ranges that start on record boundaries, so that ranges can be
/// tokenized in parallel with the result a serial read would give.
extension CSVReader {
    /// Tokenizes a block in up to `parts.count` ranges that start on record boundaries.
    /// Returns the number of ranges used and the bytes consumed (the rest is carried over).
    ///
    /// With `convert`, each range's records are also converted by the task that tokenized
    /// them, while its bytes and tokens are still in the core's cache, and without waiting for
    /// the other ranges in between; the outcomes come back when the ranges were tokenized in
    /// parallel and are consistent (nil otherwise: the caller converts the serial read).
    func tokenizeBlock(_ raw: UnsafeRawBufferPointer, tokenizer: Tokenizer, final: Bool, parts: inout [Tokens],
                       convert: ((UnsafeRawBufferPointer, Tokens) -> RecordConverter.Outcome)? = nil)
        -> (ranges: Int, consumed: Int, outcomes: [RecordConverter.Outcome]?) {
        let (splits, clean) = splitPoints(raw, ranges: min(parts.count, Self.ranges(blockSize: raw.count)), final: final)
        if splits.count > 2 {
            let snapshot = SharedBytes(raw)
            // Each range reuses its token buffers (reference types) from the previous block,
            // grown once to a range's size instead of on every block.
            let reused = parts
            let results = parallelMap(splits.count - 1, threads: options.threads) { p -> (Tokens, Int, RecordConverter.Outcome?) in
                var t = reused[p]
                let isLast = p == splits.count - 2
                let end = tokenizer.tokenize(snapshot.raw, splits[p]..<splits[p + 1], final: final && isLast, into: &t,
                                             knownPlain: clean.plain(splits[p]..<splits[p + 1]))
                let fits = !t.anomaly && (isLast || end == splits[p + 1])
                return (t, end, fits ? convert?(snapshot.raw, t) : nil)
            }
            // Every range but the last must end exactly where the next begins, or the split
            // guessed wrong (a stray quote): then read the block serially.
            let consistent = results.enumerated().allSatisfy { p, result in
                p == results.count - 1 || (result.1 == splits[p + 1] && !result.0.anomaly)
            } && !results[results.count - 1].0.anomaly
            if consistent {
                for (p, result) in results.enumerated() { parts[p] = result.0 }
                let outcomes = convert == nil ? nil : results.map { $0.2! }
                return (results.count, results[results.count - 1].1, outcomes)
            }
        }
        let end = tokenizer.tokenize(raw, 0..<raw.count, final: final, into: &parts[0])
        return (1, end, nil)
    }

    /// How many ranges a block is cut into: about one per MiB, at least 8. Fixed by the block, not
    /// by the thread count, so the batches a read produces — and any result that depends on
    /// batch boundaries, such as the order a query adds floating-point numbers in — are the
    /// same whatever `--threads` says.
    static func ranges(blockSize: Int) -> Int { max(8, blockSize >> 20) }

    /// Which evenly spaced segments of a block hold no quote and no CR: a range that lies
    /// within clean segments is tokenized without scanning it for them first.
    struct CleanSegments {
        var targets: [Int] = []
        var clean: [Bool] = []

        func plain(_ range: Range<Int>) -> Bool {
            guard !clean.isEmpty else { return false }
            // The segments `range` overlaps: from the one holding its start to the one
            // holding its last byte.
            var k = 0
            while k + 1 < clean.count && targets[k + 1] <= range.lowerBound { k += 1 }
            while k < clean.count && targets[k] < range.upperBound {
                if !clean[k] { return false }
                k += 1
            }
            return true
        }
    }

    /// Range starts: 0, then the first record boundary after each of `ranges - 1` evenly spaced
    /// offsets, found from the quote parity before it (valid for RFC 4180 doubled quotes, the
    /// common case; other escapes read serially). Ends with the block size. The same scan
    /// notes the segments without quotes or CRs.
    func splitPoints(_ raw: UnsafeRawBufferPointer, ranges: Int, final: Bool) -> ([Int], CleanSegments) {
        let n = raw.count
        let dialect = options.dialect
        guard ranges > 1, n >= options.parallelSplitMinimum, n >= 2, dialect.escape == dialect.quote else { return ([0, n], CleanSegments()) }
        let quote = dialect.quote
        let box = SharedBytes(raw)
        let targets = (0...ranges).map { n / ranges * $0 }
        let scans = parallelMap(ranges, threads: options.threads) { k -> (quotes: Int, sawCR: Bool) in
            Self.quoteCount(UnsafeRawBufferPointer(rebasing: box.raw[targets[k]..<(k == ranges - 1 ? n : targets[k + 1])]), quote)
        }
        let parities = scans.map { $0.quotes & 1 == 1 }
        let clean = CleanSegments(targets: Array(targets[0..<ranges]), clean: scans.map { $0.quotes == 0 && !$0.sawCR })
        var splits = [0]
        var inside = false
        for k in 1..<ranges {
            inside = inside != parities[k - 1]
            var state = inside
            var i = targets[k]
            var found: Int?
            let limit = min(n, targets[k] + (n / ranges))
            while i < limit {
                let b = raw[i]
                if b == quote { state.toggle() } else if !state && (b == 10 || b == 13) {
                    if b == 13 && i + 1 < n && raw[i + 1] == 10 { i += 1 }
                    found = i + 1
                    break
                }
                i += 1
            }
            if let found, found > splits.last!, found < n { splits.append(found) }
        }
        splits.append(n)
        return (splits, clean)
    }

    /// How many bytes of `bytes` are `quote`, 64 at a time.
    /// The quotes in `bytes`, and whether a CR is among them: one combined match per 64
    /// bytes, and a second (quotes alone) only where the first finds either.
    static func quoteCount(_ bytes: UnsafeRawBufferPointer, _ quote: UInt8) -> (quotes: Int, sawCR: Bool) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return (0, false) }
        var count = 0
        var sawCR = false
        var i = 0
        while i &+ 64 <= bytes.count {
            let either = baton_match64(base + i, quote, 13, quote, quote)
            if either != 0 {
                let quotes = baton_match64(base + i, quote, quote, quote, quote)
                count &+= quotes.nonzeroBitCount
                if either != quotes { sawCR = true }
            }
            i &+= 64
        }
        while i < bytes.count {
            if base[i] == quote { count &+= 1 } else if base[i] == 13 { sawCR = true }
            i &+= 1
        }
        return (count, sawCR)
    }
}
