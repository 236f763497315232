import ADB

extension Toolbox {
    /// `cat [-n] [FILE…]` (`-` or nothing is stdin); output streams as it is read from stdin.
    static let cat: Command = { argv, context, io in
        let o = try ToolboxOptions(Array(argv.dropFirst()), command: "cat", flags: "nu")
        if o.operands.isEmpty && !o.has("n") {
            for await chunk in io.stdin { try await io.stdout(chunk) }
            return 0
        }
        let (bytes, status) = try await context.inputs(o.operands, "cat", io: io)
        if o.has("n") {
            var out = ""
            for (n, line) in toolboxLines(bytes).enumerated() { out += String(repeating: " ", count: max(0, 6 - String(n + 1).count)) + "\(n + 1)\t\(line)\n" }
            try await io.out(out)
        } else {
            try await io.stdout(bytes)
        }
        return status
    }

    /// `head`/`tail` with `-n N`, `-c N`, `-N`, and tail's `-n +N` (from line N).
    static func headTail(_ name: String) -> Command {
        { argv, context, io in
            var args = Array(argv.dropFirst())
            if let first = args.first, first.count > 1, first.hasPrefix("-"), Int(first.dropFirst()) != nil { args[0] = "-n" + first.dropFirst() }
            let o = try ToolboxOptions(args, command: name, flags: "qv", valued: "nc")
            let countText = o.values["c"] ?? o.values["n"] ?? "10"
            let fromStart = name == "tail" && countText.hasPrefix("+")
            guard let count = Int(countText.hasPrefix("+") ? String(countText.dropFirst()) : countText) else {
                try await io.err("\(name): invalid number '\(countText)'\n")
                return 1
            }
            if name == "head", o.operands.isEmpty || o.operands == ["-"] {
                // From a pipe: stop reading once enough has come, as toybox does, so an endless
                // writer (`yes | head -n 2`) ends on its broken pipe.
                try await streamHead(io, count: Int(clamping: count.magnitude), bytes: o.values["c"] != nil)
                return 0
            }
            let (bytes, status) = try await context.inputs(o.operands, name, io: io)
            if o.values["c"] != nil {
                let n = Int(clamping: count.magnitude)
                let picked = name == "head" ? bytes.prefix(n) : fromStart ? bytes.dropFirst(max(0, n - 1)) : bytes.suffix(n)
                try await io.stdout(Array(picked))
                return status
            }
            var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map { String($0) + "\n" }
            if let last = lines.last {
                lines[lines.count - 1] = String(last.dropLast())
                if lines[lines.count - 1].isEmpty { lines.removeLast() }
            }
            let n = Int(clamping: count.magnitude)
            let picked = name == "head" ? Array(lines.prefix(n)) : fromStart ? Array(lines.dropFirst(max(0, n - 1))) : Array(lines.suffix(n))
            try await io.out(picked.joined())
            return status
        }
    }

    /// The first `count` lines (or bytes) of stdin, written as they arrive; returns as soon as
    /// they are out, without reading the rest.
    static func streamHead(_ io: ShellIO, count: Int, bytes: Bool) async throws {
        var left = count
        guard left > 0 else { return }
        for await chunk in io.stdin {
            if bytes {
                let part = Array(chunk.prefix(left))
                try await io.stdout(part)
                left -= part.count
            } else {
                var end = chunk.startIndex
                while end < chunk.endIndex, left > 0 {
                    if chunk[end] == UInt8(ascii: "\n") { left -= 1 }
                    end += 1
                }
                try await io.stdout(Array(chunk[..<end]))
            }
            if left == 0 { return }
        }
    }
}
