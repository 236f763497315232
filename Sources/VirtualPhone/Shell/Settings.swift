import ADB

/// `settings get/put/delete/list` in the system, secure and global namespaces.
extension VirtualPhoneShell {
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
}
