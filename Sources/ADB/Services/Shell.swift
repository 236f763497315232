import Foundation
import Synchronization

/// What a shell command sent back.
public struct ShellResult: Sendable, Equatable {
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// Nil when the device has no shell v2 and so cannot report one.
    public var exitCode: Int32?

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// One event of a running shell command.
public enum ShellEvent: Sendable, Equatable {
    case stdout([UInt8])
    case stderr([UInt8])
    case exit(Int32)
}

/// A running shell command: its output as it comes, and its stdin.
///
/// One task reads (`next`, `collect`) while another may write stdin, as the stream allows. The
/// output reader is not `Sendable`; a second task calling `next` while one is inside it gets an
/// error instead of a data race, which is what makes this type `Sendable`.
public final class ShellSession: @unchecked Sendable {
    public let stream: any ServiceStream
    public let usesProtocolV2: Bool
    private let reader: StreamReader
    /// Whether a task is inside `next`, and whether the exit packet has been seen.
    private let state = Mutex((reading: false, exited: false))

    init(stream: any ServiceStream, usesProtocolV2: Bool) {
        self.stream = stream
        self.usesProtocolV2 = usesProtocolV2
        self.reader = StreamReader(stream)
    }

    /// The next output event; nil once the command has ended. With v2, a stream that ends without
    /// an exit packet is an error ("connection lost"), as adb treats it.
    public func next() async throws -> ShellEvent? {
        let entered = state.withLock { state -> Bool in
            if state.reading { return false }
            state.reading = true
            return true
        }
        guard entered else { throw ADBError.invalidArgument("two readers on one shell session") }
        defer { state.withLock { $0.reading = false } }
        guard usesProtocolV2 else {
            return try await reader.readAvailable().map(ShellEvent.stdout)
        }
        if state.withLock({ $0.exited }) { return nil }
        while true {
            guard let packet = try await ShellPacket.read(from: reader) else {
                throw ADBError.connectionClosed("the shell ended without an exit status")
            }
            switch packet.kind {
            case .stdout: return .stdout(packet.data)
            case .stderr: return .stderr(packet.data)
            case .exit:
                state.withLock { $0.exited = true }
                return .exit(Int32(packet.data.first ?? 0))
            case .stdin, .closeStdin, .windowSizeChange: continue  // host-to-device kinds; ignore
            }
        }
    }

    public func writeStdin(_ bytes: [UInt8]) async throws {
        try await stream.write(usesProtocolV2 ? ShellPacket(.stdin, bytes).encoded : bytes)
    }

    /// Tells the command its stdin is done (v2 only; v1 has no half-close).
    public func closeStdin() async throws {
        if usesProtocolV2 { try await stream.write(ShellPacket(.closeStdin).encoded) }
    }

    public func close() async { await stream.close() }

    /// Collects everything until the command ends.
    public func collect(limit: Int = 1 << 30) async throws -> ShellResult {
        var result = ShellResult(stdout: [], stderr: [], exitCode: nil)
        while let event = try await next() {
            switch event {
            case .stdout(let b): result.stdout += b
            case .stderr(let b): result.stderr += b
            case .exit(let code):
                result.exitCode = code
                await close()
                return result
            }
            if result.stdout.count + result.stderr.count > limit {
                await close()
                throw ADBError.protocolViolation("shell output over \(limit) bytes")
            }
        }
        await close()
        return result
    }
}

extension ADBTarget {
    /// Starts `command` through shell v2 when both ends have it (separate stderr, an exit code),
    /// otherwise through the legacy `shell:` service.
    public func startShell(_ command: String, pty: Bool = false, term: String? = nil) async throws -> ShellSession {
        let v2 = await sharedFeatures.contains(ADBFeature.shellV2)
        let name = ShellServiceName(mode: v2 ? .v2 : .v1, pty: pty, term: term, command: command)
        return ShellSession(stream: try await open(name.service), usesProtocolV2: v2)
    }

    /// Runs `command` and collects its output. `timeout` bounds the whole run.
    public func shell(_ command: String, timeout: Duration? = .seconds(60)) async throws -> ShellResult {
        try await withTimeout(timeout, "shell command `\(command)`") {
            let session = try await self.startShell(command)
            return try await session.collect()
        }
    }

    /// `exec:` — raw bytes, byte-exact, stderr merged in by the device.
    public func exec(_ command: String, timeout: Duration? = .seconds(60)) async throws -> [UInt8] {
        try await withTimeout(timeout, "exec `\(command)`") {
            try await self.withStream("exec:" + command) { try await $0.readAll() }
        }
    }

    /// `reboot:` with an optional target (`bootloader`, `recovery`, `sideload`).
    public func reboot(into target: String = "") async throws {
        try await withStream("reboot:" + target) { _ = try? await $0.readAll() }
    }

    /// `tcpip:PORT`: the device restarts adbd listening on TCP; returns its message.
    public func tcpip(port: Int) async throws -> String {
        guard (1...65535).contains(port) else { throw ADBError.invalidArgument("port \(port) is out of range") }
        let reply = try await withStream("tcpip:\(port)") { try await $0.readAll(limit: 4096) }
        return String(decoding: reply, as: UTF8.self)
    }

    /// `usb:`: the device goes back to USB-only adbd.
    public func usb() async throws -> String {
        let reply = try await withStream("usb:") { try await $0.readAll(limit: 4096) }
        return String(decoding: reply, as: UTF8.self)
    }
}

/// Quoting for the device's `/system/bin/sh`, as `adb exec-out` quotes each argument.
public enum ShellQuoting {
    /// `'…'` with `'` written as `'\''`.
    public static func quote(_ argument: String) -> String {
        "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    public static func join(_ arguments: [String]) -> String {
        arguments.map(quote).joined(separator: " ")
    }
}
