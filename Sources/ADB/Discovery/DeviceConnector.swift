import Foundation
import Logging

/// Which device a command talks to, and through what.
public enum DeviceSelection: Sendable {
    /// USB when such a phone is plugged in, else a running adb server (`ANDROID_ADB_SERVER_PORT`);
    /// `serial` (`-s SERIAL`, or `ANDROID_SERIAL` when nil) picks one of several.
    case automatic(serial: String?)
    /// `--connect HOST:PORT`: direct TCP, no adb server.
    case tcp(address: String)
    /// `--server [HOST:]PORT`: through a running adb server.
    case server(ADBServerClient, serial: String?)
}

/// Opens the selected device: direct TCP, direct USB when a USB device is present, otherwise
/// a running adb server.
public struct DeviceConnector: Sendable {
    public var environment: [String: String]
    public var keyDirectory: URL
    public var logger: Logger
    /// Called when the phone shows "Allow USB debugging?" for our key.
    public var onAuthorizationPrompt: @Sendable (String) -> Void

    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        keyDirectory: URL? = nil,
        logger: Logger = Logger(label: "tether.adb"),
        onAuthorizationPrompt: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.environment = environment
        self.keyDirectory = keyDirectory ?? ADBKeyStore.defaultDirectory(environment: environment)
        self.logger = logger
        self.onAuthorizationPrompt = onAuthorizationPrompt
    }

    /// `HOST:PORT` (port 5555 when missing, as `adb connect` assumes).
    public static func parseAddress(_ address: String) throws(ADBError) -> (host: String, port: Int) {
        var host = address
        var port = 5555
        if let colon = address.lastIndex(of: ":"), !address.hasSuffix("]") {
            guard let parsed = Int(address[address.index(after: colon)...]), (1...65535).contains(parsed) else {
                throw .invalidArgument("bad address \(address): expected HOST:PORT")
            }
            port = parsed
            host = String(address[..<colon])
        }
        host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard !host.isEmpty else { throw .invalidArgument("bad address \(address): no host") }
        return (host, port)
    }

    public func open(_ selection: DeviceSelection) async throws -> any ADBTarget {
        switch selection {
        case .tcp(let address):
            let (host, port) = try Self.parseAddress(address)
            let transport = try await TCPPacketTransport.connect(host: host, port: port)
            // Keys are read only if the phone asks for AUTH; a failed handshake closes the socket.
            return try await ADBHost.connect(transport: transport, loadingKeys: loadKeys, logger: logger, onAuthorizationPrompt: onAuthorizationPrompt)
        case .server(let server, let serial):
            return try await checkedServerDevice(server, serial: serial ?? environmentSerial)
        case .automatic(let serial):
            return try await openAutomatically(serial: serial ?? environmentSerial)
        }
    }

    /// A USB phone when one (with that serial) is plugged in, else the adb server's.
    private func openAutomatically(serial: String?) async throws -> any ADBTarget {
        if let usb = try? LibUSB() {
            let candidates = usb.candidates().filter { serial == nil || $0.serial == serial }
            if !candidates.isEmpty {
                let pipe = try usb.open(serial: serial)
                return try await ADBHost.connect(
                    transport: USBPacketTransport(pipe: pipe), loadingKeys: loadKeys, logger: logger, onAuthorizationPrompt: onAuthorizationPrompt)
            }
        }
        let server = ADBServerClient.fromEnvironment(environment)
        if (try? await server.version()) != nil {
            return try await checkedServerDevice(server, serial: serial)
        }
        if let serial {
            throw ADBError.deviceSelection("no device \(serial): not on USB, and no adb server is running (try --connect HOST:PORT)")
        }
        throw ADBError.deviceSelection(
            "no device: plug in a phone with USB debugging on, use --connect HOST:PORT for a phone on the network, "
                + "or --server PORT for one an adb server already has")
    }

    private var environmentSerial: String? { environment["ANDROID_SERIAL"].flatMap { $0.isEmpty ? nil : $0 } }

    /// Reads (or creates) the host's keys; called only when a phone asks for AUTH.
    private var loadKeys: @Sendable () throws -> ADBKeyStore? {
        { [keyDirectory, environment, logger] in try ADBKeyStore.load(directory: keyDirectory, environment: environment, logger: logger) }
    }

    /// The server's device, after checking that exactly one matches and that it is usable.
    private func checkedServerDevice(_ server: ADBServerClient, serial: String?) async throws -> ADBServerDevice {
        let devices = try await server.devices()
        let matching = devices.filter { serial == nil || $0.serial == serial }
        guard let device = matching.first else {
            throw ADBError.deviceSelection(serial.map { "\(server.description) has no device \($0)" } ?? "\(server.description) has no devices")
        }
        guard matching.count == 1 else {
            throw ADBError.deviceSelection("more than one device: \(matching.map(\.serial).joined(separator: ", ")); choose one with -s SERIAL")
        }
        guard device.state == "device" else {
            throw ADBError.deviceSelection(
                "\(device.serial) is \(device.state)"
                    + (device.state == "unauthorized" ? ": accept \"Allow USB debugging?\" on the phone" : ""))
        }
        return server.device(serial: device.serial)
    }

    /// Every device Tether can see: USB interfaces, and the adb server's devices when it runs.
    public func list(server explicitServer: ADBServerClient? = nil) async -> (devices: [ADBDeviceInfo], notes: [String]) {
        var devices: [ADBDeviceInfo] = []
        var notes: [String] = []
        do {
            let usb = try LibUSB()
            devices += usb.candidates().map {
                ADBDeviceInfo(serial: $0.serial, state: $0.problem ?? "device", path: $0.path, transport: .usb)
            }
        } catch {
            notes.append("USB: \(error)")
        }
        let server = explicitServer ?? ADBServerClient.fromEnvironment(environment)
        do {
            let listed = try await server.devices()
            // A USB device that the server also lists is the same phone; show it once.
            devices += listed.filter { d in !devices.contains { $0.serial == d.serial } }
        } catch {
            if explicitServer != nil { notes.append("\(error)") }
        }
        return (devices, notes)
    }
}
