import Logging

/// Answers the OPENs a peer sends: the device half's services (and, on a host, nothing yet).
public protocol ADBServiceProvider: Sendable {
    /// The handler for `service` (the OPEN payload without NULs), or nil to refuse it: the peer
    /// then sees its OPEN fail. The stream is closed when the handler returns.
    func handler(for service: String) -> ADBServiceHandler?
}

public typealias ADBServiceHandler = @Sendable (_ stream: any ServiceStream) async -> Void

/// One ADB connection after its handshake: many streams multiplexed over one transport, each
/// direction flow-controlled on its own (one WRTE in flight until the peer's OKAY).
///
/// The same type serves both halves; only the handshake differs (`ADBHost.connect`,
/// `ADBDeviceEndpoint`).
public actor ADBConnection: ADBTarget {
    public struct Configuration: Sendable {
        /// How long a peer may take to accept or refuse an OPEN.
        public var openTimeout: Duration = .seconds(10)
        /// How long a peer may take to acknowledge one WRTE.
        public var writeTimeout: Duration = .seconds(60)
        /// Bytes a stream may hold for a reader that has not asked for them yet; a peer that
        /// sends beyond this without waiting for OKAY has its stream closed.
        public var maxBufferedPerStream: Int = 4 * ADBProtocol.maxPayload
        public init() {}
    }

    public nonisolated let role: ADBBanner.SystemType
    public nonisolated let localBanner: ADBBanner
    public nonisolated let peerBanner: ADBBanner
    /// min(ours, the peer's): decides whether we write checksums.
    public nonisolated let protocolVersion: UInt32
    /// The largest WRTE payload we may send: min(ours, the peer's announced maximum).
    public nonisolated let maxSendPayload: Int
    public nonisolated let peerDescription: String

    private let transport: any ADBPacketTransport
    private let services: (any ADBServiceProvider)?
    private let configuration: Configuration
    private let logger: Logger

    private var streams: [UInt32: StreamState] = [:]
    private var nextLocalId: UInt32 = 1
    private var failure: ADBError?
    private var readerTask: Task<Void, Never>?
    private var handlerTasks: [UInt32: Task<Void, Never>] = [:]
    private var closeWaiters: [CheckedContinuation<ADBError, Never>] = []

    private struct StreamState {
        enum Phase { case opening, open }
        var phase: Phase
        var remoteId: UInt32
        var service: String
        var inbound: [[UInt8]] = []
        var inboundBytes = 0
        var okaysOwed = 0
        var remoteClosed = false
        var canSend: Bool
        var reader: CheckedContinuation<[UInt8]?, Error>?
        var writer: CheckedContinuation<Void, Error>?
        var opener: CheckedContinuation<Void, Error>?
        /// A CLSE that answered our OPEN before anyone waited for the answer.
        var refusal: ADBError?
    }

    init(
        transport: any ADBPacketTransport, role: ADBBanner.SystemType, localBanner: ADBBanner, peer: ADBMessage,
        services: (any ADBServiceProvider)?, configuration: Configuration, logger: Logger
    ) {
        self.transport = transport
        self.role = role
        self.localBanner = localBanner
        self.peerBanner = ADBBanner(parsing: peer.payloadString)
        self.protocolVersion = min(peer.arg0, ADBProtocol.version)
        self.maxSendPayload = max(1, min(Int(peer.arg1), ADBProtocol.maxPayload))
        self.peerDescription = transport.peerDescription
        self.services = services
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "peer"] = "\(transport.peerDescription)"
        self.logger = logger
    }

    /// Starts reading packets. Called once by whoever completed the handshake.
    func start() {
        guard readerTask == nil else { return }
        readerTask = Task { await self.readLoop() }
    }

    private var writesChecksum: Bool { protocolVersion < ADBProtocol.versionSkipChecksum }

    private func send(_ message: ADBMessage) {
        transport.send(message, checksum: writesChecksum)
    }

    // MARK: ADBTarget

    public var sharedFeatures: Set<String> {
        Set(peerBanner.features).intersection(localBanner.features)
    }

    public var deviceBanner: ADBBanner? { role == .host ? peerBanner : localBanner }

    public func open(_ service: String) async throws -> any ServiceStream {
        if let failure { throw failure }
        // The name and its NUL travel in one OPEN, so they fit the negotiated payload, as adb
        // checks (a 65,000-byte shell command is fine with a 1 MiB peer).
        guard !service.isEmpty, service.utf8.count < maxSendPayload else {
            throw ADBError.invalidArgument(
                "the command is too long: \(service.utf8.count) bytes where \(peerDescription) takes at most \(maxSendPayload - 1)")
        }
        let id = allocateId()
        streams[id] = StreamState(phase: .opening, remoteId: 0, service: service, canSend: false)
        // The destination always ends in NUL: Android 7's adbd refuses it otherwise.
        send(ADBMessage(.open, id, 0, payload: Array(service.utf8) + [0]))
        do {
            try await withTimeout(configuration.openTimeout, "\(peerDescription) did not answer OPEN \(service)") {
                try await self.waitForOpen(id)
            }
        } catch {
            abandon(id)
            throw error
        }
        return ADBStream(connection: self, id: id, service: service)
    }

    /// Waits until the connection ends, and says why.
    public func waitUntilClosed() async -> ADBError {
        if let failure { return failure }
        return await withCheckedContinuation { closeWaiters.append($0) }
    }

    public var isClosed: Bool { failure != nil }

    /// Closes the connection and every stream on it.
    public func close() {
        fail(.connectionClosed("closed by this side"))
    }

    // MARK: streams

    private func allocateId() -> UInt32 {
        repeat {
            nextLocalId = nextLocalId == UInt32.max ? 1 : nextLocalId + 1
        } while streams[nextLocalId] != nil || nextLocalId == 0
        return nextLocalId
    }

    private func waitForOpen(_ id: UInt32) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                if Task.isCancelled { return continuation.resume(throwing: CancellationError()) }
                // The answer may have come before we got here.
                switch streams[id] {
                case .none:
                    return continuation.resume(throwing: failure ?? ADBError.connectionClosed("stream closed"))
                case .some(let state) where state.phase == .open:
                    return continuation.resume()
                case .some(let state):
                    if let refusal = state.refusal {
                        streams[id] = nil
                        return continuation.resume(throwing: refusal)
                    }
                    streams[id]?.opener = continuation
                }
            }
        } onCancel: {
            Task { await self.cancelWaits(id) }
        }
    }

    /// Drops a stream whose OPEN was abandoned; a late OKAY for it is answered with CLSE.
    private func abandon(_ id: UInt32) {
        guard let state = streams.removeValue(forKey: id) else { return }
        if state.phase == .open, !state.remoteClosed, failure == nil {
            send(ADBMessage(.clse, id, state.remoteId))
        }
        resumeAll(state, with: ADBError.connectionClosed("stream abandoned"))
    }

    private func cancelWaits(_ id: UInt32) {
        guard var state = streams[id] else { return }
        state.opener?.resume(throwing: CancellationError())
        state.reader?.resume(throwing: CancellationError())
        state.writer?.resume(throwing: CancellationError())
        state.opener = nil
        state.reader = nil
        state.writer = nil
        streams[id] = state
    }

    func read(_ id: UInt32) async throws -> [UInt8]? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, Error>) in
                if Task.isCancelled { return continuation.resume(throwing: CancellationError()) }
                guard var state = streams[id] else {
                    // Closed by us, or the connection is gone.
                    if let failure, !failure.isLocalClose { return continuation.resume(throwing: failure) }
                    return continuation.resume(returning: nil)
                }
                if !state.inbound.isEmpty {
                    let chunk = state.inbound.removeFirst()
                    state.inboundBytes -= chunk.count
                    streams[id] = state
                    acknowledge(id)
                    return continuation.resume(returning: chunk)
                }
                if state.remoteClosed {
                    streams[id] = nil
                    return continuation.resume(returning: nil)
                }
                guard state.reader == nil else {
                    return continuation.resume(throwing: ADBError.invalidArgument("two readers on one ADB stream"))
                }
                state.reader = continuation
                streams[id] = state
            }
        } onCancel: {
            Task { await self.cancelWaits(id) }
        }
    }

    /// Sends the OKAY a consumed WRTE earned: this is where a slow reader slows the peer.
    private func acknowledge(_ id: UInt32) {
        guard var state = streams[id], state.okaysOwed > 0, !state.remoteClosed else { return }
        state.okaysOwed -= 1
        streams[id] = state
        send(ADBMessage(.okay, id, state.remoteId))
    }

    func write(_ id: UInt32, _ bytes: [UInt8]) async throws {
        var offset = 0
        while offset < bytes.count {
            // Most writes find the window open (the peer acknowledged the last one long ago):
            // they go out without setting up a timer.
            if streams[id]?.canSend != true {
                try await withTimeout(configuration.writeTimeout, "\(peerDescription) did not acknowledge a write") {
                    try await self.waitForSendWindow(id)
                }
            }
            try Task.checkCancellation()
            guard var state = streams[id], !state.remoteClosed else {
                throw failure ?? ADBError.connectionClosed("the device closed the stream")
            }
            let end = min(bytes.count, offset + maxSendPayload)
            state.canSend = false
            streams[id] = state
            send(ADBMessage(.wrte, id, state.remoteId, payload: Array(bytes[offset..<end])))
            offset = end
        }
    }

    private func waitForSendWindow(_ id: UInt32) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                if Task.isCancelled { return continuation.resume(throwing: CancellationError()) }
                guard var state = streams[id] else {
                    return continuation.resume(throwing: failure ?? ADBError.connectionClosed("stream is closed"))
                }
                if state.remoteClosed {
                    return continuation.resume(throwing: ADBError.connectionClosed("the device closed the stream"))
                }
                if state.canSend { return continuation.resume() }
                guard state.writer == nil else {
                    return continuation.resume(throwing: ADBError.invalidArgument("two writers on one ADB stream"))
                }
                state.writer = continuation
                streams[id] = state
            }
        } onCancel: {
            Task { await self.cancelWaits(id) }
        }
    }

    func closeStream(_ id: UInt32) {
        guard let state = streams.removeValue(forKey: id) else { return }
        if !state.remoteClosed, failure == nil, state.phase == .open {
            send(ADBMessage(.clse, id, state.remoteId))
        }
        resumeAll(state, with: ADBError.connectionClosed("stream closed by this side"))
    }

    private func resumeAll(_ state: StreamState, with error: ADBError) {
        state.opener?.resume(throwing: error)
        state.writer?.resume(throwing: error)
        if error.isLocalClose { state.reader?.resume(returning: nil) } else { state.reader?.resume(throwing: error) }
    }

    // MARK: the reader

    private func readLoop() async {
        while failure == nil {
            let message: ADBMessage?
            do {
                message = try await transport.receive()
            } catch let error as ADBError {
                fail(error)
                return
            } catch {
                fail(.connectionClosed("\(error)"))
                return
            }
            guard let message else {
                fail(.connectionClosed("\(peerDescription) closed the connection"))
                return
            }
            handle(message)
        }
    }

    private func handle(_ message: ADBMessage) {
        switch message.command {
        case .open: handleOpen(message)
        case .okay: handleOkay(message)
        case .wrte: handleWrite(message)
        case .clse: handleClose(message)
        case .cnxn:
            // A fresh CNXN resets the transport: adbd does this when the host restarts.
            logger.info("peer sent CNXN again; closing all streams")
            for id in Array(streams.keys) { abandonForReset(id) }
        case .auth:
            break  // only meaningful during the handshake
        case .stls:
            fail(.protocolViolation("peer asked for TLS after the handshake"))
        default:
            logger.debug("ignoring packet", metadata: ["packet": "\(message)"])
        }
    }

    private func abandonForReset(_ id: UInt32) {
        guard let state = streams.removeValue(forKey: id) else { return }
        resumeAll(state, with: .connectionClosed("the peer reset the connection"))
    }

    private func handleOpen(_ message: ADBMessage) {
        let remoteId = message.arg0
        let service = message.payloadString
        // A window in arg1 means delayed-ack, which we never advertise.
        guard remoteId != 0, message.arg1 == 0, let handler = services?.handler(for: service) else {
            logger.debug("refusing OPEN", metadata: ["service": "\(service)"])
            send(ADBMessage(.clse, 0, remoteId))
            return
        }
        let id = allocateId()
        streams[id] = StreamState(phase: .open, remoteId: remoteId, service: service, canSend: true)
        send(ADBMessage(.okay, id, remoteId))
        let stream = ADBStream(connection: self, id: id, service: service)
        handlerTasks[id] = Task {
            await handler(stream)
            await stream.close()
            await self.handlerFinished(id)
        }
    }

    private func handlerFinished(_ id: UInt32) {
        handlerTasks[id] = nil
    }

    private func handleOkay(_ message: ADBMessage) {
        let id = message.arg1
        guard var state = streams[id] else {
            // An OKAY for a stream we no longer have: tell the peer it is gone.
            if message.arg0 != 0 { send(ADBMessage(.clse, 0, message.arg0)) }
            return
        }
        switch state.phase {
        case .opening:
            state.phase = .open
            state.remoteId = message.arg0
            state.canSend = true
            let opener = state.opener
            state.opener = nil
            streams[id] = state
            opener?.resume()
        case .open:
            guard message.arg0 == state.remoteId else {
                logger.debug("OKAY with the wrong remote id", metadata: ["packet": "\(message)"])
                return
            }
            state.canSend = true
            let writer = state.writer
            state.writer = nil
            streams[id] = state
            writer?.resume()
        }
    }

    private func handleWrite(_ message: ADBMessage) {
        let id = message.arg1
        guard var state = streams[id], state.phase == .open, state.remoteId == message.arg0, !state.remoteClosed else {
            return  // a WRTE for an unknown stream is ignored, as adb does
        }
        state.okaysOwed += 1
        if let reader = state.reader {
            state.reader = nil
            streams[id] = state
            acknowledge(id)
            reader.resume(returning: message.payload)
            return
        }
        state.inbound.append(message.payload)
        state.inboundBytes += message.payload.count
        streams[id] = state
        if state.inboundBytes > configuration.maxBufferedPerStream {
            logger.warning("peer ignored flow control; closing the stream", metadata: ["service": "\(state.service)"])
            streams[id] = nil
            send(ADBMessage(.clse, id, state.remoteId))
            resumeAll(state, with: .protocolViolation("the peer sent data without waiting for OKAY"))
        }
    }

    private func handleClose(_ message: ADBMessage) {
        let id = message.arg1
        guard var state = streams[id] else { return }
        switch state.phase {
        case .opening:
            let refusal = ADBError.serviceRefused("\(peerDescription) refused \(state.service)")
            if let opener = state.opener {
                streams[id] = nil
                opener.resume(throwing: refusal)
            } else {
                state.refusal = refusal
                streams[id] = state
            }
        case .open:
            // A CLSE whose sender id does not match comes from a stream we do not know.
            guard message.arg0 == 0 || message.arg0 == state.remoteId else { return }
            state.remoteClosed = true
            state.canSend = false
            let reader = state.inbound.isEmpty ? state.reader : nil
            let writer = state.writer
            state.writer = nil
            if reader != nil {
                state.reader = nil
                streams[id] = nil
            } else {
                streams[id] = state
            }
            reader?.resume(returning: nil)
            writer?.resume(throwing: ADBError.connectionClosed("the device closed the stream"))
        }
    }

    private func fail(_ error: ADBError) {
        guard failure == nil else { return }
        failure = error
        if !error.isLocalClose {
            logger.debug("connection ended", metadata: ["reason": "\(error)"])
        }
        let states = streams
        streams.removeAll()
        for state in states.values {
            if state.remoteClosed, !state.inbound.isEmpty {
                // Data that arrived before the end is lost with the connection.
            }
            resumeAll(state, with: error)
        }
        transport.close()
        for task in handlerTasks.values { task.cancel() }
        readerTask?.cancel()
        let waiters = closeWaiters
        closeWaiters.removeAll()
        for waiter in waiters { waiter.resume(returning: error) }
    }
}

extension ADBError {
    /// True for the close this side asked for (not a failure of the peer).
    var isLocalClose: Bool {
        if case .connectionClosed(let m) = self { return m == "closed by this side" || m == "stream closed by this side" }
        return false
    }
}

/// A stream on an `ADBConnection`.
public final class ADBStream: ServiceStream {
    public let connection: ADBConnection
    public let id: UInt32
    public let service: String

    init(connection: ADBConnection, id: UInt32, service: String) {
        self.connection = connection
        self.id = id
        self.service = service
    }

    public func read() async throws -> [UInt8]? { try await connection.read(id) }
    public func write(_ bytes: [UInt8]) async throws { try await connection.write(id, bytes) }
    public func close() async { await connection.closeStream(id) }
}
