import ADB

extension Toolbox {
    /// mksh's `echo`: `-n` drops the newline, `-e` interprets escapes (the default), `-E` does not;
    /// `\c` ends the output.
    static let echo: Command = { argv, _, io in
        var args = Array(argv.dropFirst())
        var newline = true, escapes = true
        while let first = args.first, first.count > 1, first.hasPrefix("-"), first.dropFirst().allSatisfy({ "neE".contains($0) }) {
            for c in first.dropFirst() {
                if c == "n" { newline = false } else { escapes = c == "e" }
            }
            args.removeFirst()
        }
        var text = args.joined(separator: " ")
        if escapes {
            let (decoded, stop) = unescape(text, octalNeedsZero: true)
            text = decoded
            if stop { newline = false }
        }
        try await io.out(text + (newline ? "\n" : ""))
        return 0
    }

    /// Backslash escapes of echo and printf; `stop` when `\c` cut the text short.
    static func unescape(_ text: String, octalNeedsZero: Bool) -> (String, stop: Bool) {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            guard b == UInt8(ascii: "\\"), i + 1 < bytes.count else { out.append(b); i += 1; continue }
            let c = bytes[i + 1]
            i += 2
            switch c {
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "a"): out.append(7)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "v"): out.append(11)
            case UInt8(ascii: "e"): out.append(27)
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "c"): return (String(decoding: out, as: UTF8.self), true)
            case UInt8(ascii: "0")...UInt8(ascii: "7") where !octalNeedsZero || c == UInt8(ascii: "0"):
                var value = 0, digits = 0
                if !octalNeedsZero { i -= 1 }
                while i < bytes.count, digits < 3, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(bytes[i]) {
                    value = value * 8 + Int(bytes[i] - UInt8(ascii: "0"))
                    i += 1
                    digits += 1
                }
                out.append(UInt8(value & 0xff))
            default:
                out.append(UInt8(ascii: "\\"))
                out.append(c)
            }
        }
        return (String(decoding: out, as: UTF8.self), false)
    }

    /// `printf FORMAT [ARG…]`: `%s %d %i %u %x %X %o %c %b %%` with flags, width and precision; the
    /// format repeats while arguments remain.
    static let printf: Command = { argv, _, io in
        guard argv.count >= 2 else {
            try await io.err("printf: needs a format\n")
            return 1
        }
        let format = Array(argv[1])
        var args = Array(argv.dropFirst(2))[...]
        var out = ""
        var status: Int32 = 0
        repeat {
            var i = 0
            var consumed = false
            while i < format.count {
                let c = format[i]
                if c == "\\" {
                    var j = i + 1
                    var escape = "\\"
                    if j < format.count, format[j].isNumber {
                        while j < format.count, j < i + 4, ("0"..."7").contains(format[j]) { escape.append(format[j]); j += 1 }
                    } else if j < format.count {
                        escape.append(format[j]); j += 1
                    }
                    let (text, stop) = unescape(escape, octalNeedsZero: false)
                    out += text
                    if stop { try await io.out(out); return status }
                    i = j
                    continue
                }
                guard c == "%", i + 1 < format.count else { out.append(c); i += 1; continue }
                var j = i + 1
                var spec = "%"
                while j < format.count, "-+ #0123456789.".contains(format[j]) { spec.append(format[j]); j += 1 }
                guard j < format.count else { out += spec; break }
                let conversion = format[j]
                i = j + 1
                if conversion == "%" { out += "%"; continue }
                let arg = args.popFirst()
                consumed = true
                switch conversion {
                case "s": out += pad(arg ?? "", spec)
                case "b": out += pad(unescape(arg ?? "", octalNeedsZero: true).0, spec)
                case "c": out += pad(arg.flatMap { $0.first.map(String.init) } ?? "", spec)
                case "d", "i", "u", "x", "X", "o":
                    let text = arg ?? "0"
                    var number: Int
                    if let n = ShellArithmetic.number(text.hasPrefix("-") || text.hasPrefix("+") ? String(text.dropFirst()) : text) {
                        number = text.hasPrefix("-") ? -n : n
                    } else if text.hasPrefix("'") || text.hasPrefix("\""), let scalar = text.dropFirst().unicodeScalars.first {
                        number = Int(scalar.value)
                    } else {
                        try await io.err("printf: invalid number '\(text)'\n")
                        status = 1
                        number = 0
                    }
                    let cSpec = spec + (conversion == "i" || conversion == "u" ? "ld" : "l" + String(conversion))
                    out += String(format: cSpec, number)
                default:
                    throw ShellError.notSupported("printf %\(conversion)")
                }
            }
            if !consumed { break }
        } while !args.isEmpty
        try await io.out(out)
        return status
    }

    /// Width (`-` to the left) and precision of `%s`.
    private static func pad(_ s: String, _ spec: String) -> String {
        let body = spec.dropFirst()
        let left = body.contains("-")
        let parts = body.filter { $0 != "-" && $0 != "+" && $0 != " " && $0 != "#" }.split(separator: ".", omittingEmptySubsequences: false)
        let width = parts.first.flatMap { Int($0) } ?? 0
        var text = s
        if parts.count > 1 { text = String(text.prefix(Int(parts[1]) ?? 0)) }
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return left ? text + fill : fill + text
    }
}
