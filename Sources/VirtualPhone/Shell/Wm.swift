import ADB

/// `wm` size, density, dismiss-keyguard and user-rotation.
extension VirtualPhoneShell {
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
}
