import ADB

/// What the shell language needs from the phone it runs on: the commands that are not the
/// shell's or toybox's (am, input, screencap …), the clock, and files that exist only
/// virtually (`/proc/uptime`).
protocol ShellHost: Sendable {
    /// Runs `argv` if the phone has such a command; nil when it has not.
    func run(_ argv: [String], cwd: String, io: ShellIO) async -> Int32?
    /// The names `run` answers, for `which` and `command -v`.
    var commandNames: Set<String> { get }
    /// Seconds since 1970 on the phone's clock.
    func wallTime() async -> Double
    /// The contents of a virtual file such as `/proc/uptime`, or nil.
    func virtualFile(_ path: String) async -> [UInt8]?
}
