import Foundation
import TetherTestSupport
import NIOCore
import NIOPosix
import Testing
@testable import ADB

/// Services for exercising the connection layer.
struct ProbeServices: ADBServiceProvider {
    let written: WrittenCounter

    func handler(for service: String) -> ADBServiceHandler? {
        switch service {
        case "flood:":
            // Writes 64 KiB chunks for as long as the host keeps acknowledging them.
            let written = self.written
            return { stream in
                let chunk = [UInt8](repeating: 0x5a, count: 64 * 1024)
                for _ in 0..<1000 {
                    do { try await stream.write(chunk) } catch { return }
                    await written.add(chunk.count)
                }
            }
        case "echo:":
            return { stream in
                while let data = try? await stream.read() {
                    do { try await stream.write(data) } catch { return }
                }
            }
        case "hang:":
            return { _ in try? await Task.sleep(for: .seconds(3600)) }
        default:
            return nil
        }
    }
}

actor WrittenCounter {
    var bytes = 0
    func add(_ n: Int) { bytes += n }
}

@Suite struct ConnectionTests {
    func start(_ services: some ADBServiceProvider, handshakeTimeout: Duration = .seconds(30)) async throws -> (ADBDeviceEndpoint, Int) {
        var configuration = ADBDeviceEndpoint.Configuration(banner: TestDevice.banner)
        configuration.handshakeTimeout = handshakeTimeout
        let endpoint = ADBDeviceEndpoint(services: services, configuration: configuration)
        return (endpoint, try await endpoint.start())
    }

    func connect(_ port: Int) async throws -> ADBConnection {
        try await ADBHost.connect(transport: try await TCPPacketTransport.connect(host: "127.0.0.1", port: port), keys: nil)
    }

    @Test func aSlowReaderSlowsTheWriter() async throws {
        let counter = WrittenCounter()
        let (endpoint, port) = try await start(ProbeServices(written: counter))
        let connection = try await connect(port)
        let stream = try await connection.open("flood:")
        // The device writes at once (so the bound below is not met by a writer that never ran)...
        #expect(await eventually { await counter.bytes >= 64 * 1024 })
        // ...and, with nothing read, stops: one WRTE waiting for its OKAY plus one we buffered,
        // however long we wait.
        try await Task.sleep(for: .milliseconds(300))
        #expect(await counter.bytes <= 2 * 64 * 1024)
        var received = 0
        for _ in 0..<10 { received += try await stream.read()?.count ?? 0 }
        #expect(received == 10 * 64 * 1024)
        // Reading lets it go on, and still no further than two chunks ahead of the reader.
        #expect(await eventually { await counter.bytes > received })
        try await Task.sleep(for: .milliseconds(100))
        #expect(await counter.bytes <= received + 2 * 64 * 1024)
        await stream.close()
        await connection.close()
        await endpoint.stop()
    }

    @Test func manyConcurrentStreamsOnOneConnection() async throws {
        let (endpoint, port) = try await start(ProbeServices(written: WrittenCounter()))
        let connection = try await connect(port)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<40 {
                group.addTask {
                    let stream = try await connection.open("echo:")
                    let message = (0..<(1000 + i * 3000)).map { UInt8(truncatingIfNeeded: $0 + i) }
                    try await stream.write(message)
                    var back: [UInt8] = []
                    while back.count < message.count, let chunk = try await stream.read() { back += chunk }
                    #expect(back == message)
                    await stream.close()
                }
            }
            try await group.waitForAll()
        }
        await connection.close()
        await endpoint.stop()
    }

    @Test func refusedServiceIsAnErrorNotAHang() async throws {
        let (endpoint, port) = try await start(ProbeServices(written: WrittenCounter()))
        let connection = try await connect(port)
        await #expect(throws: ADBError.self) { _ = try await connection.open("no-such-service:") }
        // The connection is still usable.
        let stream = try await connection.open("echo:")
        try await stream.write([1, 2, 3])
        #expect(try await stream.read() == [1, 2, 3])
        await connection.close()
        await endpoint.stop()
    }

    @Test func theDeviceGoingAwayEndsReadsWithAnError() async throws {
        let (endpoint, port) = try await start(ProbeServices(written: WrittenCounter()))
        let connection = try await connect(port)
        let stream = try await connection.open("hang:")
        let reader = Task { try await stream.read() }
        try await Task.sleep(for: .milliseconds(50))
        await endpoint.stop()
        await #expect(throws: ADBError.self) { _ = try await reader.value }
        #expect(await connection.isClosed)
        await #expect(throws: ADBError.self) { _ = try await connection.open("echo:") }
    }

    /// A host that never answers: the handshake ends with a timeout, not a hang.
    @Test func aSilentPeerTimesOut() async throws {
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(.autoRead, value: false)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(silent.localAddress?.port)
        var options = ADBHost.Options()
        options.handshakeTimeout = .milliseconds(300)
        do {
            _ = try await ADBHost.connect(transport: try await TCPPacketTransport.connect(host: "127.0.0.1", port: port), keys: nil, options: options)
            Issue.record("expected a timeout")
        } catch ADBError.timeout(let message) {
            #expect(message.contains("handshake"))
        }
        try await silent.close()
    }

    /// Garbage, truncated packets and wrong magic close that one connection; others carry on.
    @Test func malformedInputClosesOnlyItsConnection() async throws {
        let (endpoint, port) = try await start(ProbeServices(written: WrittenCounter()), handshakeTimeout: .seconds(1))
        let healthy = try await connect(port)
        var header = ADBMessage(.cnxn, ADBProtocol.version, 4096, payload: Array("host::".utf8)).encoded()
        header[20] ^= 0xff  // magic
        let inputs: [[UInt8]] = [
            Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
            header,
            Array(ADBMessage(.cnxn, ADBProtocol.version, 4096, payload: Array("host::features=shell_v2".utf8)).encoded().prefix(30)),
            ADBHeader(
                command: ADBMessage.Command.wrte.rawValue, arg0: 1, arg1: 1, dataLength: 0x7fff_ffff, dataCheck: 0,
                magic: ADBMessage.Command.wrte.rawValue ^ 0xffff_ffff
            ).bytes
        ]
        for input in inputs {
            let raw = try await SocketStream.connect(host: "127.0.0.1", port: port)
            try await raw.write(input)
            let outcome = try await withTimeout(.seconds(10), "the endpoint to drop a bad peer") { () -> [UInt8]? in
                // A truncated packet waits for the rest until the handshake timeout, then the
                // endpoint hangs up. It never answers with a CNXN.
                var got: [UInt8] = []
                while let chunk = try? await raw.read() { got += chunk }
                return got
            }
            #expect(outcome?.isEmpty == true)
        }
        let stream = try await healthy.open("echo:")
        try await stream.write([9])
        #expect(try await stream.read() == [9])
        await healthy.close()
        await endpoint.stop()
    }
}
