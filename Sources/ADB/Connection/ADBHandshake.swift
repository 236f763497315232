import Foundation
import Logging

/// The host half's handshake: CNXN, then AUTH with each key, then the public key and a wait for
/// the user to accept it on the phone.
public enum ADBHost {
    public struct Options: Sendable {
        /// Time for the device to answer CNXN and check our signatures.
        public var handshakeTimeout: Duration = .seconds(10)
        /// Time for the user to accept our key on the phone after we offered it.
        public var authorizationTimeout: Duration = .seconds(60)
        public var banner = ADBBanner(systemType: .host, features: ADBFeature.host)
        public var connection = ADBConnection.Configuration()
        public init() {}
    }

    /// Runs the handshake on `transport` and returns the live connection. `onAuthorizationPrompt`
    /// is called when the device shows "Allow USB debugging?", with the key's fingerprint.
    public static func connect(
        transport: any ADBPacketTransport,
        keys: ADBKeyStore?,
        options: Options = Options(),
        logger: Logger = Logger(label: "tether.adb"),
        onAuthorizationPrompt: @escaping @Sendable (_ fingerprint: String) -> Void = { _ in }
    ) async throws -> ADBConnection {
        try await connect(
            transport: transport, loadingKeys: { keys }, options: options, logger: logger, onAuthorizationPrompt: onAuthorizationPrompt)
    }

    /// The same, with keys loaded only if the device asks for AUTH: a phone that asks for none is
    /// reached even when `~/.android/adbkey` is unreadable, as adb does.
    public static func connect(
        transport: any ADBPacketTransport,
        loadingKeys: @escaping @Sendable () throws -> ADBKeyStore?,
        options: Options = Options(),
        logger: Logger = Logger(label: "tether.adb"),
        onAuthorizationPrompt: @escaping @Sendable (_ fingerprint: String) -> Void = { _ in }
    ) async throws -> ADBConnection {
        let peer: ADBMessage
        do {
            peer = try await handshake(
                transport: transport, loadingKeys: loadingKeys, options: options, onAuthorizationPrompt: onAuthorizationPrompt)
        } catch {
            transport.close()
            throw error
        }
        let connection = ADBConnection(
            transport: transport, role: .host, localBanner: options.banner, peer: peer, services: nil,
            configuration: options.connection, logger: logger)
        await connection.start()
        return connection
    }

    private static func handshake(
        transport: any ADBPacketTransport, loadingKeys: () throws -> ADBKeyStore?, options: Options,
        onAuthorizationPrompt: @escaping @Sendable (String) -> Void
    ) async throws -> ADBMessage {
        var loaded: ADBKeyStore??
        func keyStore() throws -> ADBKeyStore? {
            if let loaded { return loaded }
            let store = try loadingKeys()
            loaded = .some(store)
            return store
        }
        // Our CNXN always carries a real checksum: the peer's version is not known yet.
        transport.send(ADBMessage(.cnxn, ADBProtocol.version, UInt32(ADBProtocol.maxPayload), payload: Array(options.banner.text.utf8)), checksum: true)
        var nextKey = 0
        var offeredPublicKey = false
        let name = transport.peerDescription
        while true {
            let timeout = offeredPublicKey ? options.authorizationTimeout : options.handshakeTimeout
            let waitingFor =
                offeredPublicKey
                ? "\(name): the key was not accepted on the phone; unlock it and accept \"Allow USB debugging?\""
                : "\(name) did not complete the ADB handshake"
            let message: ADBMessage?
            do {
                message = try await withTimeout(timeout, waitingFor) { try await transport.receive() }
            } catch let error as ADBError {
                if offeredPublicKey, case .timeout = error { throw ADBError.unauthorized(waitingFor) }
                if case .malformedPacket(let detail) = error, detail.hasPrefix(ADBPacketDecoder.notADB) {
                    throw ADBError.invalidArgument("\(name) is not an ADB device (\(detail.dropFirst(ADBPacketDecoder.notADB.count)))")
                }
                throw error
            }
            guard let message else {
                throw ADBError.connectionClosed(
                    offeredPublicKey
                        ? "\(name) closed the connection while waiting for authorization (the prompt was refused?)"
                        : "\(name) closed the connection during the handshake")
            }
            switch message.command {
            case .cnxn:
                return message
            case .auth where message.arg0 == ADBMessage.AuthType.token.rawValue:
                guard let keys = try keyStore() else {
                    throw ADBError.unauthorized("\(name) requires authentication and no adb key is available")
                }
                if nextKey < keys.keys.count {
                    let signature = try keys.keys[nextKey].sign(token: message.payload)
                    nextKey += 1
                    transport.send(ADBMessage(.auth, ADBMessage.AuthType.signature.rawValue, 0, payload: signature), checksum: true)
                } else if !offeredPublicKey {
                    // adbd expects a NUL-terminated string.
                    let text = keys.primary.publicKey.androidText(comment: keys.comment)
                    transport.send(ADBMessage(.auth, ADBMessage.AuthType.rsaPublicKey.rawValue, 0, payload: Array(text.utf8) + [0]), checksum: true)
                    offeredPublicKey = true
                    onAuthorizationPrompt(keys.primary.publicKey.fingerprint)
                } else {
                    throw ADBError.unauthorized("\(name) refused our public key")
                }
            case .auth:
                throw ADBError.protocolViolation("\(name) sent AUTH type \(message.arg0) during the handshake")
            case .stls:
                throw ADBError.protocolViolation(
                    "\(name) asks for TLS (the Android 11+ wireless-debugging port); Tether speaks plain ADB: "
                        + "use USB, or run `adb tcpip 5555` and connect to port 5555")
            default:
                throw ADBError.protocolViolation("\(name) sent \(message.command) before completing the handshake")
            }
        }
    }
}
