import ADB
import Basics

/// `am` (start, broadcast, force-stop, stack) with its intent options, and `monkey -p PACKAGE`.
extension VirtualPhoneShell {
    /// Parses `am start`/`am broadcast` intent options.
    static func parseIntent(_ args: [String]) -> (ReceivedIntent, flags: Set<String>, rest: [String]) {
        var intent = ReceivedIntent()
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
}
