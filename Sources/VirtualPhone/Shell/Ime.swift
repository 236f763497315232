import ADB

/// `ime` list, enable, disable, set and reset.
extension VirtualPhoneShell {
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
}
