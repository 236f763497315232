import ADB

/// `cmd SERVICE …`: the services that forward to the other command families.
extension VirtualPhoneShell {
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
}
