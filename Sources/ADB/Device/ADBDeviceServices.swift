/// The services a device half answers: `shell:` (v1 and v2), `exec:`, `sync:`, and the replies
/// of `reboot:`, `tcpip:` and `usb:`. Anything else is refused, as adbd refuses what it lacks.
public struct ADBDeviceServices: ADBServiceProvider {
    public let shell: any DeviceShell
    public let sync: SyncServer?
    /// Extra services by exact prefix, tried before the built-in ones (e.g. `framebuffer:`).
    public let extra: [(prefix: String, handler: @Sendable (String) -> ADBServiceHandler?)]
    /// Called for `reboot:…` so an owner can act on it.
    public let onReboot: @Sendable (String) -> Void

    public init(
        shell: any DeviceShell, sync: SyncServer?,
        extra: [(prefix: String, handler: @Sendable (String) -> ADBServiceHandler?)] = [],
        onReboot: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.shell = shell
        self.sync = sync
        self.extra = extra
        self.onReboot = onReboot
    }

    public func handler(for service: String) -> ADBServiceHandler? {
        for (prefix, make) in extra where service.hasPrefix(prefix) {
            if let handler = make(service) { return handler }
        }
        if let name = ShellServiceName(parsing: service) {
            let shell = self.shell
            return { stream in await Self.runShell(name, shell: shell, stream: stream) }
        }
        if service == "sync:", let sync {
            return { stream in await sync.serve(stream) }
        }
        if service.hasPrefix("reboot:") {
            let onReboot = self.onReboot
            return { _ in onReboot(String(service.dropFirst(7))) }
        }
        if service.hasPrefix("tcpip:") {
            guard let port = Int(service.dropFirst(6)), (1...65535).contains(port) else {
                return { stream in _ = try? await stream.write(Array("invalid port\n".utf8)) }
            }
            return { stream in _ = try? await stream.write(Array("restarting in TCP mode port: \(port)\n".utf8)) }
        }
        if service == "usb:" {
            return { stream in _ = try? await stream.write(Array("restarting in USB mode\n".utf8)) }
        }
        return nil
    }

    /// Runs one shell service: v2 frames stdout, stderr and the exit status; v1 and exec send
    /// raw bytes with stderr merged in.
    static func runShell(_ name: ShellServiceName, shell: any DeviceShell, stream: any ServiceStream) async {
        let v2 = name.mode == .v2
        let (stdin, stdinContinuation) = AsyncStream<[UInt8]>.makeStream()
        @Sendable func emit(_ kind: ShellPacket.Kind, _ bytes: [UInt8]) async throws {
            guard !bytes.isEmpty else { return }
            try await stream.write(v2 ? ShellPacket(kind, bytes).encoded : bytes)
        }
        let stdout: @Sendable ([UInt8]) async throws -> Void = { try await emit(.stdout, $0) }
        let stderr: @Sendable ([UInt8]) async throws -> Void = { try await emit(.stderr, $0) }
        // Standard input: v2 packets until close-stdin; raw bytes for v1/exec.
        let stdinTask = Task {
            let reader = StreamReader(stream)
            do {
                if v2 {
                    while let packet = try await ShellPacket.read(from: reader) {
                        if packet.kind == .stdin { stdinContinuation.yield(packet.data) }
                        if packet.kind == .closeStdin { break }
                    }
                } else {
                    while let chunk = try await reader.readAvailable() { stdinContinuation.yield(chunk) }
                }
            } catch {}
            stdinContinuation.finish()
        }
        let io = ShellIO(stdout: stdout, stderr: stderr, stdin: stdin)
        let status: Int32
        if name.command.isEmpty {
            // An interactive shell: run each line of stdin.
            var last: Int32 = 0
            var pending: [UInt8] = []
            let lines = AsyncStream<[UInt8]>.makeStream()
            let lineIO = ShellIO(stdout: stdout, stderr: stderr, stdin: lines.stream)
            lines.continuation.finish()
            for await chunk in stdin {
                pending += chunk
                while let newline = pending.firstIndex(of: 10) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeFirst(newline + 1)
                    if line.trimmingCharacters(in: .whitespaces) == "exit" { break }
                    last = await shell.run(line, io: lineIO)
                }
            }
            status = last
        } else {
            status = await shell.run(name.command, io: io)
        }
        if v2 { try? await stream.write(ShellPacket(.exit, [UInt8(truncatingIfNeeded: status)]).encoded) }
        stdinTask.cancel()
    }
}
