import ADB
import Foundation
import Imaging

/// The virtual phone's `/system/bin/sh -c`: a POSIX shell language (Shell/Language) with the
/// toybox commands phone tools use (Shell/Toolbox), and the phone's own commands (screencap,
/// input, am, pm, dumpsys, wm, settings, ime, uiautomator, getevent, content, monkey, getprop …).
public struct VirtualPhoneShell: DeviceShell, ShellHost {
    public let phone: VirtualPhone
    let files: DeviceFileSystem

    public init(phone: VirtualPhone) {
        self.phone = phone
        self.files = DeviceFileSystem(root: phone.root)
    }

    /// The environment `adb shell` starts with on a phone.
    static let environment: [String: String] = [
        "PATH": "/product/bin:/apex/com.android.runtime/bin:/apex/com.android.art/bin:/system_ext/bin:/system/bin:/system/xbin:/odm/bin:/vendor/bin:/vendor/xbin",
        "HOME": "/", "USER": "shell", "LOGNAME": "shell", "SHELL": "/bin/sh", "HOSTNAME": "localhost", "TMPDIR": "/data/local/tmp",
        "ANDROID_DATA": "/data", "ANDROID_ROOT": "/system", "ANDROID_STORAGE": "/storage", "EXTERNAL_STORAGE": "/sdcard"
    ]

    /// The shell's process id (`$$`), the `sh` that `ps` lists.
    static let pid = 4242

    public func run(_ commandLine: String, io: ShellIO) async -> Int32 {
        var state = ShellState(environment: Self.environment, pid: Self.pid)
        let status = await ShellInterpreter(files: files, host: self).run(commandLine, state: &state, io: io)
        await phone.flush()
        return status
    }

    static let names: Set<String> = [
        "screencap", "input", "am", "monkey", "pm", "cmd", "dumpsys", "wm", "settings", "ime", "getprop", "setprop",
        "stat", "dd", "uiautomator", "getevent", "content", "sendevent"
    ]

    var commandNames: Set<String> { Self.names }

    func run(_ argv: [String], cwd: String, io: ShellIO) async -> Int32? {
        guard Self.names.contains(argv[0]) else { return nil }
        do { return try await dispatch(argv, io: io) } catch { return 1 }
    }

    func wallTime() async -> Double { await phone.wallTime }

    func virtualFile(_ path: String) async -> [UInt8]? {
        guard path == "/proc/uptime" else { return nil }
        let up = await phone.uptimeSeconds
        return Array(String(format: "%.2f %.2f\n", up, up * 1.7).utf8)
    }

    /// The phone's own commands (the shell language and toybox come first).
    func dispatch(_ argv: [String], io: ShellIO) async throws -> Int32 {
        guard let name = argv.first else { return 0 }
        let args = Array(argv.dropFirst())
        switch name {
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
            if let key = args.first {
                try await io.out((props[key] ?? "") + "\n")
            } else {
                for (k, v) in props.sorted(by: { $0.key < $1.key }) { try await io.out("[\(k)]: [\(v)]\n") }
            }
            return 0
        case "setprop": return try await setprop(args, io: io)
        case "stat": return try await stat(args, io: io)
        case "dd": return try await dd(args, io: io)
        case "uiautomator": return try await uiautomator(args, io: io)
        case "getevent": return try await getevent(args, io: io)
        case "content": return try await content(args, io: io)
        case "sendevent": return try await sendevent(args, io: io)
        default:
            try await io.err("/system/bin/sh: \(name): not found\n")
            return 127
        }
    }
}
