import Foundation
import Synchronization

/// A device as the adb server lists it.
public struct ADBDeviceInfo: Sendable, Equatable {
    public var serial: String
    /// `device`, `unauthorized`, `offline`, `no permissions (…)`, …
    public var state: String
    /// `usb:1-1.2`, `tcp`, … when known.
    public var path: String?
    public var product: String?
    public var model: String?
    public var device: String?
    public var transportId: Int?
    /// How Tether reaches it.
    public var transport: Transport

    public enum Transport: String, Sendable { case usb, tcp, server }

    public init(
        serial: String, state: String, path: String? = nil, product: String? = nil, model: String? = nil,
        device: String? = nil, transportId: Int? = nil, transport: Transport
    ) {
        self.serial = serial
        self.state = state
        self.path = path
        self.product = product
        self.model = model
        self.device = device
        self.transportId = transportId
        self.transport = transport
    }

    /// Parses one line of `host:devices-l` (or `host:devices`): serial, state, then `key:value` words.
    public init?(devicesLine line: Substring, transport: Transport = .server) {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard words.count >= 2 else { return nil }
        self.init(serial: String(words[0]), state: String(words[1]), transport: transport)
        // States like "no permissions (…)" contain spaces: everything before the first key:value.
        var stateWords: [Substring] = [words[1]]
        for word in words.dropFirst(2) {
            guard let colon = word.firstIndex(of: ":"), !word.hasPrefix("(") else {
                stateWords.append(word)
                continue
            }
            let key = word[..<colon], value = String(word[word.index(after: colon)...])
            switch key {
            case "usb": path = "usb:" + value
            case "product": product = value
            case "model": model = value
            case "device": device = value
            case "transport_id": transportId = Int(value)
            default: stateWords.append(word)
            }
        }
        state = stateWords.joined(separator: " ")
    }
}

/// A client of the adb server's smart-socket protocol (127.0.0.1:5037 by default): hex4-length
/// requests, OKAY/FAIL replies.
public struct ADBServerClient: Sendable {
    public var host: String
    public var port: Int
    public var timeout: Duration

    public static let defaultPort = 5037

    public init(host: String = "127.0.0.1", port: Int = defaultPort, timeout: Duration = .seconds(10)) {
        self.host = host
        self.port = port
        self.timeout = timeout
    }

    /// The server address from `ADB_SERVER_SOCKET` (`tcp:HOST:PORT`) or `ANDROID_ADB_SERVER_PORT`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ADBServerClient {
        if let socket = environment["ADB_SERVER_SOCKET"], socket.hasPrefix("tcp:") {
            let rest = socket.dropFirst(4)
            if let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]) {
                let host = String(rest[..<colon])
                return ADBServerClient(host: host.isEmpty ? "127.0.0.1" : host, port: port)
            }
        }
        if let port = environment["ANDROID_ADB_SERVER_PORT"].flatMap(Int.init) {
            return ADBServerClient(port: port)
        }
        return ADBServerClient()
    }

    /// Parses `[HOST:]PORT`.
    public init(address: String) throws(ADBError) {
        if let port = Int(address) {
            self.init(port: port)
            return
        }
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            throw .invalidArgument("adb server address must be [HOST:]PORT, not \(address)")
        }
        self.init(host: String(address[..<colon]), port: port)
    }

    public var description: String { "adb server at \(host):\(port)" }

    // MARK: the wire

    func connect() async throws -> SocketStream {
        do {
            return try await SocketStream.connect(host: host, port: port, timeout: timeout)
        } catch {
            throw ADBError.connectionClosed("no \(description) (is it running? `adb start-server`)")
        }
    }

    static func encodeRequest(_ request: String) throws(ADBError) -> [UInt8] {
        let bytes = Array(request.utf8)
        guard bytes.count <= 0xffff else { throw .invalidArgument("adb server request too long") }
        return Array(String(format: "%04x", bytes.count).utf8) + bytes
    }

    /// Sends `request` and reads OKAY, or throws the FAIL message.
    static func send(_ request: String, on stream: SocketStream, reader: StreamReader) async throws {
        try await stream.write(try encodeRequest(request))
        try await readStatus(reader, request: request)
    }

    static func readStatus(_ reader: StreamReader, request: String) async throws {
        let status = try await reader.readExactly(4, "the adb server's reply to \(request)")
        switch String(decoding: status, as: UTF8.self) {
        case "OKAY": return
        case "FAIL": throw ADBError.serverFailure(try await readHexString(reader))
        default: throw ADBError.protocolViolation("adb server answered \(status) to \(request)")
        }
    }

    static func readHexString(_ reader: StreamReader) async throws -> String {
        let lengthText = String(decoding: try await reader.readExactly(4, "a length"), as: UTF8.self)
        guard let length = Int(lengthText, radix: 16) else {
            throw ADBError.protocolViolation("adb server sent a bad length \(lengthText)")
        }
        return String(decoding: try await reader.readExactly(length, "a reply"), as: UTF8.self)
    }

    /// A host request whose answer is one hex4-prefixed string.
    public func query(_ request: String) async throws -> String {
        try await withTimeout(timeout, "\(description) did not answer \(request)") {
            try await withClosing(try await connect()) { stream in
                let reader = StreamReader(stream)
                try await Self.send(request, on: stream, reader: reader)
                return try await Self.readHexString(reader)
            }
        }
    }

    // MARK: host services

    /// `host:version`: the server's protocol version (41 for adb 29–35).
    public func version() async throws -> Int {
        let text = try await query("host:version")
        guard let value = Int(text, radix: 16) else { throw ADBError.protocolViolation("bad version \(text)") }
        return value
    }

    public func devices() async throws -> [ADBDeviceInfo] {
        Self.parseDevices(try await query("host:devices-l"))
    }

    static func parseDevices(_ text: String) -> [ADBDeviceInfo] {
        text.split(separator: "\n").compactMap { ADBDeviceInfo(devicesLine: $0) }
    }

    /// `host:track-devices`: the full list now and after every change, until cancelled.
    public func trackDevices() -> AsyncThrowingStream<[ADBDeviceInfo], Error> {
        let client = self
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await withClosing(try await client.connect()) { stream in
                        let reader = StreamReader(stream)
                        try await Self.send("host:track-devices", on: stream, reader: reader)
                        while !Task.isCancelled {
                            continuation.yield(Self.parseDevices(try await Self.readHexString(reader)))
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// `host:connect:HOST:PORT`; returns the server's message (`connected to …`, `failed to …`).
    public func connect(_ address: String) async throws -> String {
        try await query("host:connect:" + address)
    }

    public func disconnect(_ address: String) async throws -> String {
        try await query("host:disconnect:" + address)
    }

    /// A device behind this server, by serial (nil: the only device).
    public func device(serial: String?) -> ADBServerDevice {
        ADBServerDevice(server: self, serial: serial)
    }
}

/// A device reached through the adb server: each service is a new socket switched over with
/// `host:transport:SERIAL`.
public struct ADBServerDevice: ADBTarget {
    public let server: ADBServerClient
    public let serial: String?

    private var selector: String { serial.map { "host:transport:" + $0 } ?? "host:transport-any" }
    private var hostPrefix: String { serial.map { "host-serial:\($0):" } ?? "host:" }

    public func open(_ service: String) async throws -> any ServiceStream {
        try await withTimeout(server.timeout, "\(server.description) did not open \(service)") {
            let stream = try await server.connect()
            do {
                let reader = StreamReader(stream)
                try await ADBServerClient.send(selector, on: stream, reader: reader)
                try await stream.write(try ADBServerClient.encodeRequest(service))
                do {
                    try await ADBServerClient.readStatus(reader, request: service)
                } catch ADBError.serverFailure(let message) {
                    throw ADBError.serviceRefused("\(service): \(message)")
                }
                return BufferedServiceStream(reader: reader)
            } catch {
                await stream.close()
                throw error
            }
        }
    }

    public var sharedFeatures: Set<String> {
        get async {
            let text = (try? await server.query(hostPrefix + "features")) ?? ""
            return Set(text.split(separator: ",").map(String.init)).intersection(ADBFeature.host)
        }
    }

    public var deviceBanner: ADBBanner? {
        get async {
            guard let info = try? await server.devices().first(where: { serial == nil || $0.serial == serial }) else { return nil }
            var properties: [(key: String, value: String)] = []
            if let p = info.product { properties.append(("ro.product.name", p)) }
            if let m = info.model { properties.append(("ro.product.model", m)) }
            if let d = info.device { properties.append(("ro.product.device", d)) }
            return ADBBanner(systemType: .device, serial: info.serial, properties: properties, features: Array(await sharedFeatures))
        }
    }

    /// `get-state` for this device (`device`, `unauthorized`, …).
    public func state() async throws -> String {
        try await server.query(hostPrefix + "get-state")
    }
}

/// A stream whose first bytes may already have been read along with the server's OKAY.
final class BufferedServiceStream: ServiceStream {
    private let stream: any ServiceStream
    private let leftover: Mutex<[UInt8]>

    /// Takes over `reader`'s stream and whatever its buffer still holds.
    init(reader: StreamReader) {
        stream = reader.stream
        leftover = Mutex(reader.takeBuffered())
    }

    func read() async throws -> [UInt8]? {
        let first = leftover.withLock { bytes -> [UInt8] in
            defer { bytes = [] }
            return bytes
        }
        return first.isEmpty ? try await stream.read() : first
    }

    func write(_ bytes: [UInt8]) async throws { try await stream.write(bytes) }
    func close() async { await stream.close() }
}
