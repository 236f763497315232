import ADB

extension Toolbox {
    /// `wc [-lwcm] [FILE…]`: with one count and no file just the number; otherwise counts in
    /// toybox's columns (first unpadded, the rest 7 wide), then the name.
    static let wc: Command = { argv, context, io in
        let o = try ToolboxOptions(Array(argv.dropFirst()), command: "wc", flags: "lwcm")
        let shown = o.flags.isEmpty ? ["l", "w", "c"] : ["l", "w", "c", "m"].filter { o.has(Character($0)) }
        var status: Int32 = 0
        var totals = [String: Int]()
        var out = ""
        func row(_ counts: [String: Int], _ name: String?) -> String {
            let cells = shown.enumerated().map { n, key in
                let text = String(counts[key] ?? 0)
                return n == 0 ? text : String(repeating: " ", count: max(0, 7 - text.count)) + text
            }
            return cells.joined(separator: " ") + (name.map { " " + $0 } ?? "") + "\n"
        }
        for file in o.operands.isEmpty ? ["-"] : o.operands {
            let bytes: [UInt8]
            if file == "-" {
                bytes = await ToolboxContext.readAll(io.stdin)
            } else if let b = await context.read(file) {
                bytes = b
            } else {
                try await io.err("wc: \(file): No such file or directory\n")
                status = 1
                continue
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let counts = [
                "l": bytes.filter { $0 == 10 }.count, "w": text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).count,
                "c": bytes.count, "m": text.count
            ]
            for (k, v) in counts { totals[k, default: 0] += v }
            out += row(counts, o.operands.isEmpty ? nil : file)
        }
        if o.operands.count > 1 { out += row(totals, "total") }
        try await io.out(out)
        return status
    }
}
