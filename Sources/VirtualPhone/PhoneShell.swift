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

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    func runCommand(_ argv: [String], io original: ShellIO) async -> Int32 {
        guard let name = argv.first else { return 0 }
        if Self.basicCommands.contains(name), !(name == "cat" && argv.contains("/proc/uptime")) {
            return await basic.run(argv.map(Self.quote).joined(separator: " "), io: original)
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

    // MARK: - screencap

    /// A phone's `screencap -p` encodes through hwui's `Bitmap::compress`, which calls Skia's
    /// `SkPngEncoder` with default options: zlib level 6 and every row filter tried. The virtual
    /// phone encodes the same way, so the PNG path costs what it costs on a phone's encoder
    /// settings (on this host's faster CPU).
    static let screencapPNGCompression = 6

    func screencap(_ args: [String], io: ShellIO) async throws -> Int32 {
        let png = args.contains("-p")
        let file = args.first { !$0.hasPrefix("-") }
        let image = await phone.screenshot()
        let bytes: [UInt8]
        if png || (file?.lowercased().hasSuffix(".png") ?? false) {
            do { bytes = Array(try image.pngData(compressionLevel: Self.screencapPNGCompression)) } catch {
                try await io.err("screencap: cannot encode PNG: \(error)\n")
                return 1
            }
        } else {
            var header = [UInt8]()
            for v in [UInt32(image.width), UInt32(image.height), 1, 1] { withUnsafeBytes(of: v.littleEndian) { header += $0 } }
            if file == nil {
                // Straight from the frame to the stream: no 10 MB concatenation first.
                try await io.stdout(header)
                try await Self.write(image.packedBytes, in: 256 * 1024, to: io)
                return 0
            }
            bytes = header + image.packedBytes
        }
        if let file {
            guard let path = try? files.hostPath(file), FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                try await io.err("Error opening file: \(file) (No such file or directory)\n")
                return 1
            }
            return 0
        }
        try await Self.write(bytes, in: 256 * 1024, to: io)
        return 0
    }

    static func write(_ bytes: [UInt8], in chunkSize: Int, to io: ShellIO) async throws {
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + chunkSize, bytes.count)
            try await io.stdout(Array(bytes[offset..<end]))
            offset = end
        }
    }

    // MARK: - input

    static let keyNames: [String: Int] = [
        "HOME": 3, "BACK": 4, "CALL": 5, "ENDCALL": 6, "DPAD_UP": 19, "DPAD_DOWN": 20, "DPAD_LEFT": 21, "DPAD_RIGHT": 22,
        "DPAD_CENTER": 23, "VOLUME_UP": 24, "VOLUME_DOWN": 25, "POWER": 26, "CAMERA": 27, "CLEAR": 28, "COMMA": 55, "PERIOD": 56,
        "TAB": 61, "SPACE": 62, "ENTER": 66, "DEL": 67, "AT": 77, "PLUS": 81, "MINUS": 69, "MENU": 82, "SEARCH": 84,
        "ESCAPE": 111, "MOVE_HOME": 122, "MOVE_END": 123, "NUMPAD_ENTER": 160, "VOLUME_MUTE": 164, "APP_SWITCH": 187,
        "SLEEP": 223, "WAKEUP": 224, "FORWARD_DEL": 112,
    ]

    static func keyCode(_ s: String) -> Int? {
        if let n = Int(s) { return n }
        var name = s.uppercased()
        if name.hasPrefix("KEYCODE_") { name.removeFirst(8) }
        if let n = keyNames[name] { return n }
        if name.count == 1, let c = name.unicodeScalars.first {
            if ("A"..."Z").contains(c) { return 29 + Int(c.value - 65) }
            if ("0"..."9").contains(c) { return 7 + Int(c.value - 48) }
        }
        return nil
    }

    static let inputUsage = """
        Usage: input [<source>] [-d DISPLAY_ID] <command> [<arg>...]

        The sources are:
              keyboard dpad gamepad touchscreen mouse stylus trackball touchpad touchnavigation joystick

        The commands and default sources are:
              text <string> (Default: keyboard)
              keyevent [--longpress|--doubletap|--async|--delay <duration between keycodes in ms>] <key code number or name> ... (Default: keyboard)
              tap <x> <y> (Default: touchscreen)
              swipe <x1> <y1> <x2> <y2> [duration(ms)] (Default: touchscreen)
              draganddrop <x1> <y1> <x2> <y2> [duration(ms)] (Default: touchscreen)
              press (Default: trackball)
              roll <dx> <dy> (Default: trackball)
              motionevent <DOWN|UP|MOVE|CANCEL> <x> <y> (Default: touchscreen)
              keycombination [-t duration(ms)] <key code 1> <key code 2> ... (Default: keyboard)

        """

    func input(_ argsIn: [String], io: ShellIO) async throws -> Int32 {
        var args = argsIn
        let sources: Set<String> = ["keyboard", "dpad", "gamepad", "touchscreen", "mouse", "stylus", "trackball", "touchpad", "touchnavigation", "joystick"]
        if let first = args.first, sources.contains(first) { args.removeFirst() }
        if args.first == "-d", args.count >= 2 { args.removeFirst(2) }
        guard let command = args.first else {
            try await io.err(Self.inputUsage)
            return 1
        }
        let rest = Array(args.dropFirst())
        func coords(_ n: Int) -> [Int]? {
            guard rest.count >= n else { return nil }
            let values = rest.prefix(n).compactMap { Double($0) }
            return values.count == n ? values.map { Int($0.rounded(.down)) } : nil
        }
        switch command {
        case "text":
            guard let text = rest.first else { try await io.err(Self.inputUsage); return 1 }
            let typed = rest.joined(separator: " ").replacingOccurrences(of: "%s", with: " ")
            let ascii = String(typed.unicodeScalars.filter { $0.isASCII }.map(Character.init))
            if ascii.count != typed.count {
                try await io.err("Exception occurred while executing 'text':\njava.lang.IllegalArgumentException: Unable to map characters of \(text) to key events\n")
            }
            await phone.injectText(ascii)
            return 0
        case "keyevent", "keycombination":
            var longPress = false
            var codes: [Int] = []
            var i = 0
            while i < rest.count {
                let w = rest[i]
                if w == "--longpress" { longPress = true } else if w == "--doubletap" || w == "--async" {
                } else if w == "--delay" || w == "-t" { i += 1 } else if let code = Self.keyCode(w) { codes.append(code) } else {
                    try await io.err("Exception occurred while executing 'keyevent':\njava.lang.IllegalArgumentException: Unknown keycode: \(w)\n")
                    return 1
                }
                i += 1
            }
            guard !codes.isEmpty else { try await io.err(Self.inputUsage); return 1 }
            for code in codes { _ = await phone.injectKey(code, longPress: longPress) }
            return 0
        case "tap":
            guard let c = coords(2) else { try await io.err(Self.inputUsage); return 1 }
            await phone.injectTap(x: c[0], y: c[1])
            return 0
        case "swipe", "draganddrop":
            guard let c = coords(4) else { try await io.err(Self.inputUsage); return 1 }
            let duration = rest.count > 4 ? Int(rest[4]) ?? 300 : 300
            await phone.injectSwipe(c[0], c[1], c[2], c[3], milliseconds: command == "draganddrop" ? duration + 500 : duration)
            return 0
        case "motionevent":
            guard rest.count >= 3, let x = Double(rest[1]), let y = Double(rest[2]) else { try await io.err(Self.inputUsage); return 1 }
            let action = rest[0].uppercased()
            guard ["DOWN", "UP", "MOVE", "CANCEL"].contains(action) else {
                try await io.err("Exception occurred while executing 'motionevent':\njava.lang.IllegalArgumentException: Unknown action: \(rest[0])\n")
                return 1
            }
            await phone.injectMotion(action, x: Int(x), y: Int(y))
            return 0
        case "press", "roll":
            return 0
        default:
            try await io.err("Error: Unknown command: \(command)\n" + Self.inputUsage)
            return 1
        }
    }

    // MARK: - am

    /// Parses `am start`/`am broadcast` intent options.
    static func parseIntent(_ args: [String]) -> (Intent, flags: Set<String>, rest: [String]) {
        var intent = Intent()
        var flags = Set<String>()
        var rest: [String] = []
        var i = 0
        func next() -> String? { i += 1; return i < args.count ? args[i] : nil }
        while i < args.count {
            let a = args[i]
            switch a {
            case "-n": intent.component = next()
            case "-a": intent.action = next()
            case "-d": intent.data = next()
            case "-t": intent.type = next()
            case "-c": if let c = next() { intent.categories.append(c) }
            case "-p": intent.package = next()
            case "--es": if let k = next(), let v = next() { intent.extras[k] = .string(v) }
            case "--ei", "--el", "--ef", "--ed":
                if let k = next(), let v = next() { intent.extras[k] = Double(v).map(JSON.number) ?? .string(v) }
            case "--ez":
                if let k = next(), let v = next() { intent.extras[k] = .bool(v == "true" || v == "1") }
            case "--eia", "--ela", "--efa":
                if let k = next(), let v = next() { intent.extras[k] = .array(v.split(separator: ",").compactMap { Double($0).map(JSON.number) }) }
            case "--esa":
                if let k = next(), let v = next() { intent.extras[k] = .array(v.split(separator: ",").map { .string(String($0)) }) }
            case "--esn": _ = next()
            case "-f", "--user", "--receiver-permission", "-e", "--activity-type", "--windowingMode", "--display":
                if a == "-e", let k = next(), let v = next() { intent.extras[k] = .string(v) } else { _ = next() }
            case "-W", "-S", "-R", "--activity-clear-top", "--activity-new-task", "--activity-single-top", "--receiver-foreground",
                "--include-stopped-packages", "--activity-clear-task", "-D", "-N":
                flags.insert(a)
            default:
                rest.append(a)
            }
            i += 1
        }
        // A bare last word is the data URI or the package, as am treats it.
        if let last = rest.last {
            if last.contains(":") || last.contains("/") && intent.component == nil && last.contains("://") {
                if intent.data == nil { intent.data = last }
            } else if intent.package == nil, intent.component == nil, last.contains(".") {
                intent.package = last
            }
        }
        return (intent, flags, rest)
    }

    func am(_ args: [String], io: ShellIO) async throws -> Int32 {
        guard let verb = args.first else {
            try await io.err("Activity manager (activity) commands:\n  start [options] <INTENT>\n  broadcast [options] <INTENT>\n  force-stop <PACKAGE>\n")
            return 1
        }
        let rest = Array(args.dropFirst())
        switch verb {
        case "start", "start-activity":
            let (intent, flags, _) = Self.parseIntent(rest)
            try await io.out("Starting: \(intent.description)\n")
            let result = await phone.start(intent)
            switch result {
            case .started(let pkg, let activity), .broughtToFront(let pkg, let activity):
                if case .broughtToFront = result {
                    try await io.err("Warning: Activity not started, its current task has been brought to the front\n")
                }
                if flags.contains("-W") {
                    try await io.out("Status: ok\nLaunchState: \(result == .started(package: pkg, activity: activity) ? "COLD" : "HOT")\nActivity: \(pkg)/\(VirtualPhone.shortClass(activity, package: pkg))\nTotalTime: 187\nWaitTime: 190\nComplete\n")
                }
                return 0
            case .unresolved:
                try await io.err("Error: Activity not started, unable to resolve \(intent.description)\n")
                return 1
            case .noSuchActivity(let component):
                let parts = component.split(separator: "/", maxSplits: 1).map(String.init)
                let full = parts.count == 2 ? VirtualPhone.fullClass(parts[1], package: parts[0]) : component
                try await io.err("Error type 3\nError: Activity class {\(parts.first ?? component)/\(full)} does not exist.\n")
                return 1
            }
        case "broadcast":
            let (intent, _, _) = Self.parseIntent(rest)
            var shown = intent
            shown.extras = intent.extras
            let desc = intent.description.replacingOccurrences(of: " (has extras) }", with: " flg=0x400000 (has extras) }")
            try await io.out("Broadcasting: \(intent.extras.isEmpty ? desc.replacingOccurrences(of: " }", with: " flg=0x400000 }") : desc)\n")
            if let action = intent.action, action.hasPrefix("ADB_") {
                await phone.adbKeyboard(action, extras: intent.extras)
            }
            try await io.out("Broadcast completed: result=0\n")
            return 0
        case "force-stop", "kill":
            if let pkg = rest.first { await phone.forceStop(pkg) }
            return 0
        case "stack", "task":
            try await io.out(await phone.dumpsysActivities())
            return 0
        default:
            try await io.err("Error: Unknown command: \(verb)\n")
            return 1
        }
    }

    func monkey(_ args: [String], io: ShellIO) async throws -> Int32 {
        var package: String?
        var i = 0
        while i < args.count {
            if args[i] == "-p", i + 1 < args.count { package = args[i + 1]; i += 1 }
            i += 1
        }
        for a in args { try await io.out("  bash arg: \(a)\n") }
        guard let package, await phone.hasApp(package) else {
            try await io.out("** No activities found to run, monkey aborted.\n")
            return 251
        }
        try await io.out("args: [\(args.joined(separator: ", "))]\n")
        for a in args { try await io.out(" arg: \"\(a)\"\n") }
        try await io.out("data=\"\(package)\"\n")
        _ = await phone.launch(package)
        try await io.out("Events injected: 1\n## Network stats: elapsed time=12ms (0ms mobile, 0ms wifi, 12ms not connected)\n")
        return 0
    }

    // MARK: - pm / cmd

    func pm(_ args: [String], io: ShellIO) async throws -> Int32 {
        guard let verb = args.first else { try await io.err("usage: pm list packages [FILTER]\n"); return 1 }
        let rest = Array(args.dropFirst())
        switch verb {
        case "list":
            guard rest.first == "packages" else { try await io.err("Error: unknown list type '\(rest.first ?? "")'\n"); return 1 }
            let filter = rest.dropFirst().first { !$0.hasPrefix("-") }
            var packages = await phone.installedPackages
            if rest.contains("-3") { packages = [] }
            for p in packages.sorted() where filter.map({ p.contains($0) }) ?? true { try await io.out("package:\(p)\n") }
            return 0
        case "path":
            guard let pkg = rest.first, await phone.installedPackages.contains(pkg) else { return 1 }
            try await io.out("package:\(VirtualPhone.apkPath(pkg))\n")
            return 0
        case "clear":
            guard let pkg = rest.last, await phone.clearApp(pkg) else { try await io.out("Failed\n"); return 1 }
            try await io.out("Success\n")
            return 0
        case "resolve-activity": return try await resolveActivity(rest, io: io)
        default:
            try await io.err("Unknown command: \(verb)\n")
            return 1
        }
    }

    func resolveActivity(_ args: [String], io: ShellIO) async throws -> Int32 {
        let brief = args.contains("--brief")
        let (intent, _, rest) = Self.parseIntent(args.filter { $0 != "--brief" && $0 != "--components" })
        let pkg = intent.package ?? rest.last
        guard let pkg, let activity = await phone.launcherActivity(pkg) else {
            try await io.out("No activity found\n")
            return 0
        }
        if brief {
            try await io.out("priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 isDefault=false\n\(pkg)/\(activity)\n")
        } else {
            try await io.out("Activity #0:\n  ActivityInfo:\n    name=\(VirtualPhone.fullClass(activity, package: pkg))\n    packageName=\(pkg)\n")
        }
        return 0
    }

    /// A `--where` value as SQLite reads it: a quoted literal (`''` is a quote) or literals
    /// joined with `||` (`'%' || 'Alice' || '%'`), or a bare word.
    static func sqlValue(_ text: String) -> String {
        let t = text.trimmingCharacters(in: .whitespaces)
        var pieces: [String] = []
        let chars = Array(t)
        var i = 0
        while i < chars.count {
            if chars[i] == " " { i += 1; continue }
            if chars[i] == "'" {
                var piece = ""
                i += 1
                while i < chars.count {
                    if chars[i] == "'" {
                        if i + 1 < chars.count, chars[i + 1] == "'" { piece.append("'"); i += 2; continue }
                        break
                    }
                    piece.append(chars[i]); i += 1
                }
                i += 1
                pieces.append(piece)
                while i < chars.count, chars[i] == " " { i += 1 }
                if i + 1 < chars.count, chars[i] == "|", chars[i + 1] == "|" { i += 2; continue }
                if i < chars.count { return t.trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) }
            } else {
                return t.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
            }
        }
        return pieces.joined()
    }

    func cmd(_ args: [String], io: ShellIO) async throws -> Int32 {
        guard let service = args.first else { try await io.err("cmd: No service specified; use -l to list all running services.\n"); return 20 }
        let rest = Array(args.dropFirst())
        switch service {
        case "package":
            if rest.first == "resolve-activity" { return try await resolveActivity(Array(rest.dropFirst()), io: io) }
            return try await pm(rest, io: io)
        case "input": return try await input(rest, io: io)
        case "activity": return try await am(rest, io: io)
        case "settings": return try await settings(rest, io: io)
        case "statusbar":
            if rest.first == "expand-notifications" || rest.first == "expand-settings" { await phone.setShade(true) }
            if rest.first == "collapse" { await phone.setShade(false) }
            return 0
        case "window": return try await wm(rest, io: io)
        default:
            try await io.err("cmd: Can't find service: \(service)\n")
            return 20
        }
    }

    // MARK: - dumpsys / wm / settings / ime

    func dumpsys(_ args: [String], io: ShellIO) async throws -> Int32 {
        let service = args.first ?? ""
        let sub = args.dropFirst().first ?? ""
        switch service {
        case "window":
            try await io.out(await phone.dumpsysWindow())
        case "activity":
            switch sub {
            case "top": try await io.out(await phone.dumpsysActivityTop())
            case "broadcasts", "b": try await io.out(await phone.dumpsysBroadcasts(package: args.dropFirst(2).first { !$0.hasPrefix("-") && $0 != "history" }))
            default: try await io.out(await phone.dumpsysActivities())
            }
        case "display": try await io.out(await phone.dumpsysDisplay())
        case "power":
            let wakefulness = await phone.awake ? "Awake" : "Asleep"
            try await io.out("POWER MANAGER (dumpsys power)\n  mWakefulness=\(wakefulness)\n  mWakefulnessChanging=false\n  mIsPowered=true\n  mHoldingDisplaySuspendBlocker=\(wakefulness == "Awake")\n")
        case "input":
            let r = await phone.rotation
            try await io.out("INPUT MANAGER (dumpsys input)\n\nInput Reader State:\n  Device 3: virtual-touchscreen\n    Viewport INTERNAL: displayId=0, uniqueId=local:0, orientation=\(r)\n    SurfaceOrientation: \(r)\n")
        case "":
            try await io.out("Currently running services:\n  activity\n  display\n  input\n  power\n  window\n")
        default:
            try await io.err("Can't find service: \(service)\n")
        }
        return 0
    }

    func wm(_ args: [String], io: ShellIO) async throws -> Int32 {
        let p = phone.profile
        switch args.first {
        case "size":
            if args.count > 1, args[1] != "reset" { return 0 }
            try await io.out("Physical size: \(p.width)x\(p.height)\n")
        case "density":
            if args.count > 1, args[1] != "reset" { return 0 }
            try await io.out("Physical density: \(p.density)\n")
        case "dismiss-keyguard":
            await phone.dismissKeyguard()
        case "user-rotation":
            // Android 12+: `wm user-rotation [free|lock] [ROTATION]`.
            switch args.dropFirst().first {
            case nil: try await io.out("lock \(await phone.rotation)\n")
            case "free": await phone.setRotation(0)
            case "lock":
                guard args.count > 2, let r = Int(args[2]), (0...3).contains(r) else {
                    try await io.err("Error: rotation must be 0, 1, 2 or 3\n")
                    return 255
                }
                await phone.setRotation(r)
            default:
                try await io.err("Error: unknown user-rotation mode \(args[1])\n")
                return 255
            }
        default:
            try await io.err("Window manager (window) commands:\n  size [reset|WxH]\n  density [reset|DENSITY]\n  user-rotation [free|lock] [ROTATION]\n")
            return 1
        }
        return 0
    }

    func settings(_ argsIn: [String], io: ShellIO) async throws -> Int32 {
        var args = argsIn
        if args.first == "--user", args.count > 1 { args.removeFirst(2) }
        guard args.count >= 2, ["system", "secure", "global"].contains(args[1]) else {
            try await io.err("Invalid command: \(args.joined(separator: " "))\n\nusage:  settings [--user <USER_ID> | current] get namespace key\n        settings [--user <USER_ID> | current] put namespace key value\n")
            return 255
        }
        let ns = args[1]
        switch args[0] {
        case "get":
            guard args.count >= 3 else { return 255 }
            try await io.out((await phone.setting(ns, args[2]) ?? "null") + "\n")
        case "put":
            guard args.count >= 4 else { return 255 }
            await phone.putSetting(ns, args[2], args[3])
        case "delete":
            guard args.count >= 3 else { return 255 }
            await phone.putSetting(ns, args[2], "")
            try await io.out("Deleted 1 rows\n")
        case "list":
            for row in await phone.contentRows("content://settings/\(ns)") ?? [] {
                try await io.out("\(row[1].1)=\(row[2].1)\n")
            }
        default:
            return 255
        }
        return 0
    }

    func ime(_ args: [String], io: ShellIO) async throws -> Int32 {
        switch args.first {
        case "list":
            let all = args.contains("-a")
            let ids = await phone.imeList(all: all)
            if args.contains("-s") {
                for id in ids { try await io.out(id + "\n") }
            } else {
                for id in ids {
                    let pkg = id.split(separator: "/").first.map(String.init) ?? id
                    try await io.out("\(id):\n  mId=\(id) mSettingsActivity=null\n  mIsDefaultResId=0x0\n  Service:\n    packageName=\(pkg)\n")
                }
            }
            return 0
        case "enable", "disable", "set":
            guard args.count >= 2 else { return 1 }
            let (text, status) = await phone.imeCommand(args[0], args[1])
            try await (status == 0 ? io.out(text) : io.err(text))
            return status
        case "reset":
            try await io.out(await phone.imeReset())
            return 0
        default:
            try await io.err("ime <command>:\n  list [-a] [-s]\n  enable [--user <USER_ID>] <ID>\n  disable [--user <USER_ID>] <ID>\n  set [--user <USER_ID>] <ID>\n  reset [--user <USER_ID>]\n")
            return 1
        }
    }

    // MARK: - uiautomator

    func uiautomator(_ args: [String], io: ShellIO) async throws -> Int32 {
        guard args.first == "dump" else {
            try await io.err("Usage: uiautomator <subcommand> [options]\n\nAvailable subcommands:\n\ndump: creates an XML dump of current UI hierarchy\n")
            return 1
        }
        let file = args.dropFirst().first { !$0.hasPrefix("-") } ?? "/sdcard/window_dump.xml"
        let xml = await phone.uiHierarchyXML()
        if file == "/dev/tty" || file == "/dev/stdout" {
            try await io.out(xml)
        } else {
            guard let path = try? files.hostPath(file), FileManager.default.createFile(atPath: path, contents: Data(xml.utf8)) else {
                try await io.err("ERROR: could not write \(file)\n")
                return 1
            }
        }
        try await io.out("UI hierchary dumped to: \(file)\n")
        return 0
    }

    // MARK: - getevent

    static let eventTypes: [UInt16: String] = [0: "EV_SYN", 1: "EV_KEY", 3: "EV_ABS"]
    static let absCodes: [UInt16: String] = [0x2f: "ABS_MT_SLOT", 0x30: "ABS_MT_TOUCH_MAJOR", 0x35: "ABS_MT_POSITION_X", 0x36: "ABS_MT_POSITION_Y",
                                             0x39: "ABS_MT_TRACKING_ID", 0x3a: "ABS_MT_PRESSURE"]
    static let keyCodes: [UInt16: String] = [0x14a: "BTN_TOUCH", 116: "KEY_POWER", 115: "KEY_VOLUMEUP", 114: "KEY_VOLUMEDOWN"]

    static func label(_ event: InputEvent) -> (String, String, String) {
        let type = eventTypes[event.type] ?? String(format: "%04x", event.type)
        var code = String(format: "%04x", event.code)
        var value = String(format: "%08x", UInt32(bitPattern: event.value))
        switch event.type {
        case 0: code = event.code == 0 ? "SYN_REPORT" : code
        case 1:
            code = keyCodes[event.code] ?? code
            value = event.value == 1 ? "DOWN" : event.value == 0 ? "UP" : "REPEAT"
        case 3: code = absCodes[event.code] ?? code
        default: break
        }
        return (type, code, value)
    }

    static func format(_ event: InputEvent, labels: Bool, time: Bool, prefix: Bool) -> String {
        var line = ""
        if time {
            let sec = Int(event.time), usec = Int((event.time - Double(sec)) * 1_000_000)
            line += "[" + String(repeating: " ", count: max(0, 8 - String(sec).count)) + "\(sec)." + String(format: "%06d", usec) + "] "
        }
        if prefix { line += "/dev/input/event\(event.device): " }
        if labels {
            let (t, c, v) = label(event)
            func pad(_ s: String, _ n: Int) -> String { s.count >= n ? String(s.prefix(n)) : s + String(repeating: " ", count: n - s.count) }
            line += pad(t, 12) + " " + pad(c, 20) + " " + (event.type == 1 ? pad(v, 20) : v)
        } else {
            line += String(format: "%04x %04x %08x", event.type, event.code, UInt32(bitPattern: event.value))
        }
        return line + "\n"
    }

    func getevent(_ args: [String], io: ShellIO) async throws -> Int32 {
        var labels = false, time = false, quiet = false, capabilities = false
        var limit: Int?
        var device: String?
        var i = 0
        while i < args.count {
            let a = args[i]
            if a.hasPrefix("-") {
                for c in a.dropFirst() {
                    switch c {
                    case "l": labels = true
                    case "t": time = true
                    case "q": quiet = true
                    case "p": capabilities = true
                    case "c": if i + 1 < args.count { limit = Int(args[i + 1]); i += 1 }
                    default: break
                    }
                }
            } else { device = a }
            i += 1
        }
        let p = phone.profile
        let maxX = p.touchMaxX ?? p.width - 1, maxY = p.touchMaxY ?? p.height - 1
        let devices: [(Int, String)] = [(3, "virtual-touchscreen"), (1, "gpio-keys")]
        let shown = devices.filter { device == nil || device == "/dev/input/event\($0.0)" }
        if capabilities {
            for (n, name) in shown {
                try await io.out("add device \(n == 3 ? 1 : 2): /dev/input/event\(n)\n  name:     \"\(name)\"\n  events:\n")
                if n == 3 {
                    try await io.out(labels ? "    KEY (0001): BTN_TOUCH            \n" : "    KEY (0001): 014a \n")
                    let axes: [(UInt16, Int)] = [(0x2f, 9), (0x30, 255), (0x35, maxX), (0x36, maxY), (0x39, 65535), (0x3a, 255)]
                    for (j, (code, max)) in axes.enumerated() {
                        let name = labels ? (Self.absCodes[code] ?? "").padding(toLength: 20, withPad: " ", startingAt: 0) : String(format: "%04x", code)
                        try await io.out((j == 0 ? "    ABS (0003): " : "                ") + "\(name)  : value 0, min 0, max \(max), fuzz 0, flat 0, resolution 0\n")
                    }
                    try await io.out("  input props:\n    INPUT_PROP_DIRECT\n")
                } else {
                    try await io.out(labels ? "    KEY (0001): KEY_VOLUMEDOWN        KEY_VOLUMEUP          KEY_POWER            \n" : "    KEY (0001): 0072  0073  0074 \n")
                    try await io.out("  input props:\n    <none>\n")
                }
            }
            return 0
        }
        let (id, stream) = await phone.subscribe()
        defer { Task { await phone.unsubscribe(id) } }
        if !quiet {
            for (n, name) in shown { try await io.out("add device \(n == 3 ? 1 : 2): /dev/input/event\(n)\n  name:     \"\(name)\"\n") }
        }
        var count = 0
        for await event in stream {
            if let device, device != "/dev/input/event\(event.device)" { continue }
            try await io.out(Self.format(event, labels: labels, time: time, prefix: device == nil))
            count += 1
            if let limit, count >= limit { break }
            if Task.isCancelled { break }
        }
        return 0
    }

    // MARK: - content

    func content(_ args: [String], io: ShellIO) async throws -> Int32 {
        guard args.first == "query" else {
            try await io.err("usage: adb shell content query --uri <URI> [--user <USER_ID>] [--projection <PROJECTION>] [--where <WHERE>] [--sort <SORT_ORDER>]\n")
            return 1
        }
        var uri: String?, projection: [String]?, whereClause: String?
        var i = 1
        while i < args.count {
            switch args[i] {
            case "--uri": uri = i + 1 < args.count ? args[i + 1] : nil; i += 1
            case "--projection": projection = i + 1 < args.count ? args[i + 1].split(separator: ":").map(String.init) : nil; i += 1
            case "--where": whereClause = i + 1 < args.count ? args[i + 1] : nil; i += 1
            default: i += 1
            }
        }
        guard let uri else { try await io.err("[ERROR] Content provider URI not specified\n"); return 1 }
        guard var rows = await phone.contentRows(uri) else {
            try await io.err("Error while accessing provider:\(uri.replacingOccurrences(of: "content://", with: "").split(separator: "/").first ?? "")\njava.lang.IllegalArgumentException: Unknown URI \(uri)\n")
            return 1
        }
        if let whereClause {
            let conditions = whereClause.components(separatedBy: " AND ").compactMap { c -> (String, String, Bool)? in
                let like = c.range(of: " LIKE ", options: .caseInsensitive)
                let parts = like.map { [String(c[..<$0.lowerBound]), String(c[$0.upperBound...])] } ?? c.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { return nil }
                return (parts[0].trimmingCharacters(in: .whitespaces), Self.sqlValue(parts[1]), like != nil)
            }
            rows = rows.filter { row in
                conditions.allSatisfy { key, value, like in
                    guard let v = row.first(where: { $0.0 == key })?.1 else { return false }
                    if like { return v.lowercased().contains(value.replacingOccurrences(of: "%", with: "").lowercased()) }
                    return v == value
                }
            }
        }
        if rows.isEmpty { try await io.out("No result found.\n"); return 0 }
        for (n, row) in rows.enumerated() {
            let cols = projection.map { p in p.map { k in (k, row.first { $0.0 == k }?.1 ?? "NULL") } } ?? row
            try await io.out("Row: \(n) " + cols.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + "\n")
        }
        return 0
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
