import AndroidPhone
import Foundation

/// One phone as `list_devices` shows it.
public struct DeviceListing: Sendable, Codable, Equatable {
    public var serial: String
    /// `online`, `offline`, `unauthorized` or `busy` (a job or task holds it).
    public var state: String
    public var model: String?
    /// Why it is not usable, when it is not.
    public var message: String?

    public init(serial: String, state: String, model: String? = nil, message: String? = nil) {
        self.serial = serial
        self.state = state
        self.model = model
        self.message = message
    }
}

/// A phone a tool acts on, with the serial it goes by.
public struct SelectedPhone: Sendable {
    public var serial: String
    public var phone: Phone

    public init(serial: String, phone: Phone) {
        self.serial = serial
        self.phone = phone
    }
}

/// Where the tools find their phones: the one phone `tether mcp` opened, or the daemon's, whose
/// leases it respects. `phone(_:)` throws a `ToolError` that says why a phone cannot be used
/// (none such, offline, held by a job).
public protocol PhoneSource: Sendable {
    func devices() async -> [DeviceListing]
    /// The phone with `serial`; with nil, the only phone there is.
    func phone(_ serial: String?) async throws(ToolError) -> SelectedPhone
    /// A tool found the phone gone (disconnected or not answering): connect again next time.
    func disconnected() async
}

/// The one phone `tether mcp` drives, connected on first use (a phone that is not there yet, or
/// goes away, is a tool error, and the next call connects again). While an agent task runs on it,
/// direct tools are refused (the task holds it, as a daemon job holds its phone's lease).
public actor SinglePhoneSource: PhoneSource {
    public typealias Opener = @Sendable () async throws -> Phone

    private let open: Opener
    private var connected: Phone?
    /// The name it goes by: the address or serial given, else (once connected) its own serial.
    private var name: String
    private let named: Bool
    private var holder: String?

    public init(name: String?, open: @escaping Opener) {
        self.open = open
        self.name = name ?? "phone"
        self.named = name != nil
    }

    /// An already connected phone.
    public init(phone: Phone, serial: String) {
        self.init(name: serial, open: { phone })
    }

    public func devices() async -> [DeviceListing] {
        do {
            _ = try await phone()
        } catch {
            return [DeviceListing(serial: name, state: "offline", message: error.message)]
        }
        return [DeviceListing(serial: name, state: holder == nil ? "online" : "busy", message: holder.map { "agent task \($0) holds it" })]
    }

    public func phone(_ wanted: String?) async throws(ToolError) -> SelectedPhone {
        let phone = try await phone()
        if let wanted, wanted != name {
            throw ToolError("no device \(wanted): this server drives one phone, \(name)")
        }
        if let holder {
            throw ToolError("device \(name) is busy with agent task \(holder); wait for it (task_status) or ask again later")
        }
        return SelectedPhone(serial: name, phone: phone)
    }

    public func disconnected() async {
        guard let phone = connected else { return }
        connected = nil
        await phone.close()
    }

    /// The phone, connected now when it is not yet.
    func phone() async throws(ToolError) -> Phone {
        if let connected { return connected }
        do {
            let phone = try await open()
            if !named {
                let own = try await phone.shell("getprop ro.serialno").stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
                if !own.isEmpty { name = own }
            }
            connected = phone
            return phone
        } catch {
            throw ToolError(
                "cannot reach the phone: \(error). Check that it is connected and that the device flags "
                    + "(-s, --connect, --server) of tether mcp name it; the next call tries again")
        }
    }

    /// The phone for an agent task, which holds it until `release`.
    func hold(for task: String) async throws(ToolError) -> (serial: String, phone: Phone) {
        let phone = try await phone()
        if let holder { throw ToolError("the phone is busy with task \(holder); wait for it to end (task_status)") }
        holder = task
        return (name, phone)
    }

    func release(_ task: String) {
        if holder == task { holder = nil }
    }

    /// Closes the connection, if there is one.
    public func close() async { await disconnected() }
}
