import ADB
import Foundation
import Imaging

/// The virtual phone's `/system/bin/sh -c`: the commands Tether and adb clients use (screencap,
/// input, am, pm, dumpsys, wm, settings, ime, uiautomator, getevent, content, monkey, getprop …),
/// pipes to grep/head/tail/wc, and the file commands of `BasicDeviceShell`.
public struct VirtualPhoneShell: DeviceShell {
    public let phone: VirtualPhone
    let files: DeviceFileSystem
    let basic: BasicDeviceShell

    public init(phone: VirtualPhone) {
        self.phone = phone
        self.files = DeviceFileSystem(root: phone.root)
        self.basic = BasicDeviceShell(files: files)
    }

    static let basicCommands: Set<String> = ["echo", "cat", "ls", "rm", "mkdir", "sleep", "true", "false", "exit", "pwd"]

    public func run(_ commandLine: String, io: ShellIO) async -> Int32 {
        let status = await ShellSyntax.run(commandLine, io: io) { commands, io in await runPipeline(commands, io: io) }
        await phone.flush()
        return status
    }

    actor Collector {
        var bytes: [UInt8] = []
        func append(_ b: [UInt8]) { bytes += b }
    }

    func runPipeline(_ commands: [[String]], io: ShellIO) async -> Int32 {
        var input: [UInt8]?
        var status: Int32 = 0
        for (index, argv) in commands.enumerated() {
            let last = index == commands.count - 1
            let collected = Collector()
            let stdin: AsyncStream<[UInt8]>
            if let input { stdin = AsyncStream { $0.yield(input); $0.finish() } } else { stdin = io.stdin }
            let stageIO = last ? ShellIO(stdout: io.stdout, stderr: io.stderr, stdin: stdin)
                : ShellIO(stdout: { await collected.append($0) }, stderr: io.stderr, stdin: stdin)
            status = await runCommand(argv, io: stageIO)
            input = await collected.bytes
        }
        return status
    }

    func runCommand(_ argv: [String], io original: ShellIO) async -> Int32 {
        guard let name = argv.first else { return 0 }
        if Self.basicCommands.contains(name), !(name == "cat" && argv.contains("/proc/uptime")) {
            return await basic.run(argv.map(ShellQuoting.quote).joined(separator: " "), io: original)
        }
        // Redirections for our own commands.
        var io = original
        var words: [String] = []
        var target: (path: String, append: Bool)?
        var i = 0
        while i < argv.count {
            let w = argv[i]
            switch w {
            case "2>/dev/null": io.stderr = { _ in }
            case ">/dev/null", "1>/dev/null": io.stdout = { _ in }
            case "2>&1": io.stderr = original.stdout
            case ">&2", "1>&2": io.stdout = original.stderr
            case ">", ">>":
                if i + 1 < argv.count { target = (argv[i + 1], w == ">>"); i += 1 }
            default:
                if w.hasPrefix(">>"), w.count > 2 { target = (String(w.dropFirst(2)), true) }
                else if w.hasPrefix(">"), w.count > 1, !w.hasPrefix(">&") { target = (String(w.dropFirst()), false) }
                else { words.append(w) }
            }
            i += 1
        }
        let sink = Collector()
        if let target, target.path != "/dev/null" { io.stdout = { await sink.append($0) } }
        else if target != nil { io.stdout = { _ in } }
        let status: Int32
        do { status = try await dispatch(words, io: io) } catch {
            status = 1
        }
        if let target, target.path != "/dev/null" {
            let bytes = await sink.bytes
            guard let path = try? files.hostPath(target.path) else { return 1 }
            let existing = target.append ? FileManager.default.contents(atPath: path) ?? Data() : Data()
            if !FileManager.default.createFile(atPath: path, contents: existing + Data(bytes)) {
                try? await original.err("/system/bin/sh: can't create \(target.path): No such file or directory\n")
                return 1
            }
        }
        return status
    }

    func dispatch(_ argv: [String], io: ShellIO) async throws -> Int32 {
        guard let name = argv.first else { return 0 }
        let args = Array(argv.dropFirst())
        switch name {
        case "sh":
            if args.count >= 2, args[0] == "-c" { return await run(args[1], io: io) }
            try await io.err("sh: only `sh -c COMMAND` is supported\n")
            return 2
        case "cat": // only /proc/uptime reaches here
            let up = await phone.uptimeSeconds
            try await io.out(String(format: "%.2f %.2f\n", up, up * 1.7))
            return 0
        case "screencap": return try await screencap(args, io: io)
        case "input": return try await input(args, io: io)
        case "am": return try await am(args, io: io)
        case "monkey": return try await monkey(args, io: io)
        case "pm": return try await pm(args, io: io)
        case "cmd": return try await cmd(args, io: io)
        case "dumpsys": return try await dumpsys(args, io: io)
        case "wm": return try await wm(args, io: io)
        case "settings": return try await settings(args, io: io)
        case "ime": return try await ime(args, io: io)
        case "getprop":
            let props = await phone.properties
            if let key = args.first { try await io.out((props[key] ?? "") + "\n") } else {
                for (k, v) in props.sorted(by: { $0.key < $1.key }) { try await io.out("[\(k)]: [\(v)]\n") }
            }
            return 0
        case "setprop": return try await setprop(args, io: io)
        case "stat": return try await stat(args, io: io)
        case "dd": return try await dd(args, io: io)
        case "uiautomator": return try await uiautomator(args, io: io)
        case "getevent": return try await getevent(args, io: io)
        case "content": return try await content(args, io: io)
        case "grep": return try await grep(args, io: io)
        case "head", "tail": return try await headTail(name, args, io: io)
        case "wc":
            if args.contains("-c"), args.filter({ !$0.hasPrefix("-") }).isEmpty {
                var count = 0
                for await chunk in io.stdin { count += chunk.count }
                try await io.out("\(count)\n")
                return 0
            }
            let text = try await readInput(args.filter { !$0.hasPrefix("-") }, io: io)
            let lines = text.filter { $0 == "\n" }.count
            try await io.out(args.contains("-l") ? "\(lines)\n" : "\(lines) \(text.split(whereSeparator: \.isWhitespace).count) \(text.utf8.count)\n")
            return 0
        case "date":
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "UTC")
            f.dateFormat = args.contains("+%s") ? "" : "EEE MMM d HH:mm:ss zzz yyyy"
            let t = await phone.wallTime
            try await io.out(args.contains("+%s") ? "\(Int(t))\n" : f.string(from: Date(timeIntervalSince1970: t)) + "\n")
            return 0
        case "whoami": try await io.out("shell\n"); return 0
        case "id": try await io.out("uid=2000(shell) gid=2000(shell) groups=2000(shell) context=u:r:shell:s0\n"); return 0
        default:
            try await io.err("/system/bin/sh: \(name): not found\n")
            return 127
        }
    }

    // MARK: - text tools

    func readInput(_ paths: [String], io: ShellIO) async throws -> String {
        if paths.isEmpty {
            var bytes: [UInt8] = []
            for await chunk in io.stdin { bytes += chunk }
            return String(decoding: bytes, as: UTF8.self)
        }
        var out = ""
        for p in paths {
            if let host = try? files.hostPath(p), let data = FileManager.default.contents(atPath: host) { out += String(decoding: data, as: UTF8.self) }
        }
        return out
    }

    func grep(_ args: [String], io: ShellIO) async throws -> Int32 {
        var ignoreCase = false, invert = false, only = false, countOnly = false, quiet = false, fixed = false
        var pattern: String?
        var paths: [String] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            if a == "-e", i + 1 < args.count { pattern = args[i + 1]; i += 2; continue }
            if a.hasPrefix("-"), a.count > 1, pattern == nil || !paths.isEmpty || a.count <= 4 {
                for c in a.dropFirst() {
                    switch c {
                    case "i": ignoreCase = true
                    case "v": invert = true
                    case "o": only = true
                    case "c": countOnly = true
                    case "q": quiet = true
                    case "F": fixed = true
                    default: break
                    }
                }
            } else if pattern == nil { pattern = a } else { paths.append(a) }
            i += 1
        }
        guard let pattern else { try await io.err("usage: grep [-EFiovcq] PATTERN [FILE]...\n"); return 2 }
        let text = try await readInput(paths, io: io)
        let regexSource = fixed ? NSRegularExpression.escapedPattern(for: pattern) : pattern.replacingOccurrences(of: "\\|", with: "|")
        guard let regex = try? NSRegularExpression(pattern: regexSource, options: ignoreCase ? [.caseInsensitive] : []) else {
            try await io.err("grep: bad regex '\(pattern)'\n")
            return 2
        }
        var matched = 0
        var out = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0) {
            let s = String(line)
            let ns = s as NSString
            let matches = regex.matches(in: s, range: NSRange(location: 0, length: ns.length))
            if matches.isEmpty != invert { continue }
            matched += 1
            if only, !invert { for m in matches { out += ns.substring(with: m.range) + "\n" } } else { out += s + "\n" }
        }
        if quiet { return matched > 0 ? 0 : 1 }
        if countOnly { out = "\(matched)\n" }
        try await io.out(out)
        return matched > 0 ? 0 : 1
    }

    func headTail(_ name: String, _ args: [String], io: ShellIO) async throws -> Int32 {
        var n = 10
        var paths: [String] = []
        var i = 0
        while i < args.count {
            if args[i] == "-n", i + 1 < args.count { n = Int(args[i + 1]) ?? 10; i += 2; continue }
            if args[i].hasPrefix("-"), let v = Int(args[i].dropFirst()) { n = v } else { paths.append(args[i]) }
            i += 1
        }
        let lines = try await readInput(paths, io: io).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let picked = name == "head" ? Array(lines.prefix(n)) : Array(lines.suffix(n))
        if !picked.isEmpty { try await io.out(picked.joined(separator: "\n") + "\n") }
        return 0
    }
}
