import Testing
@testable import ADB

/// The stream bookkeeping of a connection, event by event, without a socket.
@Suite struct StreamTableTests {
    typealias Action = ADBStreamTable.Action

    func table(maxBuffered: Int = 100) -> ADBStreamTable {
        ADBStreamTable(maxBufferedPerStream: maxBuffered, peerDescription: "peer")
    }

    /// A local OPEN answered by OKAY: the opener wakes, the window opens, one WRTE is in flight
    /// until the peer's OKAY.
    @Test func openWriteAndFlowControl() {
        var t = table()
        let (id, opened) = t.open("shell:ls")
        #expect(opened == [.send(ADBMessage(.open, id, 0, payload: Array("shell:ls\0".utf8)))])
        #expect(t.pollOpen(id) == .pending)
        #expect(t.receive(ADBMessage(.okay, 77, id), accepts: { _ in false }) == [.wakeOpener(id)])
        #expect(t.pollOpen(id) == .open)
        #expect(t.pollWrite(id) == .ready)
        #expect(t.write(id, [1, 2]) == [.send(ADBMessage(.wrte, id, 77, payload: [1, 2]))])
        #expect(t.pollWrite(id) == .pending)
        #expect(t.write(id, [3]) == [], "a second WRTE never goes out before the OKAY")
        // An OKAY from another remote id does not open the window.
        #expect(t.receive(ADBMessage(.okay, 78, id), accepts: { _ in false }) == [])
        #expect(t.pollWrite(id) == .pending)
        #expect(t.receive(ADBMessage(.okay, 77, id), accepts: { _ in false }) == [.wakeWriter(id)])
        #expect(t.pollWrite(id) == .ready)
    }

    /// Received data is acknowledged only when a reader takes it.
    @Test func theOkayIsSentWhenTheReaderTakesTheData() {
        var t = table()
        let (id, _) = t.open("exec:cat")
        _ = t.receive(ADBMessage(.okay, 5, id), accepts: { _ in false })
        #expect(t.receive(ADBMessage(.wrte, 5, id, payload: [9]), accepts: { _ in false }) == [.wakeReader(id)])
        #expect(t.receive(ADBMessage(.wrte, 5, id, payload: [8]), accepts: { _ in false }) == [.wakeReader(id)])
        let (first, ack) = t.pollRead(id)
        #expect(first == .data([9]))
        #expect(ack == [.send(ADBMessage(.okay, id, 5))])
        #expect(t.pollRead(id).0 == .data([8]))
        #expect(t.pollRead(id).0 == .pending)
        // A WRTE from a stranger is ignored.
        #expect(t.receive(ADBMessage(.wrte, 6, id, payload: [1]), accepts: { _ in false }) == [])
    }

    /// The peer's CLSE: data already here is still read, then the stream ends; no OKAY is owed
    /// to a closed stream and writing fails.
    @Test func aRemoteCloseAfterData() {
        var t = table()
        let (id, _) = t.open("exec:x")
        _ = t.receive(ADBMessage(.okay, 5, id), accepts: { _ in false })
        _ = t.receive(ADBMessage(.wrte, 5, id, payload: [1]), accepts: { _ in false })
        #expect(t.receive(ADBMessage(.clse, 5, id), accepts: { _ in false }) == [.wakeReader(id), .wakeWriter(id)])
        let (data, ack) = t.pollRead(id)
        #expect(data == .data([1]))
        #expect(ack == [])
        #expect(t.pollWrite(id) == .failed(.connectionClosed("the device closed the stream")))
        #expect(t.pollRead(id).0 == .end)
        #expect(t.streams[id] == nil)
    }

    /// A CLSE answering our OPEN is a refusal, reported once even if it came before anyone asked.
    @Test func aRefusedOpen() {
        var t = table()
        let (id, _) = t.open("nope:")
        #expect(t.receive(ADBMessage(.clse, 0, id), accepts: { _ in false }) == [.wakeOpener(id)])
        #expect(t.pollOpen(id) == .failed(.serviceRefused("peer refused nope:")))
        #expect(t.streams.isEmpty)
    }

    /// A peer that keeps sending without OKAYs loses the stream; the reader learns why.
    @Test func ignoringFlowControlClosesTheStream() {
        var t = table(maxBuffered: 10)
        let (id, _) = t.open("exec:flood")
        _ = t.receive(ADBMessage(.okay, 5, id), accepts: { _ in false })
        _ = t.receive(ADBMessage(.wrte, 5, id, payload: [UInt8](repeating: 0, count: 8)), accepts: { _ in false })
        let violation = ADBError.protocolViolation("the peer sent data without waiting for OKAY")
        #expect(
            t.receive(ADBMessage(.wrte, 5, id, payload: [0, 0, 0]), accepts: { _ in false })
                == [.send(ADBMessage(.clse, id, 5)), .finish(id, violation)])
        #expect(t.streams[id] == nil)
    }

    /// The peer's OPEN: served when the service is known (OKAY + a handler), refused otherwise.
    @Test func incomingOpens() {
        var t = table()
        #expect(
            t.receive(ADBMessage(.open, 3, 0, payload: Array("unknown:\0".utf8)), accepts: { _ in false })
                == [.send(ADBMessage(.clse, 0, 3))])
        let actions = t.receive(ADBMessage(.open, 3, 0, payload: Array("shell:id\0".utf8)), accepts: { $0 == "shell:id" })
        guard case .serve(let id, let service) = actions.last else {
            Issue.record("expected a handler to start: \(actions)")
            return
        }
        #expect(service == "shell:id")
        #expect(actions.first == .send(ADBMessage(.okay, id, 3)))
        #expect(t.pollWrite(id) == .ready)
        // Delayed-ack windows and a zero id are refused.
        #expect(t.receive(ADBMessage(.open, 4, 1024, payload: Array("shell:id".utf8)), accepts: { _ in true }) == [.send(ADBMessage(.clse, 0, 4))])
        #expect(t.receive(ADBMessage(.open, 0, 0, payload: Array("shell:id".utf8)), accepts: { _ in true }) == [.send(ADBMessage(.clse, 0, 0))])
    }

    /// Closing, abandoning, a late OKAY, a second CNXN and the end of the connection.
    @Test func endings() {
        var t = table()
        let (a, _) = t.open("exec:a")
        _ = t.receive(ADBMessage(.okay, 5, a), accepts: { _ in false })
        #expect(t.close(a) == [.send(ADBMessage(.clse, a, 5)), .finish(a, .connectionClosed("stream closed by this side"))])
        #expect(t.pollRead(a).0 == .end, "a stream closed here reads as ended")
        // An OKAY for a stream we no longer have is answered with CLSE.
        #expect(t.receive(ADBMessage(.okay, 5, a), accepts: { _ in false }) == [.send(ADBMessage(.clse, 0, 5))])
        // An abandoned OPEN sends nothing (the peer never answered).
        let (b, _) = t.open("exec:b")
        #expect(t.abandon(b) == [.finish(b, .connectionClosed("stream abandoned"))])
        // CNXN again resets every stream.
        let (c, _) = t.open("exec:c")
        #expect(t.receive(ADBMessage(.cnxn, 0, 0), accepts: { _ in false }) == [.finish(c, .connectionClosed("the peer reset the connection"))])
        let (d, _) = t.open("exec:d")
        let gone = ADBError.connectionClosed("peer closed the connection")
        #expect(t.fail(gone) == [.finish(d, gone)])
        #expect(t.pollRead(d).0 == .failed(gone))
        #expect(t.pollOpen(d) == .failed(gone))
        #expect(t.receive(ADBMessage(.okay, 1, d), accepts: { _ in false }) == [], "nothing is sent after the end")
    }
}
