import ADB
import ArgumentParser
import Crypto
import Foundation
import Basics

struct SelfCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "self-check",
        abstract: "Check Tether's ADB stack end to end without a phone: a device endpoint in this process, driven by the host side over TCP.")

    func run() async throws {
        var failures = 0
        func report(_ name: String, _ start: Date, _ body: () async throws -> String) async {
            do {
                let detail = try await body()
                let millis = String(format: "%6.0f ms", Date().timeIntervalSince(start) * 1000)
                say("  ok    " + name.padding(toLength: 46, withPad: " ", startingAt: 0) + millis + "  " + detail)
            } catch {
                failures += 1
                say("  FAIL  \(name): \(error)")
            }
        }

        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tether-self-check-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let deviceRoot = scratch.appendingPathComponent("device")
        try FileManager.default.createDirectory(at: deviceRoot.appendingPathComponent("sdcard"), withIntermediateDirectories: true)
        let files = DeviceFileSystem(root: deviceRoot)
        let trusted = ADBAuthorizedKeys()
        let banner = ADBBanner(
            systemType: .device,
            properties: [("ro.product.name", "selfcheck"), ("ro.product.model", "Tether self-check"), ("ro.product.device", "selfcheck")],
            features: ADBFeature.device)
        var configuration = ADBDeviceEndpoint.Configuration(
            banner: banner,
            authentication: .keys(trusted, onUnknownKey: { _, _ in true }))  // the simulated user taps Allow
        configuration.handshakeTimeout = .seconds(10)
        let endpoint = ADBDeviceEndpoint(
            services: ADBDeviceServices(shell: BasicDeviceShell(files: files), sync: SyncServer(files: files)),
            configuration: configuration)
        let port = try await endpoint.start(host: "127.0.0.1", port: 0)
        let keys = try ADBKeyStore.load(directory: scratch.appendingPathComponent("keys"))
        say("Tether self-check: device endpoint on 127.0.0.1:\(port)")

        var connection: ADBConnection?
        await report("handshake with a new key (prompt accepted)", Date()) {
            let prompted = Locked(false)
            let transport = try await TCPPacketTransport.connect(host: "127.0.0.1", port: port)
            let c = try await ADBHost.connect(transport: transport, keys: keys) { _ in prompted.set(true) }
            await c.close()
            guard prompted.value else { throw CommandFailure(description: "the device never showed its prompt") }
            return "key \(keys.primary.publicKey.fingerprint.prefix(11))…"
        }
        await report("handshake with a trusted key (signature)", Date()) {
            let transport = try await TCPPacketTransport.connect(host: "127.0.0.1", port: port)
            let prompted = Locked(false)
            let c = try await ADBHost.connect(transport: transport, keys: keys) { _ in prompted.set(true) }
            connection = c
            guard !prompted.value else { throw CommandFailure(description: "the signature was not accepted") }
            return c.peerBanner.model ?? ""
        }
        guard let connection else {
            await endpoint.stop()
            throw ExitCode.failure
        }
        await report("shell v2: stdout, stderr, exit code", Date()) {
            let r = try await connection.shell("echo out; echo err >&2; exit 7")
            guard r.stdoutText == "out\n", r.stderrText == "err\n", r.exitCode == 7 else {
                throw CommandFailure(description: "got \(r)")
            }
            return "exit 7"
        }
        let payload = (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        await report("sync push + pull, 8 MiB", Date()) {
            let sync = try await SyncClient.open(connection)
            try await sync.push(data: payload, to: "/sdcard/self-check.bin")
            let back = try await sync.pullData("/sdcard/self-check.bin")
            await sync.close()
            guard SHA256.hash(data: back) == SHA256.hash(data: payload) else { throw CommandFailure(description: "checksums differ") }
            return "sha256 equal"
        }
        await report("exec: binary output byte-exact", Date()) {
            let back = try await connection.exec("cat /sdcard/self-check.bin")
            guard back == payload else { throw CommandFailure(description: "bytes differ") }
            return "\(back.count) bytes"
        }
        await connection.close()
        await endpoint.stop()

        await report("libusb", Date()) {
            let usb = try LibUSB()
            return "\(usb.candidates().count) ADB interface(s) on USB"
        }
        let server = ADBServerClient.fromEnvironment()
        if let version = try? await server.version() {
            say("  info  \(server.description) is running (protocol \(version))")
        } else {
            say("  info  no \(server.description) (not needed: Tether speaks ADB itself)")
        }
        if failures > 0 {
            say("\(failures) check(s) failed")
            throw ExitCode.failure
        }
        say("all checks passed")
    }
}
