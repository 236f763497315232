import Basics
import Foundation
import TetherTestSupport
import NIOCore
import NIOPosix
import Testing
@testable import ADB

/// A device that advertises no features gets the legacy services: `shell:` (stderr merged, no
/// exit code) and sync v1 (STAT, LIST). Plus framebuffer, tcpip and reboot replies.
@Suite struct LegacyServicesTests {
    static let oldBanner = ADBBanner(systemType: .device, properties: [("ro.product.model", "Old")], features: [])

    @Test func shellV1AndSyncV1() async throws {
        let device = try await TestDevice.start(banner: Self.oldBanner)
        let connection = try await ADBHost.connect(transport: try await TCPPacketTransport.connect(host: "127.0.0.1", port: device.port), keys: nil)
        #expect(await connection.sharedFeatures.isEmpty)
        let result = try await connection.shell("echo one; echo two >&2; exit 3")
        #expect(result.exitCode == nil)
        #expect(result.stdoutText == "one\ntwo\n")

        let sync = try await SyncClient.open(connection)
        #expect(!sync.usesStatV2)
        try await sync.push(data: Array("legacy".utf8), to: "/sdcard/dir/legacy.txt", mode: 0o100600)
        let stat = try await sync.stat("/sdcard/dir/legacy.txt")
        #expect(stat.size == 6)
        #expect(stat.mode == 0o100600)
        #expect(!(try await sync.stat("/sdcard/missing")).exists)
        let names = try await sync.list("/sdcard/dir").map(\.name)
        #expect(names == [".", "..", "legacy.txt"])
        await #expect(throws: ADBError.self) { _ = try await sync.pullData("/sdcard/missing") }
        #expect(try await sync.pullData("/sdcard/dir/legacy.txt") == Array("legacy".utf8))
        await sync.close()
        await connection.close()
        await device.stop()
    }

    @Test func framebufferTcpipAndReboot() async throws {
        let root = TemporaryDirectory()
        let files = DeviceFileSystem(root: root.url)
        let rebooted = RebootLog()
        // A 3x2 RGBA_8888 frame with a version-2 header (red, blue, green, alpha order on the wire).
        let pixels: [UInt8] = (0..<24).map { UInt8($0) }
        var headerBytes: [UInt8] = []
        for word: UInt32 in [2, 32, 1, 24, 3, 2, 0, 8, 16, 8, 8, 8, 24, 8] { headerBytes.appendLittleEndian(word) }
        let header = headerBytes
        let services = ADBDeviceServices(
            shell: BasicDeviceShell(files: files), sync: SyncServer(files: files),
            extra: [("framebuffer:", { _ in { stream in _ = try? await stream.write(header + pixels) } })],
            onReboot: { target in Task { await rebooted.record(target) } })
        let endpoint = ADBDeviceEndpoint(services: services, configuration: .init(banner: TestDevice.banner))
        let port = try await endpoint.start()
        let connection = try await ADBHost.connect(transport: try await TCPPacketTransport.connect(host: "127.0.0.1", port: port), keys: nil)
        let frame = try await connection.framebuffer()
        #expect(frame.width == 3 && frame.height == 2 && frame.bitsPerPixel == 32 && frame.colorSpace == 1)
        #expect(frame.blue.offset == 16 && frame.green.offset == 8 && frame.alpha.offset == 24)
        #expect(frame.pixels == pixels)
        #expect(try await connection.tcpip(port: 5555) == "restarting in TCP mode port: 5555\n")
        try await connection.reboot(into: "bootloader")
        try await Task.sleep(for: .milliseconds(50))
        #expect(await rebooted.targets == ["bootloader"])
        await connection.close()
        await endpoint.stop()
    }

    /// The host half against a "device" that answers with garbage: a clean error every time.
    @Test func hostHalfSurvivesAGarbageDevice() async throws {
        var random = SplitMix64(seed: testSeed ^ 0x9a7b)
        for round in 0..<12 {
            let reply: [UInt8] =
                round % 2 == 0
                ? (0..<Int.random(in: 1...300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                : {
                    var m = ADBMessage(.cnxn, ADBProtocol.version, 4096, payload: Array("device::features=shell_v2".utf8)).encoded()
                    m[Int.random(in: 0..<24, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
                    return m
                }()
            let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .childChannelInitializer { channel in
                    channel.writeAndFlush(channel.allocator.buffer(bytes: reply)).flatMap { channel.close() }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            var options = ADBHost.Options()
            options.handshakeTimeout = .milliseconds(300)
            do {
                let c = try await ADBHost.connect(
                    transport: try await TCPPacketTransport.connect(host: "127.0.0.1", port: server.localAddress!.port!), keys: nil, options: options)
                // A mutation that left a valid CNXN is a valid device.
                await c.close()
            } catch {
                #expect(error is ADBError, "\(error)")
            }
            try await server.close()
        }
    }
}

actor RebootLog {
    var targets: [String] = []
    func record(_ t: String) { targets.append(t) }
}
