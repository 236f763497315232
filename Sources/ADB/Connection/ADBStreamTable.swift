/// The streams of one ADB connection as a value: it takes events (a packet from the peer, a
/// local open, read, write or close) and returns what to do (packets to send, waiters to wake,
/// handlers to start). It touches no socket, task or continuation, so every rule of the
/// protocol's stream bookkeeping is tested without I/O; `ADBConnection` performs the actions.
///
/// Ids follow the wire: `arg0` is the sender's id, `arg1` the receiver's. Each direction has one
/// WRTE in flight until its OKAY; the OKAY for a received WRTE is sent when a reader takes it, so
/// a slow reader slows the peer.
struct ADBStreamTable {
    enum Action: Equatable {
        case send(ADBMessage)
        /// Something changed for a waiter of this stream: poll it again.
        case wakeOpener(UInt32), wakeReader(UInt32), wakeWriter(UInt32)
        /// The stream is gone: every waiter on it ends with this error (a reader ends quietly
        /// when it is a close this side asked for).
        case finish(UInt32, ADBError)
        /// The peer opened `service`, accepted as stream `id`: start its handler.
        case serve(id: UInt32, service: String)
    }

    enum OpenPoll: Equatable { case pending, open, failed(ADBError) }
    enum ReadPoll: Equatable { case pending, data([UInt8]), end, failed(ADBError) }
    enum WritePoll: Equatable { case pending, ready, failed(ADBError) }

    struct Stream: Equatable {
        enum Phase: Equatable { case opening, open }
        var phase: Phase
        var remoteId: UInt32
        var service: String
        var inbound: [[UInt8]] = []
        var inboundBytes = 0
        var okaysOwed = 0
        var remoteClosed = false
        var canSend: Bool
        /// A CLSE that answered our OPEN before anyone asked for the answer.
        var refusal: ADBError?
    }

    /// Bytes a stream may hold for a reader that has not asked for them; a peer that sends more
    /// without waiting for OKAY has its stream closed.
    let maxBufferedPerStream: Int
    /// For messages: `127.0.0.1:5555`, `usb:1-1`.
    let peerDescription: String
    private(set) var streams: [UInt32: Stream] = [:]
    private(set) var failure: ADBError?
    private var nextLocalId: UInt32 = 1

    init(maxBufferedPerStream: Int, peerDescription: String) {
        self.maxBufferedPerStream = maxBufferedPerStream
        self.peerDescription = peerDescription
    }

    // MARK: local events

    /// A local OPEN of `service`: the new stream's id and the OPEN to send.
    mutating func open(_ service: String) -> (id: UInt32, actions: [Action]) {
        let id = allocateId()
        streams[id] = Stream(phase: .opening, remoteId: 0, service: service, canSend: false)
        // The destination always ends in NUL: Android 7's adbd refuses it otherwise.
        return (id, [.send(ADBMessage(.open, id, 0, payload: Array(service.utf8) + [0]))])
    }

    /// Whether our OPEN of `id` has been answered. A refusal is reported once and forgets the stream.
    mutating func pollOpen(_ id: UInt32) -> OpenPoll {
        guard let stream = streams[id] else { return .failed(failure ?? .connectionClosed("stream closed")) }
        if stream.phase == .open { return .open }
        if let refusal = stream.refusal {
            streams[id] = nil
            return .failed(refusal)
        }
        return .pending
    }

    /// Drops a stream whose opener gave up (timeout, cancellation); an open one is closed.
    mutating func abandon(_ id: UInt32) -> [Action] {
        remove(id, closing: true, with: .connectionClosed("stream abandoned"))
    }

    /// The next chunk for the reader of `id`, and the OKAY that taking it earns.
    mutating func pollRead(_ id: UInt32) -> (ReadPoll, [Action]) {
        guard var stream = streams[id] else {
            // Closed by us, or the connection is gone.
            if let failure, !failure.isLocalClose { return (.failed(failure), []) }
            return (.end, [])
        }
        if !stream.inbound.isEmpty {
            let chunk = stream.inbound.removeFirst()
            stream.inboundBytes -= chunk.count
            var actions: [Action] = []
            if stream.okaysOwed > 0, !stream.remoteClosed {
                stream.okaysOwed -= 1
                actions.append(.send(ADBMessage(.okay, id, stream.remoteId)))
            }
            streams[id] = stream
            return (.data(chunk), actions)
        }
        if stream.remoteClosed {
            streams[id] = nil
            return (.end, [])
        }
        return (.pending, [])
    }

    /// Whether a WRTE may go out on `id` now.
    func pollWrite(_ id: UInt32) -> WritePoll {
        guard let stream = streams[id] else { return .failed(failure ?? .connectionClosed("stream is closed")) }
        if stream.remoteClosed { return .failed(.connectionClosed("the device closed the stream")) }
        return stream.canSend ? .ready : .pending
    }

    /// Sends one WRTE (at most the negotiated payload) on a stream whose window is open.
    mutating func write(_ id: UInt32, _ payload: [UInt8]) -> [Action] {
        guard var stream = streams[id], stream.canSend, !stream.remoteClosed else { return [] }
        stream.canSend = false
        streams[id] = stream
        return [.send(ADBMessage(.wrte, id, stream.remoteId, payload: payload))]
    }

    /// This side closes `id`.
    mutating func close(_ id: UInt32) -> [Action] {
        remove(id, closing: true, with: .connectionClosed("stream closed by this side"))
    }

    /// The connection ended: every stream goes with it.
    mutating func fail(_ error: ADBError) -> [Action] {
        guard failure == nil else { return [] }
        failure = error
        let ids = streams.keys.sorted()
        streams.removeAll()
        return ids.map { .finish($0, error) }
    }

    // MARK: packets from the peer

    /// A packet from the peer. `accepts` says whether a service the peer opens is served here.
    mutating func receive(_ message: ADBMessage, accepts: (String) -> Bool) -> [Action] {
        guard failure == nil else { return [] }
        switch message.command {
        case .open: return received(open: message, accepts: accepts)
        case .okay: return received(okay: message)
        case .wrte: return received(write: message)
        case .clse: return received(close: message)
        case .cnxn:
            // A fresh CNXN resets the transport: adbd does this when the host restarts.
            let ids = streams.keys.sorted()
            streams.removeAll()
            return ids.map { .finish($0, .connectionClosed("the peer reset the connection")) }
        default:
            return []  // AUTH belongs to the handshake; STLS and the rest are the connection's call
        }
    }

    private mutating func received(open message: ADBMessage, accepts: (String) -> Bool) -> [Action] {
        let remoteId = message.arg0
        let service = message.payloadString
        // A window in arg1 means delayed-ack, which we never advertise.
        guard remoteId != 0, message.arg1 == 0, accepts(service) else {
            return [.send(ADBMessage(.clse, 0, remoteId))]
        }
        let id = allocateId()
        streams[id] = Stream(phase: .open, remoteId: remoteId, service: service, canSend: true)
        return [.send(ADBMessage(.okay, id, remoteId)), .serve(id: id, service: service)]
    }

    private mutating func received(okay message: ADBMessage) -> [Action] {
        let id = message.arg1
        guard var stream = streams[id] else {
            // An OKAY for a stream we no longer have: tell the peer it is gone.
            return message.arg0 != 0 ? [.send(ADBMessage(.clse, 0, message.arg0))] : []
        }
        switch stream.phase {
        case .opening:
            stream.phase = .open
            stream.remoteId = message.arg0
            stream.canSend = true
            streams[id] = stream
            return [.wakeOpener(id)]
        case .open:
            guard message.arg0 == stream.remoteId else { return [] }  // from a stream we do not know
            stream.canSend = true
            streams[id] = stream
            return [.wakeWriter(id)]
        }
    }

    private mutating func received(write message: ADBMessage) -> [Action] {
        let id = message.arg1
        guard var stream = streams[id], stream.phase == .open, stream.remoteId == message.arg0, !stream.remoteClosed else {
            return []  // a WRTE for an unknown stream is ignored, as adb does
        }
        stream.okaysOwed += 1
        stream.inbound.append(message.payload)
        stream.inboundBytes += message.payload.count
        streams[id] = stream
        if stream.inboundBytes > maxBufferedPerStream {
            return remove(id, closing: true, with: .protocolViolation("the peer sent data without waiting for OKAY"))
        }
        return [.wakeReader(id)]
    }

    private mutating func received(close message: ADBMessage) -> [Action] {
        let id = message.arg1
        guard var stream = streams[id] else { return [] }
        switch stream.phase {
        case .opening:
            stream.refusal = .serviceRefused("\(peerDescription) refused \(stream.service)")
            streams[id] = stream
            return [.wakeOpener(id)]
        case .open:
            // A CLSE whose sender id does not match comes from a stream we do not know.
            guard message.arg0 == 0 || message.arg0 == stream.remoteId else { return [] }
            stream.remoteClosed = true
            stream.canSend = false
            streams[id] = stream
            return [.wakeReader(id), .wakeWriter(id)]
        }
    }

    // MARK: helpers

    private mutating func allocateId() -> UInt32 {
        repeat {
            nextLocalId = nextLocalId == UInt32.max ? 1 : nextLocalId + 1
        } while streams[nextLocalId] != nil || nextLocalId == 0
        return nextLocalId
    }

    /// Forgets `id`, telling the peer with CLSE when `closing` and it still listens.
    private mutating func remove(_ id: UInt32, closing: Bool, with error: ADBError) -> [Action] {
        guard let stream = streams.removeValue(forKey: id) else { return [] }
        var actions: [Action] = []
        if closing, stream.phase == .open, !stream.remoteClosed, failure == nil {
            actions.append(.send(ADBMessage(.clse, id, stream.remoteId)))
        }
        actions.append(.finish(id, error))
        return actions
    }
}
