import Foundation
import TetherTestSupport
import Testing
@testable import ADB

/// Peers that complete part of the protocol and then stop, or are not ADB at all: each ends in a
/// bounded time with a message that says what happened.
@Suite struct MisbehavingPeerTests {
    /// A device that completes CNXN and then never answers OPEN: the OPEN times out (the timeout
    /// is injected, so the test is quick; the default is the documented 10 s).
    @Test func anOpenThatIsNeverAnsweredTimesOut() async throws {
        let device = try FakeDevice { socket in
            if FakeDevice.completeHandshake(socket) { FakeDevice.drain(socket) }
        }
        defer { device.stop() }
        var options = ADBHost.Options()
        options.connection.openTimeout = .milliseconds(500)
        let connection = try await ADBHost.connect(
            transport: try await TCPPacketTransport.connect(host: "127.0.0.1", port: device.port), keys: nil, options: options)
        do {
            _ = try await connection.shell("echo hi", timeout: .seconds(30))
            Issue.record("an unanswered OPEN must time out")
        } catch ADBError.timeout(let message) {
            #expect(message.contains("did not answer OPEN"), "\(message)")
        }
        await connection.close()
        #expect(ADBConnection.Configuration().openTimeout == .seconds(10))
    }
}

extension MisbehavingPeerTests {
    /// Servers of other protocols are named as such, from the first bytes they send.
    @Test(arguments: [
        ("HTTP/1.0 400 Bad request\r\nServer: tiny\r\n\r\n", "it answered HTTP"),
        ("SSH-2.0-OpenSSH_9.6\r\n", "it answered SSH"),
        ("220 mail.example ESMTP ready\r\n", "it answered text: \"220 mail.example ESMTP r…\"")
    ])
    func aServerOfAnotherProtocolIsNamed(reply: String, detail: String) async throws {
        let server = try FakeDevice { socket in
            _ = FakeDevice.readPacket(socket)  // the host's CNXN
            FakeDevice.write(socket, Array(reply.utf8))
            close(socket)
        }
        defer { server.stop() }
        let address = "127.0.0.1:\(server.port)"
        do {
            _ = try await ADBHost.connect(transport: try await TCPPacketTransport.connect(host: "127.0.0.1", port: server.port), keys: nil)
            Issue.record("\(detail): must not connect")
        } catch let error as ADBError {
            #expect("\(error)" == "\(address) is not an ADB device (\(detail))")
        }
    }

    /// Binary garbage is refused as not ADB too, with what was wrong.
    @Test func binaryGarbageIsNotAnADBDevice() async throws {
        let server = try FakeDevice { socket in
            _ = FakeDevice.readPacket(socket)
            FakeDevice.write(socket, [UInt8](repeating: 0, count: 24))
            FakeDevice.drain(socket)
        }
        defer { server.stop() }
        do {
            _ = try await ADBHost.connect(transport: try await TCPPacketTransport.connect(host: "127.0.0.1", port: server.port), keys: nil)
            Issue.record("zeros must not connect")
        } catch let error as ADBError {
            #expect("\(error)".hasPrefix("127.0.0.1:\(server.port) is not an ADB device (its first bytes are not an ADB header: bad magic"), "\(error)")
        }
    }

    /// A device that sends half a header after CNXN's request, then nothing: the handshake ends
    /// after the (injected) handshake timeout.
    @Test func aDeviceThatStopsInsideAHeaderTimesOut() async throws {
        let device = try FakeDevice { socket in
            _ = FakeDevice.readPacket(socket)
            FakeDevice.write(socket, Array(ADBMessage(.cnxn, ADBProtocol.version, 4096).encoded().prefix(10)))
            FakeDevice.drain(socket)
        }
        defer { device.stop() }
        var options = ADBHost.Options()
        options.handshakeTimeout = .milliseconds(500)
        await #expect(throws: ADBError.self) {
            _ = try await ADBHost.connect(
                transport: try await TCPPacketTransport.connect(host: "127.0.0.1", port: device.port), keys: nil, options: options)
        }
        #expect(ADBHost.Options().handshakeTimeout == .seconds(10))
    }

    /// The device half drops a host that sends half a header and then nothing, after its
    /// handshake timeout (injected here; 10 s by default, as docs/adb.md says).
    @Test func theDeviceHalfDropsAHostThatStopsInsideAHeader() async throws {
        var configuration = ADBDeviceEndpoint.Configuration(banner: TestDevice.banner)
        #expect(configuration.handshakeTimeout == .seconds(10))
        configuration.handshakeTimeout = .milliseconds(500)
        let root = TemporaryDirectory()
        let services = ADBDeviceServices(shell: BasicDeviceShell(files: DeviceFileSystem(root: root.url)), sync: nil)
        let endpoint = ADBDeviceEndpoint(services: services, configuration: configuration)
        let port = try await endpoint.start()
        let peer = try await SocketStream.connect(host: "127.0.0.1", port: port)
        try await peer.write(Array(ADBMessage(.cnxn, ADBProtocol.version, 4096).encoded().prefix(10)))
        // Bounded far above the injected timeout and far below the old 30 s: the endpoint hangs up.
        let answer = try await withTimeout(.seconds(8), "the endpoint to drop the peer") { try? await peer.readAll() }
        #expect(answer?.isEmpty ?? true)
        await peer.close()
        await endpoint.stop()
    }
}
