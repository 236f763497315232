import Foundation
import Logging

/// The device half of ADB over TCP: accepts connections, runs CNXN and (optionally) AUTH, and
/// hands every OPEN to a service provider. The virtual phone is built on it.
public actor ADBDeviceEndpoint {
    public enum Authentication: Sendable {
        /// Answer CNXN with CNXN, as an emulator or a `ro.adb.secure=0` build does.
        case none
        /// Send a token; accept signatures by these keys. An unknown public key is shown to
        /// `onUnknownKey` (the "Allow USB debugging?" prompt): true accepts and remembers it.
        case keys(ADBAuthorizedKeys, onUnknownKey: @Sendable (ADBPublicKey, _ comment: String) async -> Bool)
    }

    public struct Configuration: Sendable {
        public var banner: ADBBanner
        public var authentication: Authentication
        /// Time a host has to send each packet of the handshake (a truncated header, or silence,
        /// ends the connection after this long).
        public var handshakeTimeout: Duration = .seconds(10)
        /// Time the "Allow USB debugging?" callback has to decide about an unknown key.
        public var authorizationTimeout: Duration = .seconds(60)
        public var connection = ADBConnection.Configuration()

        public init(banner: ADBBanner, authentication: Authentication = .none) {
            self.banner = banner
            self.authentication = authentication
        }
    }

    private let services: any ADBServiceProvider
    private let configuration: Configuration
    private let logger: Logger
    private var listener: TCPListener?
    private var sessions: [ObjectIdentifier: Task<Void, Never>] = [:]
    private var live: [ObjectIdentifier: ADBConnection] = [:]
    /// After this many refused signatures on one connection, adbd slows down; we just hang up.
    private static let maxFailedSignatures = 256

    public init(services: any ADBServiceProvider, configuration: Configuration, logger: Logger = Logger(label: "tether.adb.device")) {
        self.services = services
        self.configuration = configuration
        self.logger = logger
    }

    /// Listens on `host:port` (port 0 picks a free one) and returns the bound port.
    /// Keep clear of 5555–5585 when a real adb server runs: it probes those ports for emulators.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        guard listener == nil else { throw ADBError.invalidArgument("the endpoint is already listening") }
        let listener = try TCPListener(host: host, port: port)
        self.listener = listener
        listener.start { [self] transport in
            Task { await self.accepted(transport) }
        }
        return listener.port
    }

    /// Stops listening and closes every connection.
    public func stop() async {
        listener?.close()
        listener = nil
        for connection in live.values { await connection.close() }
        for task in sessions.values { task.cancel() }
        for task in sessions.values { await task.value }
        sessions.removeAll()
        live.removeAll()
    }

    /// The connections that finished their handshake and are still open.
    public var connections: [ADBConnection] { Array(live.values) }

    private func accepted(_ transport: TCPPacketTransport) {
        guard listener != nil else { return transport.close() }  // arrived as the endpoint stopped
        let key = ObjectIdentifier(transport)
        sessions[key] = Task {
            await self.serve(transport, key: key)
            self.sessionEnded(key)
        }
    }

    private func sessionEnded(_ key: ObjectIdentifier) {
        sessions[key] = nil
        live[key] = nil
    }

    private func serve(_ transport: TCPPacketTransport, key: ObjectIdentifier) async {
        let hostMessage: ADBMessage
        do {
            hostMessage = try await Self.handshake(transport: transport, configuration: configuration, logger: logger)
        } catch {
            logger.info("handshake failed", metadata: ["peer": "\(transport.peerDescription)", "error": "\(error)"])
            transport.close()
            return
        }
        let connection = ADBConnection(
            transport: transport, role: .device, localBanner: configuration.banner, peer: hostMessage,
            services: services, configuration: configuration.connection, logger: logger)
        live[key] = connection
        await connection.start()
        _ = await connection.waitUntilClosed()
    }

    /// Runs the device side of CNXN/AUTH and returns the host's CNXN.
    static func handshake(transport: any ADBPacketTransport, configuration: Configuration, logger: Logger) async throws -> ADBMessage {
        var hostCNXN: ADBMessage?
        var token: [UInt8] = []
        var failedSignatures = 0
        var prompted = false
        func sendCNXN(_ host: ADBMessage) {
            let version = min(host.arg0, ADBProtocol.version)
            let maxPayload = min(Int(host.arg1), ADBProtocol.maxPayload)
            transport.send(
                ADBMessage(.cnxn, version, UInt32(maxPayload), payload: Array(configuration.banner.text.utf8)),
                checksum: version < ADBProtocol.versionSkipChecksum)
        }
        func sendToken() {
            token = (0..<ADBProtocol.tokenSize).map { _ in UInt8.random(in: 0...255) }
            transport.send(ADBMessage(.auth, ADBMessage.AuthType.token.rawValue, 0, payload: token), checksum: true)
        }
        while true {
            let wait = configuration.handshakeTimeout
            let received = try await withTimeout(wait, "host \(transport.peerDescription) did not finish the handshake") {
                try await transport.receive()
            }
            guard let message = received else {
                throw ADBError.connectionClosed("host closed the connection during the handshake")
            }
            switch (message.command, configuration.authentication) {
            case (.cnxn, .none):
                guard message.payload.count <= ADBProtocol.maxPayloadV1 else {
                    throw ADBError.protocolViolation("CNXN banner longer than 4096 bytes")
                }
                sendCNXN(message)
                return message
            case (.cnxn, .keys):
                hostCNXN = message
                sendToken()
            case (.auth, .keys(let authorized, let onUnknownKey)):
                guard let host = hostCNXN else { throw ADBError.protocolViolation("AUTH before CNXN") }
                switch ADBMessage.AuthType(rawValue: message.arg0) {
                case .signature:
                    if await authorized.verify(signature: message.payload, token: token) != nil {
                        sendCNXN(host)
                        return host
                    }
                    failedSignatures += 1
                    guard failedSignatures < maxFailedSignatures else {
                        throw ADBError.unauthorized("too many refused signatures")
                    }
                    sendToken()
                case .rsaPublicKey:
                    guard !prompted else { continue }
                    prompted = true
                    let text = message.payloadString
                    let key = try ADBPublicKey(androidText: text)
                    let comment = text.split(separator: " ", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
                    // adbd sends nothing while its prompt is up; the host waits.
                    let accepted = try await withTimeout(configuration.authorizationTimeout, "nobody answered \"Allow USB debugging?\"") {
                        await onUnknownKey(key, comment)
                    }
                    if accepted {
                        await authorized.add(key)
                        sendCNXN(host)
                        return host
                    }
                    logger.info("host key refused", metadata: ["fingerprint": "\(key.fingerprint)"])
                case .token, nil:
                    throw ADBError.protocolViolation("host sent AUTH type \(message.arg0)")
                }
            default:
                throw ADBError.protocolViolation("host sent \(message.command) before the handshake finished")
            }
        }
    }
}
