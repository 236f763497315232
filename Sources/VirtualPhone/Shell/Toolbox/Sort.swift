import ADB

extension Toolbox {
    /// `sort [-n] [-r] [-u] [-f] [-t C] [-k N]`: byte order (or numeric by leading number), stable.
    static let sort: Command = { argv, context, io in
        let o = try ToolboxOptions(Array(argv.dropFirst()), command: "sort", flags: "nrufb", valued: "tk")
        let (bytes, status) = try await context.inputs(o.operands, "sort", io: io)
        var keyField: Int?
        if let k = o.values["k"] {
            guard let n = Int(k.split(separator: ",").first ?? ""), n >= 1 else { throw ShellError.notSupported("sort -k \(k)") }
            keyField = n
        }
        func key(_ line: String) -> String {
            guard let keyField else { return line }
            if let t = o.values["t"], let c = t.first {
                let fields = line.split(separator: c, omittingEmptySubsequences: false)
                return keyField <= fields.count ? fields[(keyField - 1)...].joined(separator: String(c)) : ""
            }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            return keyField <= fields.count ? fields[(keyField - 1)...].joined(separator: " ") : ""
        }
        func number(_ s: String) -> Double {
            let trimmed = s.drop { $0 == " " || $0 == "\t" }
            var digits = ""
            for c in trimmed {
                if c.isNumber || (digits.isEmpty && c == "-") || (c == "." && !digits.contains(".")) { digits.append(c) } else { break }
            }
            return Double(digits) ?? 0
        }
        func fold(_ s: String) -> [UInt8] { Array((o.has("f") ? s.uppercased() : s).utf8) }
        func compare(_ a: String, _ b: String) -> Int {
            let (x, y) = (key(a), key(b))
            if o.has("n") {
                let (m, n) = (number(x), number(y))
                if m != n { return m < n ? -1 : 1 }
                return 0
            }
            let (p, q) = (fold(x), fold(y))
            return p == q ? 0 : p.lexicographicallyPrecedes(q) ? -1 : 1
        }
        var lines = toolboxLines(bytes).enumerated().sorted { a, b in
            var c = compare(a.element, b.element)
            if c == 0, !o.has("u") {
                let (p, q) = (Array(a.element.utf8), Array(b.element.utf8))
                c = p == q ? 0 : p.lexicographicallyPrecedes(q) ? -1 : 1
            }
            if o.has("r") { c = -c }
            return c != 0 ? c < 0 : a.offset < b.offset
        }.map(\.element)
        if o.has("u") {
            var unique: [String] = []
            for line in lines where unique.last.map({ compare($0, line) != 0 }) ?? true { unique.append(line) }
            lines = unique
        }
        try await io.out(lines.map { $0 + "\n" }.joined())
        return status
    }

    /// `uniq [-c] [-d] [-u] [-i]`: adjacent duplicate lines.
    static let uniq: Command = { argv, context, io in
        let o = try ToolboxOptions(Array(argv.dropFirst()), command: "uniq", flags: "cdui")
        let (bytes, status) = try await context.inputs(Array(o.operands.prefix(1)), "uniq", io: io)
        var groups: [(String, Int)] = []
        for line in toolboxLines(bytes) {
            if let last = groups.last, o.has("i") ? last.0.lowercased() == line.lowercased() : last.0 == line {
                groups[groups.count - 1].1 += 1
            } else {
                groups.append((line, 1))
            }
        }
        var out = ""
        for (line, count) in groups where (!o.has("d") || count > 1) && (!o.has("u") || count == 1) {
            out += o.has("c") ? String(repeating: " ", count: max(0, 7 - String(count).count)) + "\(count) \(line)\n" : line + "\n"
        }
        try await io.out(out)
        return status
    }
}
