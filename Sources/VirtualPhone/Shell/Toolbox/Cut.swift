import ADB

extension Toolbox {
    /// `cut -f LIST [-d C] [-s]`, `cut -c LIST`, `cut -b LIST`; LIST is `N`, `N-M`, `N-`, `-M`, comma separated.
    static let cut: Command = { argv, context, io in
        let o = try ToolboxOptions(Array(argv.dropFirst()), command: "cut", flags: "s", valued: "fcbd")
        guard let listText = o.values["f"] ?? o.values["c"] ?? o.values["b"], let ranges = cutRanges(listText) else {
            try await io.err("cut: needs -f, -c or -b with a list like 1,3-5\n")
            return 1
        }
        let delimiter = o.values["d"] ?? "\t"
        guard delimiter.count == 1 else {
            try await io.err("cut: the delimiter must be one character\n")
            return 1
        }
        func selected(_ n: Int) -> Bool { ranges.contains { $0.contains(n) } }
        let (bytes, status) = try await context.inputs(o.operands, "cut", io: io)
        var out = ""
        for line in toolboxLines(bytes) {
            if o.values["f"] != nil {
                guard line.contains(delimiter) else {
                    if !o.has("s") { out += line + "\n" }
                    continue
                }
                let fields = line.split(separator: Character(delimiter), omittingEmptySubsequences: false)
                out += fields.enumerated().filter { selected($0.offset + 1) }.map { String($0.element) }.joined(separator: delimiter) + "\n"
            } else {
                let chars = Array(line)
                out += String(chars.enumerated().filter { selected($0.offset + 1) }.map(\.element)) + "\n"
            }
        }
        try await io.out(out)
        return status
    }

    static func cutRanges(_ text: String) -> [ClosedRange<Int>]? {
        var out: [ClosedRange<Int>] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            switch bounds.count {
            case 1:
                guard let n = Int(bounds[0]), n >= 1 else { return nil }
                out.append(n...n)
            case 2:
                let low = bounds[0].isEmpty ? 1 : Int(bounds[0])
                let high = bounds[1].isEmpty ? Int.max : Int(bounds[1])
                guard let low, let high, low >= 1, low <= high else { return nil }
                out.append(low...high)
            default: return nil
            }
        }
        return out.isEmpty ? nil : out
    }
}
