import Columns
import Foundation
import Pipeline

/// A scratch directory holding a pipeline file and its data; removed afterwards.
final class Scratch {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "baton-pipeline-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ name: String, _ text: String) {
        let full = path + "/" + name
        try! FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! text.write(toFile: full, atomically: true, encoding: .utf8)
    }

    func read(_ name: String) -> String? { try? String(contentsOfFile: path + "/" + name, encoding: .utf8) }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path + "/" + name) }

    /// Every file under the directory (relative paths, sorted), the workspace excluded.
    func files(under name: String = "") -> [String] {
        let root = name.isEmpty ? path : path + "/" + name
        let all = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? []
        return all.filter { !$0.hasPrefix(".baton") }.sorted()
    }

    func load(_ name: String = "pipeline.yaml", variables: [String: String] = [:]) throws -> Pipeline {
        try Pipeline.load(path + "/" + name, variables: variables, environment: [:], threads: 2)
    }

    /// Runs the pipeline; returns the report and the JSON progress events it emitted.
    func run(_ name: String = "pipeline.yaml", variables: [String: String] = [:], configure: (inout RunOptions) -> Void = { _ in })
        throws -> (RunReport, [[String: Any]]) {
        let pipeline = try load(name, variables: variables)
        var options = RunOptions()
        configure(&options)
        let lines = LinesBox()
        let reporter = ProgressReporter(style: .json) { lines.append($0) }
        let report = try PipelineRunner(pipeline, options: options, reporter: reporter).run()
        let events = lines.all.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
        return (report, events)
    }
}

final class LinesBox: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    func append(_ s: String) { lock.lock(); text += s; lock.unlock() }
    var all: String { lock.lock(); defer { lock.unlock() }; return text }
}

extension RunReport {
    /// "stage:status" for every stage, in run order.
    var statuses: [String] { stages.map { "\($0.stage):\($0.status.rawValue)" } }
}

/// A small pipeline over two CSV sources: a join, an aggregate, checks and two sinks.
let shopPipeline = """
    name: shop
    stages:
      orders:
        source: data/orders.csv
      customers:
        source: data/customers.csv
        checks:
          - unique: id
      paid:
        from: orders
        filter: amount > 0
        checks:
          - not_null: customer
      by_country:
        sql: |
          SELECT c.country, count(*) AS orders, sum(p.amount) AS amount
          FROM paid p JOIN customers c ON p.customer = c.id
          GROUP BY c.country ORDER BY c.country
      report:
        sink: out/by_country.csv
        from: by_country
      customers_out:
        sink: out/customers.jsonl
        from: customers

    """

let shopOrders = "id,customer,amount\n1,1,10.5\n2,2,20\n3,1,0\n4,3,7.25\n5,2,2.75\n"
let shopCustomers = "id,country\n1,DE\n2,FR\n3,DE\n"
