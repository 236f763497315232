import ADB
import AndroidPhone
import Foundation
import Logging
import ServiceLifecycle

/// The phones the daemon drives: TCP phones added through the API or the config file (the
/// virtual phone is one), remembered in the store; and, when discovery is on, USB phones as
/// they are plugged in and the phones of a running adb server. Keeps each connected, reconnects
/// a dropped one with backoff, and hands out one lease per phone: a job holds it, others wait.
public actor DeviceManager: Service {
    /// How the daemon reaches a phone.
    enum Route: Sendable {
        /// Direct TCP to the phone's adbd at `Entry.address`.
        case tcp
        /// Direct USB (libusb), the phone seen by hotplug.
        case usb
        /// Through a running adb server, which lists the phone.
        case server(ADBServerClient)
    }

    struct Entry {
        var address: String
        var route = Route.tcp
        /// For a discovered phone: whether USB or the adb server lists it as ready now (a TCP
        /// phone is always worth another try).
        var present = true
        var state: DeviceState = .offline
        var phone: Phone?
        var target: (any ADBTarget)?
        var model: String?
        var lease: String?
        var message: String?
        var failures = 0
        var nextAttempt = ContinuousClock.now
        var connecting = false
        /// When an idle phone was last asked whether it is still there.
        var checkedAt = ContinuousClock.now
    }

    let store: Store
    let connector: DeviceConnector
    let logger: Logger
    let initialAddresses: [String]
    let discovery: DeviceDiscovery?
    /// This host's name in the store (its remembered phones are its own).
    let host: String?
    var entries: [String: Entry] = [:]

    public init(
        store: Store, addresses: [String] = [], discovery: DeviceDiscovery? = nil, host: String? = nil,
        logger: Logger = Logger(label: "tether.daemon.devices")
    ) {
        self.store = store
        initialAddresses = addresses
        self.discovery = discovery
        self.host = host
        self.logger = logger
        connector = DeviceConnector(logger: logger)
    }

    /// The serial of a TCP phone: its address, as adb names it.
    public static func serial(of address: String) throws(APIError) -> String {
        let parsed: (host: String, port: Int)
        do { parsed = try DeviceConnector.parseAddress(address) } catch {
            throw .badRequest("\"address\" must be HOST:PORT, e.g. 127.0.0.1:5555, not \"\(address)\"")
        }
        // A host name or IPv4 address, or an IPv6 one in brackets: nothing else reaches a socket.
        let bracketed = address.hasPrefix("[")
        let allowed: (Character) -> Bool = { c in
            c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "-" || c == "_" || (bracketed && c == ":"))
        }
        guard (1...253).contains(parsed.host.count), parsed.host.allSatisfy(allowed) else {
            throw .badRequest("\"address\" has an invalid host: \"\(parsed.host)\" (a name, an IPv4 address or an [IPv6] one)")
        }
        return "\(parsed.host):\(parsed.port)"
    }

    /// Adds a TCP phone (or finds it already there); the next maintenance round (within half a
    /// second) connects it, so a phone that does not answer never holds up the caller.
    @discardableResult
    public func add(address: String, addedBy: String = "api") async throws -> DeviceInfo {
        let serial = try Self.serial(of: address)
        if entries[serial] == nil {
            entries[serial] = Entry(address: serial)
            try await store.saveDevice(serial: serial, address: serial, addedBy: addedBy, state: .offline, host: host)
        } else if entries[serial]?.phone == nil {
            entries[serial]?.nextAttempt = .now
        }
        return info(serial) ?? DeviceInfo(serial: serial, address: serial, state: .offline)
    }

    public func list() -> [DeviceInfo] { entries.keys.sorted().compactMap(info) }

    public func info(_ serial: String) -> DeviceInfo? {
        guard let e = entries[serial] else { return nil }
        return DeviceInfo(
            serial: serial, address: e.address, state: e.lease != nil && e.state == .online ? .busy : e.state,
            model: e.model, job: e.lease, message: e.message)
    }

    /// Phones that are online and free, in serial order.
    public func freeSerials() -> [String] {
        entries.filter { $0.value.state == .online && $0.value.lease == nil }.map(\.key).sorted()
    }

    /// Takes the phone's lease for `job`; nil when it is not online and free.
    public func lease(_ serial: String, for job: String) -> Phone? {
        guard var e = entries[serial], e.state == .online, e.lease == nil, let phone = e.phone else { return nil }
        e.lease = job
        entries[serial] = e
        return phone
    }

    public func release(_ serial: String) { entries[serial]?.lease = nil }

    /// The phone for a direct command (screenshot, input). A phone a job holds is refused.
    public func phoneForCommand(_ serial: String) throws(APIError) -> Phone {
        guard let e = entries[serial] else { throw .notFound("no device \(serial); GET /v1/devices lists them") }
        guard e.lease == nil else { throw .conflict("device \(serial) is busy with job \(e.lease ?? "?"); wait or cancel the job") }
        guard e.state == .online, let phone = e.phone else {
            throw APIError(.serviceUnavailable, "device \(serial) is \(e.state.rawValue)\(e.message.map { ": \($0)" } ?? ""); the daemon keeps reconnecting")
        }
        return phone
    }

    /// Asks the phone whether it is still there; a phone that does not answer goes offline.
    /// Returns the reason it is gone, or nil when it answered.
    public func checkAlive(_ serial: String) async -> String? {
        guard let phone = entries[serial]?.phone else { return "device \(serial) is not connected" }
        do {
            _ = try await phone.shell("echo alive", timeout: .seconds(5))
            return nil
        } catch {
            let reason = "device \(serial) stopped answering: \(error)"
            await drop(serial, reason: reason)
            return reason
        }
    }

    func drop(_ serial: String, reason: String) async {
        guard var e = entries[serial] else { return }
        let phone = e.phone, target = e.target
        e.phone = nil
        e.target = nil
        e.state = .offline
        e.message = reason
        e.nextAttempt = .now
        entries[serial] = e
        logger.warning("device offline", metadata: ["serial": "\(serial)", "reason": "\(reason)"])
        try? await store.updateDevice(serial: serial, state: .offline, model: nil)
        await Self.close(phone: phone, target: target)
    }

    static func close(phone: Phone?, target: (any ADBTarget)?) async {
        await phone?.close()
        if let connection = target as? ADBConnection { await connection.close() }
    }
}

extension DeviceManager {
    /// Moves a lease to the job that was found for it.
    func relabel(_ serial: String, job: String) {
        guard entries[serial]?.lease != nil else { return }
        entries[serial]?.lease = job
    }
}

extension DeviceManager {
    /// The phone for looking at only (the live view): allowed while a job holds it.
    public func phoneForViewing(_ serial: String) throws(APIError) -> Phone {
        guard let e = entries[serial] else { throw .notFound("no device \(serial); GET /v1/devices lists them") }
        guard e.state == .online, let phone = e.phone else {
            throw APIError(.serviceUnavailable, "device \(serial) is \(e.state.rawValue)\(e.message.map { ": \($0)" } ?? "")")
        }
        return phone
    }
}
