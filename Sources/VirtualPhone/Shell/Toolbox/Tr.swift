import ADB

extension Toolbox {
    /// `tr [-d] [-s] [-c] SET1 [SET2]` over bytes: ranges, escapes and `[:class:]`; SET2 is padded
    /// with its last character.
    static let tr: Command = { argv, _, io in
        let o = try ToolboxOptions(Array(argv.dropFirst()), command: "tr", flags: "dscC")
        guard let first = o.operands.first else {
            try await io.err("tr: needs 1 argument\n")
            return 1
        }
        var set1 = expandSet(first)
        let set2 = o.operands.count > 1 ? expandSet(o.operands[1]) : []
        if o.has("c") || o.has("C") {
            let excluded = Set(set1)
            set1 = (0...255).map(UInt8.init).filter { !excluded.contains($0) }
        }
        if !o.has("d"), !o.has("s"), set2.isEmpty {
            try await io.err("tr: needs 2 arguments\n")
            return 1
        }
        var map = Array(0...255).map { UInt8($0) }
        if !o.has("d"), !set2.isEmpty {
            for (i, b) in set1.enumerated() { map[Int(b)] = i < set2.count ? set2[i] : set2[set2.count - 1] }
        }
        let delete = o.has("d") ? Set(set1) : []
        let squeeze = o.has("s") ? Set(set2.isEmpty || o.has("d") ? (o.has("d") ? set2 : set1) : set2) : []
        var out: [UInt8] = []
        for await chunk in io.stdin {
            for b in chunk where !delete.contains(b) {
                let m = (o.has("d") || set2.isEmpty) ? b : map[Int(b)]
                if squeeze.contains(m), out.last == m { continue }
                out.append(m)
            }
        }
        try await io.stdout(out)
        return 0
    }

    static func expandSet(_ text: String) -> [UInt8] {
        let (decoded, _) = unescape(text, octalNeedsZero: false)
        let bytes = Array(decoded.utf8)
        let classes: [String: (UInt8) -> Bool] = [
            "upper": { (65...90).contains($0) }, "lower": { (97...122).contains($0) }, "digit": { (48...57).contains($0) },
            "alpha": { (65...90).contains($0) || (97...122).contains($0) }, "alnum": { (65...90).contains($0) || (97...122).contains($0) || (48...57).contains($0) },
            "space": { [9, 10, 11, 12, 13, 32].contains($0) }, "blank": { $0 == 9 || $0 == 32 }, "punct": { (33...47).contains($0) || (58...64).contains($0) || (91...96).contains($0) || (123...126).contains($0) }
        ]
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "["), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: ":"),
                let end = (i + 2..<bytes.count).first(where: { bytes[$0] == UInt8(ascii: ":") && $0 + 1 < bytes.count && bytes[$0 + 1] == UInt8(ascii: "]") }),
                let test = classes[String(decoding: bytes[(i + 2)..<end], as: UTF8.self)]
            {
                out += (0...255).map(UInt8.init).filter(test)
                i = end + 2
                continue
            }
            if i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "-"), bytes[i] <= bytes[i + 2] {
                out += Array(bytes[i]...bytes[i + 2])
                i += 3
                continue
            }
            out.append(bytes[i])
            i += 1
        }
        return out
    }
}
