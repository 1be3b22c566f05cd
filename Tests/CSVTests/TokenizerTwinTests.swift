@testable import CSV
import Testing

/// The quote-free fast tokenizer against the general state machine, on random input without
/// quotes or CRs (empty fields, blank lines, an unfinished last record, ranges starting and
/// ending anywhere, final or not): every position, record, line count and the carry-over agree.
@Suite struct TokenizerTwinTests {
    struct Snapshot: Equatable {
        var consumed: Int
        var starts: [UInt32], ends: [UInt32], recordFields: [UInt32], recordOffsets: [UInt32]
        var recordLines: [UInt32], recordEnds: [UInt32], lines: Int

        init(_ t: Tokens, _ consumed: Int) {
            func all(_ b: UInt32Buffer) -> [UInt32] { (0..<b.count).map { b[$0] } }
            self.consumed = consumed
            starts = all(t.starts); ends = all(t.ends); recordFields = all(t.recordFields)
            recordOffsets = all(t.recordOffsets); recordLines = all(t.recordLines); recordEnds = all(t.recordEnds)
            lines = t.lines
        }
    }

    @Test(arguments: [false, true])
    func plainMatchesGeneral(blankLinesAreRecords: Bool) {
        var state: UInt64 = blankLinesAreRecords ? 5 : 3
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
        let tokenizer = Tokenizer(CSVDialect(), blankLinesAreRecords: blankLinesAreRecords)
        for _ in 0..<400 {
            var text: [UInt8] = []
            for _ in 0..<(1 + next(200)) {
                switch next(10) {
                case 0: text.append(10)                      // line break (blank lines when repeated)
                case 1, 2: text.append(44)                   // delimiter (empty fields when repeated)
                default: text += Array(repeating: UInt8(97 + next(26)), count: 1 + next(5))
                }
            }
            let lower = next(text.count + 1), upper = lower + next(text.count - lower + 1)
            let final = next(2) == 0
            text.withUnsafeBytes { raw in
                var a = Tokens(), b = Tokens()
                let plain = tokenizer.tokenizePlain(raw, lower..<upper, final: final, into: &a)
                let general = tokenizer.tokenizeGeneral(raw, lower..<upper, final: final, into: &b)
                #expect(Snapshot(a, plain) == Snapshot(b, general), "\(String(decoding: text, as: UTF8.self).debugDescription) \(lower)..<\(upper) final=\(final)")
            }
        }
    }
}
