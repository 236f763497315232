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

    /// Every rule about streams lives here; this actor performs what it asks for.
    private var table: ADBStreamTable
    /// The tasks waiting on each stream (the table keeps none: continuations are not values).
    private var waiters: [UInt32: Waiters] = [:]
    private var readerTask: Task<Void, Never>?
    private var handlerTasks: [UInt32: Task<Void, Never>] = [:]
    private var closeWaiters: [CheckedContinuation<ADBError, Never>] = []

    private struct Waiters {
        var opener: CheckedContinuation<Void, Error>?
        var reader: CheckedContinuation<[UInt8]?, Error>?
        var writer: CheckedContinuation<Void, Error>?
        var isEmpty: Bool { opener == nil && reader == nil && writer == nil }
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
        self.table = ADBStreamTable(maxBufferedPerStream: configuration.maxBufferedPerStream, peerDescription: transport.peerDescription)
        var logger = logger
        logger[metadataKey: "peer"] = "\(transport.peerDescription)"
        self.logger = logger
    }

    /// Starts reading packets. Called once by whoever completed the handshake.
    func start() {
        guard readerTask == nil else { return }
        readerTask = Task { await self.readLoop() }
    }

    private var failure: ADBError? { table.failure }

    private var writesChecksum: Bool { protocolVersion < ADBProtocol.versionSkipChecksum }

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
        let (id, actions) = table.open(service)
        perform(actions)
        do {
            try await withTimeout(configuration.openTimeout, "\(peerDescription) did not answer OPEN \(service)") {
                try await self.waitForOpen(id)
            }
        } catch {
            perform(table.abandon(id))
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

    private func waitForOpen(_ id: UInt32) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                if Task.isCancelled { return continuation.resume(throwing: CancellationError()) }
                switch table.pollOpen(id) {  // the answer may have come before we got here
                case .open: continuation.resume()
                case .failed(let error): continuation.resume(throwing: error)
                case .pending: waiters[id, default: Waiters()].opener = continuation
                }
            }
        } onCancel: {
            Task { await self.cancelWaits(id) }
        }
    }

    func read(_ id: UInt32) async throws -> [UInt8]? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, Error>) in
                if Task.isCancelled { return continuation.resume(throwing: CancellationError()) }
                guard waiters[id]?.reader == nil else {
                    return continuation.resume(throwing: ADBError.invalidArgument("two readers on one ADB stream"))
                }
                let (poll, actions) = table.pollRead(id)
                perform(actions)
                if poll == .pending {
                    waiters[id, default: Waiters()].reader = continuation
                } else {
                    Self.resume(continuation, with: poll)
                }
            }
        } onCancel: {
            Task { await self.cancelWaits(id) }
        }
    }

    func write(_ id: UInt32, _ bytes: [UInt8]) async throws {
        var offset = 0
        while offset < bytes.count {
            try Task.checkCancellation()
            // Most writes find the window open (the peer acknowledged the last one long ago):
            // they go out without setting up a timer.
            switch table.pollWrite(id) {
            case .failed(let error):
                throw error
            case .pending:
                try await withTimeout(configuration.writeTimeout, "\(peerDescription) did not acknowledge a write") {
                    try await self.waitForSendWindow(id)
                }
            case .ready:
                let end = min(bytes.count, offset + maxSendPayload)
                perform(table.write(id, Array(bytes[offset..<end])))
                offset = end
            }
        }
    }

    private func waitForSendWindow(_ id: UInt32) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                if Task.isCancelled { return continuation.resume(throwing: CancellationError()) }
                switch table.pollWrite(id) {
                case .ready: continuation.resume()
                case .failed(let error): continuation.resume(throwing: error)
                case .pending:
                    guard waiters[id]?.writer == nil else {
                        return continuation.resume(throwing: ADBError.invalidArgument("two writers on one ADB stream"))
                    }
                    waiters[id, default: Waiters()].writer = continuation
                }
            }
        } onCancel: {
            Task { await self.cancelWaits(id) }
        }
    }

    func closeStream(_ id: UInt32) {
        perform(table.close(id))
    }

    private func cancelWaits(_ id: UInt32) {
        guard let waiting = waiters.removeValue(forKey: id) else { return }
        waiting.opener?.resume(throwing: CancellationError())
        waiting.reader?.resume(throwing: CancellationError())
        waiting.writer?.resume(throwing: CancellationError())
    }

    // MARK: performing the table's actions

    private func perform(_ actions: [ADBStreamTable.Action], handler: ADBServiceHandler? = nil) {
        for action in actions {
            switch action {
            case .send(let message):
                transport.send(message, checksum: writesChecksum)
            case .wakeOpener(let id):
                guard let opener = waiters[id]?.opener else { continue }
                switch table.pollOpen(id) {
                case .pending: continue
                case .open: opener.resume()
                case .failed(let error): opener.resume(throwing: error)
                }
                clear(id) { $0.opener = nil }
            case .wakeReader(let id):
                guard let reader = waiters[id]?.reader else { continue }
                let (poll, more) = table.pollRead(id)
                guard poll != .pending else { continue }
                clear(id) { $0.reader = nil }
                perform(more)
                Self.resume(reader, with: poll)
            case .wakeWriter(let id):
                guard let writer = waiters[id]?.writer else { continue }
                switch table.pollWrite(id) {
                case .pending: continue
                case .ready: writer.resume()
                case .failed(let error): writer.resume(throwing: error)
                }
                clear(id) { $0.writer = nil }
            case .finish(let id, let error):
                guard let waiting = waiters.removeValue(forKey: id) else { continue }
                waiting.opener?.resume(throwing: error)
                waiting.writer?.resume(throwing: error)
                if error.isLocalClose { waiting.reader?.resume(returning: nil) } else { waiting.reader?.resume(throwing: error) }
            case .serve(let id, let service):
                guard let handler else { continue }
                let stream = ADBStream(connection: self, id: id, service: service)
                handlerTasks[id] = Task {
                    await handler(stream)
                    await stream.close()
                    await self.handlerFinished(id)
                }
            }
        }
    }

    private func clear(_ id: UInt32, _ change: (inout Waiters) -> Void) {
        guard var waiting = waiters[id] else { return }
        change(&waiting)
        waiters[id] = waiting.isEmpty ? nil : waiting
    }

    private static func resume(_ reader: CheckedContinuation<[UInt8]?, Error>, with poll: ADBStreamTable.ReadPoll) {
        switch poll {
        case .data(let chunk): reader.resume(returning: chunk)
        case .end, .pending: reader.resume(returning: nil)
        case .failed(let error): reader.resume(throwing: error)
        }
    }

    private func handlerFinished(_ id: UInt32) {
        handlerTasks[id] = nil
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
        case .stls:
            fail(.protocolViolation("peer asked for TLS after the handshake"))
        case .cnxn:
            logger.info("peer sent CNXN again; closing all streams")
            perform(table.receive(message, accepts: { _ in false }))
        case .open:
            var handler: ADBServiceHandler?
            let actions = table.receive(message) { service in
                handler = services?.handler(for: service)
                return handler != nil
            }
            if handler == nil { logger.debug("refusing OPEN", metadata: ["service": "\(message.payloadString)"]) }
            perform(actions, handler: handler)
        default:
            let actions = table.receive(message, accepts: { _ in false })
            if actions.contains(where: { if case .finish(_, .protocolViolation) = $0 { true } else { false } }) {
                logger.warning("peer ignored flow control; closing the stream")
            }
            perform(actions)
        }
    }

    private func fail(_ error: ADBError) {
        guard failure == nil else { return }
        if !error.isLocalClose {
            logger.debug("connection ended", metadata: ["reason": "\(error)"])
        }
        perform(table.fail(error))
        // Waiters on streams the table had already forgotten (none should be left) end too.
        for id in Array(waiters.keys) { perform([.finish(id, error)]) }
        transport.close()
        for task in handlerTasks.values { task.cancel() }
        readerTask?.cancel()
        let waiting = closeWaiters
        closeWaiters.removeAll()
        for waiter in waiting { waiter.resume(returning: error) }
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
