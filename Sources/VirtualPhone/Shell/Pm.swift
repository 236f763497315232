import ADB

/// `pm` (list packages, path, clear, resolve-activity).
extension VirtualPhoneShell {
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
}
