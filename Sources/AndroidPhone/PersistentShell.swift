import ADB
import Foundation

/// One `sh` kept open on the phone (shell v2, no pty): commands go in on its stdin one line at a
/// time, and a marker echoed after each command says where its output ends and whether it
/// succeeded. This saves opening a stream and starting a shell for every action.
///
/// Commands run one at a time, in the order they were asked for. A command that fails to finish
/// (timeout, cancellation, lost connection) closes the shell; the next command opens a new one.
actor PersistentShell {
    let target: any ADBTarget
    private var session: ShellSession?
    private var pending: [UInt8] = []
    private var counter = 0
    private let nonce = String(UInt64.random(in: 0...UInt64.max), radix: 36)
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// False once the device turned out to have no shell v2 (a legacy shell echoes and prompts).
    private(set) var supported = true

    init(target: any ADBTarget) {
        self.target = target
    }

    /// Whether `command` can go through the persistent shell.
    static func accepts(_ command: String) -> Bool {
        !command.contains("\n") && !command.contains("\r")
    }

    /// Runs `command`. `exitCode` is 0 when it succeeded and 1 when it did not (the shell's `&&`/`||`
    /// says no more than that). Throws `ShellUnavailable` when the device has no shell v2.
    func run(_ command: String) async throws -> CommandResult {
        await acquire()
        defer { release() }
        do {
            return try await execute(command)
        } catch {
            await reset()
            throw error
        }
    }

    func close() async {
        await reset()
    }

    struct ShellUnavailable: Error {}

    private func execute(_ command: String) async throws -> CommandResult {
        try Task.checkCancellation()
        let session = try await currentSession()
        counter += 1
        let marker = "__tether_\(nonce)_\(counter)__"
        let line = "\(command) && echo \(marker)0 || echo \(marker)1\n"
        try await session.writeStdin(Array(line.utf8))
        let markerBytes = Array(marker.utf8)
        var stderr: [UInt8] = []
        var searchFrom = 0
        while true {
            if let start = find(markerBytes, in: pending, from: searchFrom),
                let newline = pending[(start + markerBytes.count)...].firstIndex(of: 10)
            {
                let status: Int32 = pending[start + markerBytes.count] == UInt8(ascii: "0") ? 0 : 1
                let stdout = Array(pending[..<start])
                pending.removeSubrange(..<(newline + 1))
                return CommandResult(stdout: stdout, stderr: stderr, exitCode: status)
            }
            searchFrom = max(0, pending.count - markerBytes.count - 2)
            guard let event = try await session.next() else {
                throw ADBError.connectionClosed("the phone's shell ended")
            }
            switch event {
            case .stdout(let bytes): pending += bytes
            case .stderr(let bytes): stderr += bytes
            case .exit(let code): throw ADBError.connectionClosed("the phone's shell exited with status \(code)")
            }
        }
    }

    private func currentSession() async throws -> ShellSession {
        if let session { return session }
        guard supported else { throw ShellUnavailable() }
        let session = try await target.startShell("")
        guard session.usesProtocolV2 else {
            supported = false
            await session.close()
            throw ShellUnavailable()
        }
        self.session = session
        pending = []
        return session
    }

    private func reset() async {
        let old = session
        session = nil
        pending = []
        if let old { await old.close() }
    }

    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty {
            busy = false
        } else {
            waiters.removeFirst().resume()
        }
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var i = from
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == needle[0] {
                var j = 1
                while j < needle.count, haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}
