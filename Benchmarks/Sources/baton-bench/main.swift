import Codecs
import Columns
import Datagen
import Storage

#if canImport(Glibc)
import Glibc
#endif

/// Write and read throughput of the .baton format on the db-benchmark group-by data, per codec.
///
/// Throughput is MB/s of plain data (the values' in-memory size: fixed-width values, string
/// lengths and bytes), best of `--repeat` runs. Reads decode every column of every row group
/// into memory, which is what a query over the whole file costs before any operator runs.
///
///     baton-bench storage [--rows N] [--repeat R] [--dir DIR] [--codecs auto,none,lz4,zstd]
///     baton-bench read FILE [--repeat R] [--columns a,b] [--threads T] [--keep]

func argument(_ name: String, _ fallback: String) -> String {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: name), i + 1 < args.count { return args[i + 1] }
    return fallback
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let elapsed = try clock.measure(body)
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func fixed(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = String(rounded)
    if let dot = text.firstIndex(of: ".") {
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
    }
    return text
}

func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }

/// Reads every chunk of the given columns; returns rows read. With `keep`, every decoded
/// column stays in memory, as when a whole table is loaded (what the peers' readers do).
func readAll(_ path: String, columns: [String]?, keep: Bool = false) throws -> Int {
    let reader = try BatonReader(path: path)
    let indices = try reader.columnIndices(columns)
    var rows = 0
    var kept: [[Column]] = []
    for g in reader.footer.rowGroups.indices {
        let read = try reader.readRowGroup(g, columns: indices, threads: Int(argument("--threads", "2"))!)
        rows += read.first?.count ?? 0
        if keep { kept.append(read) }
    }
    return rows + kept.count * 0
}

func plainBytes(_ path: String, columns: [String]?) throws -> Int {
    let reader = try BatonReader(path: path)
    let indices = try reader.columnIndices(columns)
    return reader.footer.rowGroups.reduce(0) { total, group in total + indices.reduce(0) { $0 + group.chunks[$1].plainSize } }
}

func storage() throws {
    let rows = Int(argument("--rows", "10000000"))!
    let repeats = Int(argument("--repeat", "3"))!
    let dir = argument("--dir", "/tmp")
    let codecs = argument("--codecs", "auto,none,lz4,zstd:1,zstd:3").split(separator: ",").map(String.init)
    let generator = try GroupByGenerator(rows: rows)
    var batches: [Batch] = []
    try generator.generate { (batch) throws(BatonError) in batches.append(batch) }
    print("db-benchmark group-by data, \(rows) rows, \(WriteOptions().threads) threads, best of \(repeats)")
    print([pad("codec", 9), pad("file MiB", 9), pad("ratio", 7), pad("write MB/s", 11), pad("read MB/s", 10), "read 1 col MB/s"].joined(separator: " "))
    for codec in codecs {
        let path = "\(dir)/baton-bench-\(codec.replacingColons()).baton"
        let options = WriteOptions(codec: try CodecChoice(parsing: codec))
        var write = Double.infinity, read = Double.infinity, readOne = Double.infinity
        for _ in 0..<repeats {
            write = min(write, try seconds {
                let writer = try BatonWriter(path: path, schema: GroupByGenerator.schema, options: options)
                for batch in batches { try writer.write(batch) }
                try writer.finish()
            })
        }
        for _ in 0..<repeats { read = min(read, try seconds { _ = try readAll(path, columns: nil) }) }
        for _ in 0..<repeats { readOne = min(readOne, try seconds { _ = try readAll(path, columns: ["v3"]) }) }
        let plain = Double(try plainBytes(path, columns: nil)), plainOne = Double(try plainBytes(path, columns: ["v3"]))
        let size = try BatonReader(path: path).fileSize
        print([pad(codec, 9), pad(fixed(Double(size) / 1_048_576, 1), 9), pad(fixed(plain / Double(size), 2), 7),
               pad(fixed(plain / write / 1e6, 0), 11), pad(fixed(plain / read / 1e6, 0), 10),
               fixed(plainOne / readOne / 1e6, 0)].joined(separator: " "))
        unlink(path)
    }
}

func readFile() throws {
    let path = CommandLine.arguments[2]
    let repeats = Int(argument("--repeat", "3"))!
    let columns = CommandLine.arguments.contains("--columns") ? argument("--columns", "").split(separator: ",").map(String.init) : nil
    var best = Double.infinity
    var rows = 0
    let keep = CommandLine.arguments.contains("--keep")
    for _ in 0..<repeats { best = min(best, try seconds { rows = try readAll(path, columns: columns, keep: keep) }) }
    let plain = Double(try plainBytes(path, columns: columns))
    print("read \(rows) rows, \(fixed(plain / 1e6, 1)) MB plain in \(fixed(best, 3)) s: \(fixed(plain / best / 1e6, 0)) MB/s")
}

extension String {
    func replacingColons() -> String { String(map { $0 == ":" ? "-" : $0 }) }
}

Allocator.tuneForColumnarWork()
do {
    switch CommandLine.arguments.dropFirst().first {
    case "storage": try storage()
    case "read": try readFile()
    default:
        print("usage: baton-bench storage [--rows N] [--repeat R] [--dir DIR] [--codecs auto,none,lz4,zstd:1]\n"
            + "       baton-bench read FILE.baton [--repeat R] [--columns a,b] [--threads T] [--keep]")
    }
} catch {
    print("baton-bench: \(error)")
    exit(1)
}
