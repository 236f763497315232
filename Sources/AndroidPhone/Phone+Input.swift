import ADB
import Foundation

extension Phone {
    // MARK: - Touch

    public func tap(x: Int, y: Int) async throws {
        try Self.validate(x, y)
        let input = try await inputTool()
        try await check("\(input) tap \(x) \(y)")
    }

    /// Two taps sent as one shell command, so that both land inside the double-tap window
    /// (300 ms) instead of paying a round trip between them.
    public func doubleTap(x: Int, y: Int) async throws {
        try Self.validate(x, y)
        let input = try await inputTool()
        try await check("\(input) tap \(x) \(y); \(input) tap \(x) \(y)")
    }

    public func longPress(x: Int, y: Int, duration: Duration = .milliseconds(800)) async throws {
        try Self.validate(x, y)
        let input = try await inputTool()
        try await check("\(input) swipe \(x) \(y) \(x) \(y) \(try Self.milliseconds(duration))", timeout: configuration.commandTimeout + duration)
    }

    public func swipe(fromX x1: Int, fromY y1: Int, toX x2: Int, toY y2: Int, duration: Duration = .milliseconds(300)) async throws {
        try Self.validate(x1, y1)
        try Self.validate(x2, y2)
        let input = try await inputTool()
        try await check("\(input) swipe \(x1) \(y1) \(x2) \(y2) \(try Self.milliseconds(duration))", timeout: configuration.commandTimeout + duration)
    }

    /// Presses and releases one key (`KeyCode.back`, `KeyCode(name: "ENTER")`, …).
    public func key(_ key: KeyCode, longPress: Bool = false) async throws {
        let input = try await inputTool()
        try await check("\(input) keyevent \(longPress ? "--longpress " : "")\(key.code)")
    }

    /// Presses a key given by name or number; throws `invalidArgument` for an unknown name.
    public func key(named name: String) async throws {
        guard let code = KeyCode(name: name) else {
            throw PhoneError.invalidArgument("unknown key \"\(name)\"; use a KEYCODE_ name (HOME, BACK, ENTER, DEL, VOLUME_UP, …) or a number")
        }
        try await key(code)
    }

    static func validate(_ x: Int, _ y: Int) throws {
        guard x >= 0, y >= 0 else { throw PhoneError.invalidArgument("coordinates (\(x), \(y)) are off the screen") }
    }

    static func milliseconds(_ duration: Duration) throws -> Int {
        let ms = Int(duration.components.seconds) * 1000 + Int(duration.components.attoseconds / 1_000_000_000_000_000)
        guard ms >= 0, ms <= 600_000 else { throw PhoneError.invalidArgument("duration \(duration) must be between 0 and 10 minutes") }
        return ms
    }

    /// `cmd input` where the phone has it (Android 11+: the input shell command runs inside
    /// system_server), else `input` (a script that starts a new process, on Android ≤ 10 a JVM).
    /// Asked once per phone.
    func inputTool() async throws -> String {
        if let has = cachedHasCmdInput { return has ? "cmd input" : "input" }
        let usage = try await shell("cmd input 2>&1 | head -n 3").stdoutText
        let has = usage.contains("Usage: input")
        cachedHasCmdInput = has
        return has ? "cmd input" : "input"
    }
}
