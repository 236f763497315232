import ADB
import Foundation

extension Toolbox {
    /// `env [NAME=VALUE…] [COMMAND…]`: prints the environment, or runs a command with additions.
    static let env: Command = { argv, context, io in
        var args = Array(argv.dropFirst())[...]
        var environment = context.environment
        if let first = args.first, first.hasPrefix("-") { throw ShellError.notSupported("env \(first)") }
        while let a = args.first, let eq = a.firstIndex(of: "=") {
            environment[String(a[..<eq])] = String(a[a.index(after: eq)...])
            args.removeFirst()
        }
        guard !args.isEmpty else {
            try await io.out(environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined())
            return 0
        }
        return try await runProgram(Array(args), ToolboxContext(files: context.files, cwd: context.cwd, environment: environment, host: context.host), io)
    }

    /// Runs a toybox command or the phone's own (what `env` and `xargs` can start: no shell builtins).
    static func runProgram(_ argv: [String], _ context: ToolboxContext, _ io: ShellIO) async throws -> Int32 {
        if let status = try await run(argv, context: context, io: io) { return status }
        if let status = await context.host.run(argv, cwd: context.cwd, io: io) { return status }
        try await io.err("\(argv[0]): not found\n")
        return 127
    }

    /// `sleep SECONDS` (fractions and the s/m/h suffixes).
    static let sleep: Command = { argv, _, io in
        guard argv.count == 2 else {
            try await io.err("sleep: needs 1 argument\n")
            return 1
        }
        var text = argv[1]
        var scale = 1.0
        if let last = text.last, let s = ["s": 1.0, "m": 60, "h": 3600][String(last)] { scale = s; text.removeLast() }
        guard let seconds = Double(text), seconds >= 0 else {
            try await io.err("sleep: invalid number '\(argv[1])'\n")
            return 1
        }
        try await Task.sleep(for: .milliseconds(Int(seconds * scale * 1000)))
        return 0
    }

    /// `date [-u] [+FORMAT]` on the phone's clock, in UTC (the phone's time zone).
    static let date: Command = { argv, context, io in
        var format = "%a %b %e %H:%M:%S %Z %Y"
        for a in argv.dropFirst() {
            if a == "-u" { continue }
            if a.hasPrefix("+") { format = String(a.dropFirst()); continue }
            throw ShellError.notSupported("date \(a)")
        }
        let now = await context.host.wallTime()
        try await io.out(strftime(format, Date(timeIntervalSince1970: now)) + "\n")
        return 0
    }

    static func strftime(_ format: String, _ date: Date) throws(ShellError) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int?) -> String { String(format: "%02d", n ?? 0) }
        var out = ""
        var chars = format.makeIterator()
        while let ch = chars.next() {
            guard ch == "%" else { out.append(ch); continue }
            guard let f = chars.next() else { out += "%"; break }
            switch f {
            case "Y": out += String(c.year ?? 0)
            case "y": out += two((c.year ?? 0) % 100)
            case "m": out += two(c.month)
            case "d": out += two(c.day)
            case "e": out += String(format: "%2d", c.day ?? 0)
            case "H": out += two(c.hour)
            case "M": out += two(c.minute)
            case "S": out += two(c.second)
            case "s": out += String(Int(date.timeIntervalSince1970))
            case "a": out += days[((c.weekday ?? 1) - 1) % 7]
            case "b", "h": out += months[((c.month ?? 1) - 1) % 12]
            case "Z": out += "UTC"
            case "z": out += "+0000"
            case "T": out += "\(two(c.hour)):\(two(c.minute)):\(two(c.second))"
            case "F": out += "\(c.year ?? 0)-\(two(c.month))-\(two(c.day))"
            case "D": out += "\(two(c.month))/\(two(c.day))/\(two((c.year ?? 0) % 100))"
            case "n": out += "\n"
            case "t": out += "\t"
            case "%": out += "%"
            default: throw .notSupported("date format %\(f)")
            }
        }
        return out
    }

    /// `ps [-A|-e]`: toybox's columns for a fixed set of system processes and this shell.
    static let ps: Command = { argv, _, io in
        for a in argv.dropFirst() where !["-A", "-e", "-a"].contains(a) { throw ShellError.notSupported("ps \(a)") }
        let rows: [(String, Int, Int, String)] = [
            ("root", 1, 0, "init"), ("root", 2, 0, "[kthreadd]"), ("logd", 318, 1, "logd"), ("root", 512, 1, "zygote64"),
            ("system", 801, 512, "system_server"), ("u0_a120", 1104, 512, "com.android.systemui"), ("shell", 1630, 1, "adbd"),
            ("u0_a88", 2210, 512, "com.android.launcher3"), ("shell", 4242, 1630, "sh"), ("shell", 4243, 4242, "ps")
        ]
        var out = "USER            PID   PPID     VSZ    RSS WCHAN            ADDR S NAME                       \n"
        for (user, pid, ppid, name) in rows {
            out +=
                user.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: "%7d %6d %7d %6d ", pid, ppid, 10_868_000, 3_400)
                + "0                   0 S " + name + "\n"
        }
        try await io.out(out)
        return 0
    }

    /// `df [-h] [-k]`: the phone's usual mounts, fixed sizes.
    static let df: Command = { argv, _, io in
        let o = try ToolboxOptions(Array(argv.dropFirst()), command: "df", flags: "hk")
        let mounts: [(String, Int, Int, String)] = [
            ("/dev/block/dm-0", 5_008_004, 4_950_120, "/"), ("tmpfs", 1_976_436, 1_124, "/dev"),
            ("/dev/block/dm-5", 52_818_172, 12_644_816, "/data"), ("/dev/fuse", 52_818_172, 12_644_816, "/storage/emulated")
        ]
        func human(_ kb: Int) -> String {
            let units = ["K", "M", "G", "T"]
            var value = Double(kb), unit = 0
            while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
            return value < 10 ? String(format: "%.1f%@", value, units[unit]) : "\(Int(value.rounded()))\(units[unit])"
        }
        var out = o.has("h") ? "Filesystem      Size  Used Avail Use% Mounted on\n" : "Filesystem      1K-blocks     Used Available Use% Mounted on\n"
        for (fs, size, used, mount) in mounts {
            let use = "\((used * 100 + size - 1) / size)%"
            if o.has("h") {
                out +=
                    fs.padding(toLength: 15, withPad: " ", startingAt: 0) + " " + [human(size), human(used), human(size - used)].map { String(repeating: " ", count: max(0, 5 - $0.count)) + $0 }.joined(separator: " ")
                    + " " + String(repeating: " ", count: max(0, 4 - use.count)) + use + " " + mount + "\n"
            } else {
                out +=
                    fs.padding(toLength: 15, withPad: " ", startingAt: 0) + String(format: " %10d %8d %9d ", size, used, size - used)
                    + String(repeating: " ", count: max(0, 4 - use.count)) + use + " " + mount + "\n"
            }
        }
        try await io.out(out)
        return 0
    }

    /// `logcat -d` (dump and exit) and `logcat -c`; streaming logcat would never end, so it is refused.
    static let logcat: Command = { argv, _, io in
        var dump = false, clear = false
        var args = Array(argv.dropFirst())[...]
        while let a = args.popFirst() {
            switch a {
            case "-d": dump = true
            case "-c": clear = true
            case "-v", "-b", "-t", "-s", "-T": _ = a == "-s" ? nil : args.popFirst()
            default:
                if a.hasPrefix("-") { throw ShellError.notSupported("logcat \(a)") }
            }
        }
        if clear { return 0 }
        guard dump else { throw ShellError.notSupported("logcat without -d (a stream that never ends)") }
        try await io.out("--------- beginning of main\n--------- beginning of system\n")
        return 0
    }

    static let whoami: Command = { _, _, io in
        try await io.out("shell\n")
        return 0
    }

    static let id: Command = { _, _, io in
        try await io.out("uid=2000(shell) gid=2000(shell) groups=2000(shell) context=u:r:shell:s0\n")
        return 0
    }
}
