import Foundation
import TetherTestSupport
import Testing
@testable import ADB

/// Our host half against our device half over real TCP sockets.
@Suite struct HostDeviceTests {
    @Test func shellOverDirectTCP() async throws {
        let device = try await TestDevice.start()
        defer { Task { await device.stop() } }
        let transport = try await TCPPacketTransport.connect(host: "127.0.0.1", port: device.port)
        let connection = try await ADBHost.connect(transport: transport, keys: nil)
        #expect(connection.peerBanner.model == "TetherModel")
        let result = try await connection.shell("echo hi; echo err >&2; exit 4")
        #expect(result.stdoutText == "hi\n")
        #expect(result.exitCode == 4)
        await connection.close()
    }
}
