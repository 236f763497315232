import ADB
import Basics
import Foundation
import Imaging
import Logging

/// One Android phone, reached over any ADB transport (direct TCP/USB, or an adb server).
///
/// Every method has a timeout, honours cancellation, and turns a phone that disappears into
/// `PhoneError.disconnected` rather than a hang. Short commands go through one persistent shell
/// per phone; screenshots, UI dumps and event streams get streams of their own.
public actor Phone {
    public struct Configuration: Sendable {
        /// The longest a short command (tap, key, am, settings …) may take.
        public var commandTimeout: Duration = .seconds(15)
        /// The longest a screenshot may take (a raw 1440×3120 frame is 18 MB).
        public var screenshotTimeout: Duration = .seconds(30)
        /// While `gestures()` runs, how often the display's rotation is asked again, so that
        /// gestures after the phone turns are mapped to the turned screen.
        public var rotationPollInterval: Duration = .seconds(1)
        /// The longest `uiautomator dump` may take, retries included.
        public var uiDumpTimeout: Duration = .seconds(45)
        /// Send short commands through one long-lived `sh` instead of a stream per command.
        public var usePersistentShell = true
        /// After selecting ADB Keyboard, how long to wait at most for it to start listening
        /// (seen in `dumpsys activity broadcasts`); longer means no text field has focus.
        public var imeAttachTimeout: Duration = .seconds(3)
        /// On a phone whose `dumpsys activity broadcasts` does not show ADB Keyboard's receiver,
        /// the fixed wait after selecting it instead.
        public var imeSwitchDelay: Duration = .milliseconds(300)
        /// After typing, how long the focused field may take to show the text.
        public var textConfirmTimeout: Duration = .seconds(2)
        /// How long typing waits for another process typing into the same phone.
        public var typingLockTimeout: Duration = .seconds(30)
        /// Labels by package that override those read from the apps' APKs (see `apps()`).
        public var appLabels: [String: String] = [:]
        /// Where to keep app labels read from APKs between runs (`app-labels.json`); nil keeps
        /// them in memory only. `Phone.defaultCacheDirectory` is $XDG_CACHE_HOME/tether.
        public var labelCacheDirectory: URL?
        /// The label cache forgets an APK nobody asked about for this long (uninstalled apps,
        /// superseded versions, phones long gone) …
        public var labelCacheMaxAge: Duration = .seconds(30 * 24 * 3600)
        /// … and keeps at most this many APKs, the most recently used.
        public var labelCacheMaxEntries = 4000
        public init() {}
    }

    public nonisolated let target: any ADBTarget
    public nonisolated let configuration: Configuration
    let logger: Logger
    let shellChannel: PersistentShell
    /// Cached once known: these do not change while a phone is connected.
    var cachedDisplay: DisplayInfo?
    var cachedHasCmdInput: Bool?
    /// Whether this phone's `dumpsys activity broadcasts` shows ADB Keyboard's receiver: nil
    /// until seen or missed once.
    var adbKeyboardReceiverVisible: Bool?
    /// Serializes operations made of several commands (typing switches IMEs and back) within
    /// this process; `HostFileLock` does it across processes.
    let textLock = AsyncLock()
    /// `ro.serialno`, which names the typing lock file.
    var cachedSerial: String?
    /// The launcher's packages, found once (see `launcherPackages()`).
    var cachedLauncherPackages: Set<String>?
    /// Commands, exec streams and sync pulls sent to the phone (for tests and diagnostics).
    public private(set) var roundTrips = 0
    /// App labels read from APKs, by package, APK path, size and mtime.
    var labelCache: [String: CachedLabels] = [:]
    var labelCacheLoaded = false
    /// Whether `dd iflag=skip_bytes,count_bytes` works on this phone; nil until tried.
    var rangedReadsWork: Bool?

    func countRoundTrip() { roundTrips += 1 }

    public init(
        target: any ADBTarget, configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "tether.android")
    ) {
        self.target = target
        self.configuration = configuration
        self.logger = logger
        self.shellChannel = PersistentShell(target: target)
    }

    /// Closes the persistent shell. The phone can still be used; a new shell opens on demand.
    public func close() async {
        await shellChannel.close()
    }

    // MARK: - Running commands

    /// Runs a shell command on the phone with a timeout. Failures of the transport become
    /// `PhoneError.timeout` or `.disconnected`; the command's own status is in the result.
    /// `exactStatus` runs it on a stream of its own (never the persistent shell, which only
    /// tells success from failure), so that a phone with shell v2 reports its exact exit code.
    public func shell(_ command: String, timeout: Duration? = nil, exactStatus: Bool = false) async throws -> CommandResult {
        let timeout = timeout ?? configuration.commandTimeout
        let channel = shellChannel, target = self.target
        let persistent = configuration.usePersistentShell && !exactStatus && PersistentShell.accepts(command)
        roundTrips += 1
        logger.trace("shell", metadata: ["command": "\(command)"])
        do {
            return try await withTimeout(timeout, command) {
                if persistent {
                    do { return try await channel.run(command) } catch is PersistentShell.ShellUnavailable {}
                }
                return CommandResult(try await target.startShell(command).collect(limit: 64 << 20))
            }
        } catch {
            throw PhoneError.from(error, action: command, timeout: timeout)
        }
    }

    /// The longest command line sent at once: a stream per command carries its command in an
    /// OPEN message, which phones with the original protocol cap at 4 KB.
    static let maxCommandBytes = 3_500
    static let outputSeparator = "--tether-next--"

    /// Runs `commands` batched into as few command lines as fit `maxCommandBytes` (a command
    /// longer than that goes alone) and returns each one's stdout, in order.
    func outputs(of commands: [String], timeout: Duration? = nil) async throws -> [String] {
        var answers: [String] = []
        let separator = "; echo \(Self.outputSeparator); "
        for batch in Self.batches(commands, separatorBytes: separator.utf8.count, limit: Self.maxCommandBytes) {
            let text = try await shell(batch.joined(separator: separator), timeout: timeout).stdoutText
            var parts = text.components(separatedBy: Self.outputSeparator + "\n")
            if parts.count < batch.count { parts += Array(repeating: "", count: batch.count - parts.count) }
            answers += parts.prefix(batch.count)
        }
        return answers
    }

    /// Consecutive groups of `items` whose joined length (with `separatorBytes` between items)
    /// stays within `limit`; an item longer than `limit` forms a group of its own.
    static func batches(_ items: [String], separatorBytes: Int, limit: Int) -> [[String]] {
        var groups: [[String]] = []
        var current: [String] = []
        var length = 0
        for item in items {
            let added = item.utf8.count + (current.isEmpty ? 0 : separatorBytes)
            if !current.isEmpty, length + added > limit {
                groups.append(current)
                current = []
                length = 0
            }
            length += current.isEmpty ? item.utf8.count : added
            current.append(item)
        }
        if !current.isEmpty { groups.append(current) }
        return groups
    }

    /// Runs a command that must succeed; returns its stdout as text.
    @discardableResult
    func check(_ command: String, timeout: Duration? = nil) async throws -> String {
        let result = try await shell(command, timeout: timeout)
        if let status = result.exitCode, status != 0 {
            throw PhoneError.commandFailed(command: command, status: status, output: result.stderrText + result.stdoutText)
        }
        return result.stdoutText
    }

    /// `exec:` with a timeout: byte-exact output (the PNG screenshot fallback, ranged reads).
    func execBytes(_ command: String, timeout: Duration) async throws -> [UInt8] {
        try await exec(command, timeout: timeout, into: [UInt8]()) { bytes, chunk in
            bytes += chunk
            if bytes.count > Self.maxExecBytes { throw ADBError.protocolViolation("stream sent more than \(Self.maxExecBytes) bytes") }
        }
    }

    static let maxExecBytes = 256 << 20

    /// `exec:` with a timeout, its output folded into `result` chunk by chunk as it arrives.
    func exec<Result: Sendable>(
        _ command: String, timeout: Duration, into result: Result,
        _ add: @escaping @Sendable (inout Result, [UInt8]) throws -> Void
    ) async throws -> Result {
        let target = self.target
        roundTrips += 1
        do {
            return try await withTimeout(timeout, command) {
                let stream = try await target.open("exec:" + command)
                do {
                    var folded = result
                    while let chunk = try await stream.read() { try add(&folded, chunk) }
                    await stream.close()
                    return folded
                } catch {
                    await stream.close()
                    throw error
                }
            }
        } catch {
            throw PhoneError.from(error, action: command, timeout: timeout)
        }
    }
}

/// What a command printed, and how it ended.
public struct CommandResult: Sendable, Equatable {
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// The exit status; through the persistent shell only 0 (success) or 1 (failure). Nil when
    /// the phone has no shell v2 and so cannot say.
    public var exitCode: Int32?

    public init(stdout: [UInt8], stderr: [UInt8], exitCode: Int32?) {
        self.stdout = stdout
        self.stderr = stderr
        self.exitCode = exitCode
    }

    init(_ result: ShellResult) {
        self.init(stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode)
    }

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}
