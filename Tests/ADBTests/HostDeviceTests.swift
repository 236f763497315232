import Foundation
import TetherTestSupport
import Testing
@testable import ADB

/// Our host half against our device half over real TCP sockets.
@Suite struct HostDeviceTests {
    @Test func shellOverDirectTCP() async throws {
        let device = try await TestDevice.start()
        try await withCleanup {
            let transport = try await TCPPacketTransport.connect(host: "127.0.0.1", port: device.port)
            let connection = try await ADBHost.connect(transport: transport, keys: nil)
            #expect(connection.peerBanner.model == "TetherModel")
            let result = try await connection.shell("echo hi; echo err >&2; exit 4")
            #expect(result.stdoutText == "hi\n")
            #expect(result.exitCode == 4)
            await connection.close()
        } cleanup: {
            await device.stop()
        }
    }

    /// A command as long as real adb sends (65,000 bytes) goes in one OPEN: the limit is the
    /// negotiated payload, not the 4 KiB of protocol version 1.
    @Test func aLongCommandFitsTheNegotiatedPayload() async throws {
        let device = try await TestDevice.start()
        let connection = try await ADBHost.connect(
            transport: try await TCPPacketTransport.connect(host: "127.0.0.1", port: device.port), keys: nil)
        let word = String(repeating: "x", count: 65_000)
        let result = try await connection.shell("echo " + word)
        #expect(result.stdoutText == word + "\n")
        #expect(result.exitCode == 0)
        // Past the negotiated 1 MiB the error says how long it was and what fits.
        await #expect(
            throws: ADBError.invalidArgument(
                "the command is too long: \(ADBProtocol.maxPayload + 13) bytes where \(connection.peerDescription) takes at most \(ADBProtocol.maxPayload - 1)")
        ) {
            _ = try await connection.open("shell,v2,raw:" + String(repeating: "y", count: ADBProtocol.maxPayload))
        }
        await connection.close()
        await device.stop()
    }
}
