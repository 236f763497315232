import Foundation
import TetherTestSupport
import Testing
@testable import ADB

/// A libusb-shaped fake: records every OUT transfer, serves IN transfers from a queue the way a
/// device does (one packet of at most `maxLength` per transfer).
final class FakeBulkPipe: USBBulkPipe, @unchecked Sendable {
    let maxPacketSize: Int
    private let lock = NSLock()
    private var outTransfers: [[UInt8]] = []
    private var inTransfers: [[UInt8]] = []
    private var closed = false
    var failWritesWith: ADBError?

    init(maxPacketSize: Int) { self.maxPacketSize = maxPacketSize }

    var writes: [[UInt8]] { lock.withLock { outTransfers } }
    var isClosed: Bool { lock.withLock { closed } }
    func queueIn(_ transfer: [UInt8]) { lock.withLock { inTransfers.append(transfer) } }

    func bulkWrite(_ bytes: [UInt8], timeoutMilliseconds: UInt32) throws(ADBError) {
        if let failWritesWith { throw failWritesWith }
        lock.withLock { outTransfers.append(bytes) }
    }

    func bulkRead(maxLength: Int, timeoutMilliseconds: UInt32) throws(ADBError) -> [UInt8] {
        let next: [UInt8]? = lock.withLock {
            guard !inTransfers.isEmpty else { return nil }
            var first = inTransfers.removeFirst()
            if first.count > maxLength {
                inTransfers.insert(Array(first[maxLength...]), at: 0)
                first = Array(first[..<maxLength])
            }
            return first
        }
        if let next { return next }
        Thread.sleep(forTimeInterval: Double(min(timeoutMilliseconds, 20)) / 1000)
        return []
    }

    func close() { lock.withLock { closed = true } }
    var description: String { "fake-usb" }
}

@Suite struct USBFramingTests {
    func waitForWrites(_ pipe: FakeBulkPipe, count: Int) async throws {
        for _ in 0..<200 where pipe.writes.count < count { try await Task.sleep(for: .milliseconds(5)) }
    }

    @Test(arguments: [64, 512, 1024])
    func headerAndPayloadAreSeparateTransfersWithZeroLengthPacketOnExactMultiples(packet: Int) async throws {
        let pipe = FakeBulkPipe(maxPacketSize: packet)
        let transport = USBPacketTransport(pipe: pipe, pollMilliseconds: 10)
        transport.send(ADBMessage(.okay, 1, 2), checksum: true)  // empty: header only
        transport.send(ADBMessage(.wrte, 1, 2, payload: [UInt8](repeating: 7, count: packet)), checksum: false)  // exact: + ZLP
        transport.send(ADBMessage(.wrte, 1, 2, payload: [UInt8](repeating: 7, count: 3 * packet)), checksum: false)  // exact: + ZLP
        transport.send(ADBMessage(.wrte, 1, 2, payload: [UInt8](repeating: 7, count: packet - 8)), checksum: false)  // short: no ZLP
        try await waitForWrites(pipe, count: 9)
        let sizes = pipe.writes.map(\.count)
        #expect(sizes == [24, 24, packet, 0, 24, 3 * packet, 0, 24, packet - 8])
        transport.close()
    }

    @Test func readsExactlyThePayloadLengthEvenWhenItFillsWholePackets() async throws {
        let pipe = FakeBulkPipe(maxPacketSize: 512)
        let transport = USBPacketTransport(pipe: pipe, pollMilliseconds: 10)
        let message = ADBMessage(.wrte, 5, 6, payload: (0..<1024).map { UInt8(truncatingIfNeeded: $0) })
        pipe.queueIn(message.header(withChecksum: false).bytes)
        pipe.queueIn(message.payload)  // the fake hands it out in pieces no larger than asked
        let next = ADBMessage(.clse, 5, 6)
        pipe.queueIn(next.header(withChecksum: true).bytes)
        #expect(try await transport.receive() == message)
        #expect(try await transport.receive() == next)
        transport.close()
        #expect(try await transport.receive() == nil)
    }

    @Test func aMergedHeaderAndPayloadIsStillParsed() async throws {
        let pipe = FakeBulkPipe(maxPacketSize: 512)
        let transport = USBPacketTransport(pipe: pipe, pollMilliseconds: 10)
        let message = ADBMessage(.wrte, 1, 1, payload: Array("hello".utf8))
        pipe.queueIn(message.encoded())
        #expect(try await transport.receive() == message)
        transport.close()
    }

    @Test func garbageOnTheBusIsAnError() async throws {
        let pipe = FakeBulkPipe(maxPacketSize: 512)
        let transport = USBPacketTransport(pipe: pipe, pollMilliseconds: 10)
        pipe.queueIn([UInt8](repeating: 0x41, count: 24))
        await #expect(throws: ADBError.self) { _ = try await transport.receive() }
        transport.close()
    }

    /// The whole stack over the fake: our device half answers on the other side of a loopback
    /// pair of fake pipes, so framing is exercised in both directions.
    @Test func hostHandshakeOverUSBFraming() async throws {
        let pipe = FakeBulkPipe(maxPacketSize: 512)
        let transport = USBPacketTransport(pipe: pipe, pollMilliseconds: 10)
        let banner = "device::ro.product.model=USB;features=shell_v2"
        pipe.queueIn(ADBMessage(.cnxn, ADBProtocol.version, 1 << 20, payload: Array(banner.utf8)).header(withChecksum: true).bytes)
        pipe.queueIn(Array(banner.utf8))
        let connection = try await ADBHost.connect(transport: transport, keys: nil)
        #expect(connection.peerBanner.model == "USB")
        // Our CNXN went out as header + payload, with a real checksum. Sends are queued, so the
        // payload's transfer may land after the peer's answer has been read.
        try await waitForWrites(pipe, count: 2)
        try #require(pipe.writes.count >= 2)
        let first = try ADBHeader(bytes: pipe.writes[0])
        #expect(first.command == ADBMessage.Command.cnxn.rawValue)
        #expect(first.dataCheck == ADBProtocol.checksum(pipe.writes[1]))
        await connection.close()
    }

    @Test func aWriteFailureEndsTheConnectionWithItsReason() async throws {
        let pipe = FakeBulkPipe(maxPacketSize: 512)
        pipe.failWritesWith = .connectionClosed("fake-usb was unplugged")
        let transport = USBPacketTransport(pipe: pipe, pollMilliseconds: 10)
        transport.send(ADBMessage(.okay, 1, 1), checksum: true)
        do {
            _ = try await transport.receive()
            Issue.record("expected the write error")
        } catch let error as ADBError {
            #expect(error.message.contains("unplugged"))
        }
    }
}
