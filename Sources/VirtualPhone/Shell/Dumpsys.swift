import ADB

/// `dumpsys` window, activity, display, power and input.
extension VirtualPhoneShell {
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
}
