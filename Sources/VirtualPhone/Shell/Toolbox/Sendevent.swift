import ADB

/// toybox's `sendevent DEVICE TYPE CODE VALUE`: writes one input event to a device of
/// `getevent`'s list. Numbers are read as C's `atoi` reads them (leading digits, anything else is
/// 0), and also in hex with `0x`.
extension VirtualPhoneShell {
    static let sendeventUsage = "usage: sendevent DEVICE TYPE CODE VALUE\n\nSends a Linux input event.\n"

    func sendevent(_ args: [String], io: ShellIO) async throws -> Int32 {
        guard args.count == 4 else {
            try await io.err(Self.sendeventUsage + "\n" + (args.count < 4 ? "sendevent: Need 4 arguments\n" : "sendevent: Max 4 arguments\n"))
            return 1
        }
        let path = args[0]
        let type = UInt16(truncatingIfNeeded: Self.cInteger(args[1]))
        let code = UInt16(truncatingIfNeeded: Self.cInteger(args[2]))
        let value = Int32(truncatingIfNeeded: Self.cInteger(args[3]))
        if await phone.write(device: path, type: type, code: code, value: value) { return 0 }
        let stat = files.stat(path.hasPrefix("/") ? path : "/" + path, follow: true)
        if stat.mode != 0 {
            try await io.err("sendevent: EVIOCGVERSION failed for \(path): Inappropriate ioctl for device\n")
        } else {
            try await io.err("sendevent: \(path): No such file or directory\n")
        }
        return 1
    }

    /// A number as `atoi` reads it (optional spaces and sign, then decimal digits, else 0), or in
    /// hex after `0x`.
    static func cInteger(_ text: String) -> Int64 {
        var s = Substring(text).drop { $0 == " " || $0 == "\t" }
        var sign: Int64 = 1
        if let first = s.first, first == "-" || first == "+" {
            if first == "-" { sign = -1 }
            s = s.dropFirst()
        }
        var radix: Int64 = 10
        if s.hasPrefix("0x") || s.hasPrefix("0X") {
            radix = 16
            s = s.dropFirst(2)
        }
        var n: Int64 = 0
        for ch in s {
            guard let d = ch.hexDigitValue, Int64(d) < radix else { break }
            n = (n &* radix &+ Int64(d)) & 0xFFFF_FFFF_FFFF
        }
        return sign * n
    }
}
