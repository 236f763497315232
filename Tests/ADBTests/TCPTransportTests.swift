import Foundation
import Testing
import TetherTestSupport
@testable import ADB
import Basics

/// A plain POSIX peer for `TCPPacketTransport`: it accepts one connection and writes or reads
/// raw bytes, so the transport meets packets split, truncated or never read.
final class RawPeer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private(set) var connection: Int32 = -1

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 4) == 0 else { throw ADBError.io("raw peer cannot listen") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Connects a transport to this peer and accepts its connection.
    func connectTransport(writeTimeout: Duration = .seconds(60), readAhead: Int = 64) async throws -> TCPPacketTransport {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ADBError.io("raw peer connect failed") }
        connection = accept(listener, nil, nil)
        guard connection >= 0 else { throw ADBError.io("raw peer accept failed") }
        return TCPPacketTransport(connected: fd, peerDescription: "raw peer", readAhead: readAhead, writeTimeout: writeTimeout)
    }

    func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(connection, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return }
            offset += n
        }
    }

    /// Reads until the transport closes its end; the bytes read.
    func readToEnd() -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress!, 65536, 0) }
            guard n > 0 else { return out }
            out += buffer[..<n]
        }
    }

    func closeConnection() {
        if connection >= 0 { Glibc.close(connection) }
        connection = -1
    }

    deinit {
        closeConnection()
        Glibc.close(listener)
    }
}

@Suite struct TCPTransportTests {
    static func randomMessage(_ rng: inout SplitMix64) -> ADBMessage {
        let commands: [ADBMessage.Command] = [.open, .okay, .wrte, .clse, .cnxn]
        let length = Int(rng.next() % 3 == 0 ? rng.next() % 70_000 : rng.next() % 64)
        return ADBMessage(
            commands[Int(rng.next() % UInt64(commands.count))], UInt32(truncatingIfNeeded: rng.next()),
            UInt32(truncatingIfNeeded: rng.next()), payload: (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
    }

    /// Packets cut at random places, down to single bytes, arrive whole and in order.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func packetsSplitAnywhereArriveWhole(seed: UInt64) async throws {
        var rng = SplitMix64(seed: seed)
        let peer = try RawPeer()
        let transport = try await peer.connectTransport()
        let messages = (0..<60).map { _ in Self.randomMessage(&rng) }
        var wire: [UInt8] = []
        for message in messages { wire += message.encoded(withChecksum: rng.next() % 2 == 0) }
        var cuts: [Int] = []
        var offset = 0
        while offset < wire.count {
            let step = rng.next() % 4 == 0 ? 1 : Int(rng.next() % 9000) + 1
            cuts.append(min(step, wire.count - offset))
            offset += step
        }
        let writer = Task.detached {
            var at = 0
            for cut in cuts {
                peer.write(Array(wire[at..<at + cut]))
                at += cut
            }
            peer.closeConnection()
        }
        for expected in messages {
            let got = try await transport.receive()
            #expect(got == expected)
        }
        #expect(try await transport.receive() == nil)
        await writer.value
        transport.close()
    }

    @Test func whatTheTransportSendsIsWhatADBExpects() async throws {
        let peer = try RawPeer()
        let transport = try await peer.connectTransport()
        let message = ADBMessage(.wrte, 7, 9, payload: Array("hello".utf8))
        transport.send(message, checksum: true)
        transport.send(ADBMessage(.okay, 1, 2), checksum: false)
        transport.close()
        #expect(peer.readToEnd() == message.encoded(withChecksum: true) + ADBMessage(.okay, 1, 2).encoded(withChecksum: false))
    }

    @Test func aConnectionCutInsideAPacketIsAMalformedPacket() async throws {
        let peer = try RawPeer()
        let transport = try await peer.connectTransport()
        let whole = ADBMessage(.wrte, 1, 1, payload: Array(repeating: 7, count: 100))
        peer.write(whole.encoded() + Array(whole.encoded().prefix(60)))
        peer.closeConnection()
        #expect(try await transport.receive() == whole)
        do {
            _ = try await transport.receive()
            Issue.record("expected an error")
        } catch ADBError.malformedPacket(let reason) {
            #expect(reason.contains("payload (36 of 100 bytes)"))
        }
        // Later receives keep failing the same way instead of hanging.
        await #expect(throws: ADBError.self) { _ = try await transport.receive() }
    }

    /// A header announcing a huge payload is refused before anything is allocated for it.
    @Test func aHostileLengthIsRefused() async throws {
        let peer = try RawPeer()
        let transport = try await peer.connectTransport()
        peer.write(
            ADBHeader(
                command: ADBMessage.Command.wrte.rawValue, arg0: 1, arg1: 1, dataLength: 0x7fff_ffff, dataCheck: 0,
                magic: ADBMessage.Command.wrte.rawValue ^ 0xffff_ffff
            ).bytes)
        await #expect(throws: ADBError.self) { _ = try await transport.receive() }
        // The transport hung up.
        #expect(peer.readToEnd().isEmpty)
    }

    @Test func cancellingAReceiveClosesTheConnection() async throws {
        let peer = try RawPeer()
        let transport = try await peer.connectTransport()
        let receiving = Task { try await transport.receive() }
        try await Task.sleep(for: .milliseconds(50))
        receiving.cancel()
        await #expect(throws: ADBError.self) { _ = try await receiving.value }
        #expect(peer.readToEnd().isEmpty)  // EOF: the socket was shut down
    }

    /// A reader that stops taking packets stops the peer instead of growing memory.
    @Test func anUnreadTransportStopsReading() async throws {
        let peer = try RawPeer()
        let transport = try await peer.connectTransport(readAhead: 2)
        let packet = ADBMessage(.wrte, 1, 1, payload: Array(repeating: 1, count: 256 * 1024)).encoded()
        // Write from a thread: once the transport's two slots and the socket buffers are full,
        // the peer's send blocks.
        let sent = LockedCounter()
        let writer = Thread {
            for _ in 0..<200 {
                peer.write(packet)
                sent.increment()
            }
        }
        writer.start()
        try await Task.sleep(for: .milliseconds(500))
        let stalled = sent.value
        #expect(stalled < 200, "the peer could write everything although nobody read")
        // Taking the packets lets the peer go on.
        for _ in 0..<200 { _ = try await transport.receive() }
        #expect(sent.value == 200)
        transport.close()
    }

    /// A consumer that keeps falling a little behind never lets the queue empty; what it has
    /// taken must not stay in memory.
    @Test func theReadAheadQueueStaysSmallBehindASlowConsumer() async throws {
        let peer = try RawPeer()
        let transport = try await peer.connectTransport(readAhead: 8)
        let packet = ADBMessage(.okay, 1, 2).encoded()
        let writer = Thread {
            for _ in 0..<4000 { peer.write(packet) }
        }
        writer.start()
        var largest = 0
        for _ in 0..<4000 {
            _ = try await transport.receive()
            try await Task.sleep(for: .microseconds(50))  // slower than the peer: the queue stays full
            largest = max(largest, transport.queueStorage)
        }
        #expect(largest <= 64, "the queue grew to \(largest) packets")
        transport.close()
    }

    /// A peer that never reads makes a send fail after the write timeout, and the connection
    /// ends with that reason.
    @Test func aPeerThatStopsReadingEndsTheConnection() async throws {
        let peer = try RawPeer()
        let transport = try await peer.connectTransport(writeTimeout: .milliseconds(300))
        let big = ADBMessage(.wrte, 1, 1, payload: Array(repeating: 3, count: 1 << 20))
        let sender = Task.detached {
            for _ in 0..<64 { transport.send(big, checksum: false) }
        }
        await sender.value
        do {
            _ = try await transport.receive()
            Issue.record("expected the connection to end")
        } catch ADBError.connectionClosed(let reason) {
            #expect(reason.contains("stopped reading"))
        }
    }

    /// Keepalive probes are on, with short intervals, on both a connected and an accepted
    /// socket (read back from the kernel).
    @Test func keepaliveNoticesAVanishedPeer() async throws {
        let listener = try TCPListener(host: "127.0.0.1", port: 0)
        let acceptedFD = LockedCounter()
        listener.start { transport in acceptedFD.set(transport.socketDescriptor) }
        let client = try await TCPPacketTransport.connect(host: "127.0.0.1", port: listener.port)
        try await Task.sleep(for: .milliseconds(100))
        for fd in [client.socketDescriptor, Int32(acceptedFD.value)] {
            func option(_ level: Int32, _ name: Int32) -> Int32 {
                var value: Int32 = -1
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, level, name, &value, &length)
                return value
            }
            #expect(option(SOL_SOCKET, SO_KEEPALIVE) == 1)
            #expect(option(Int32(IPPROTO_TCP), TCP_KEEPIDLE) == 10)
            #expect(option(Int32(IPPROTO_TCP), TCP_KEEPINTVL) == 5)
            #expect(option(Int32(IPPROTO_TCP), TCP_KEEPCNT) == 3)
            #expect(option(Int32(IPPROTO_TCP), 18 /* TCP_USER_TIMEOUT */) == 25_000)
        }
        client.close()
        listener.close()
    }

    @Test func connectingToAClosedPortSaysSo() async throws {
        let port = try freePort()
        do {
            _ = try await TCPPacketTransport.connect(host: "127.0.0.1", port: port)
            Issue.record("expected a refusal")
        } catch ADBError.connectionClosed(let reason) {
            #expect(reason.contains("127.0.0.1:\(port)"))
            #expect(reason.contains("refused"))
        }
    }

    @Test func aHostNameIsResolved() async throws {
        let peer = try RawPeer()
        let transport = try await TCPPacketTransport.connect(host: "localhost", port: peer.port)
        #expect(transport.peerDescription == "localhost:\(peer.port)")
        transport.close()
    }

    /// Stopping a listener frees its port at once: a new one can bind it, and nobody answers
    /// there in between.
    @Test func aStoppedListenerReleasesItsPort() async throws {
        let listener = try TCPListener(host: "127.0.0.1", port: 0)
        let port = listener.port
        let accepted = LockedCounter()
        listener.start { transport in
            accepted.increment()
            transport.close()
        }
        let client = try await TCPPacketTransport.connect(host: "127.0.0.1", port: port)
        #expect(try await client.receive() == nil)  // accepted, then closed by the listener's handler
        #expect(accepted.value == 1)
        #expect(client.peerDescription == "127.0.0.1:\(port)")
        listener.close()
        await #expect(throws: ADBError.self) { _ = try await TCPPacketTransport.connect(host: "127.0.0.1", port: port) }
        let again = try TCPListener(host: "127.0.0.1", port: port)
        #expect(again.port == port)
        again.close()
    }
}

/// A thread-safe counter for the tests above.
final class LockedCounter: Sendable {
    private let count = Locked(0)
    func increment() { count.withLock { $0 += 1 } }
    func set(_ value: Int32) { count.set(Int(value)) }
    var value: Int { count.value }
}
