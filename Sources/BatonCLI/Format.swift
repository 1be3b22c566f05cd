import Columns

/// Human-readable numbers for command output.
enum Format {
    static func bytes(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(n) B" : "\(fixed(value, 1)) \(units[unit])"
    }

    static func ratio(_ plain: Int, _ stored: Int) -> String {
        stored == 0 ? "-" : fixed(Double(plain) / Double(stored), 2) + "x"
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return String(value) }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (value * scale).rounded()
        let whole = Int64(scaled / scale)
        let fraction = Int64(abs(scaled - Double(whole) * scale))
        var text = String(fraction)
        while text.count < digits { text = "0" + text }
        return digits == 0 ? String(whole) : "\(scaled < 0 && whole == 0 ? "-" : "")\(whole).\(text)"
    }

    /// Left-aligned columns separated by two spaces.
    static func table(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        var widths = [Int](repeating: 0, count: first.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
