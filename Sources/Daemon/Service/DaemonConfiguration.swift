import Basics
import Foundation

/// What `tetherd` is told: on the command line, or in the config file (JSON).
public struct DaemonConfiguration: Sendable, Codable, Equatable {
    public static let defaultPort = DaemonDefaults.port

    public var stateDirectory: String?
    /// HOST:PORT to listen on.
    public var listen: String?
    /// TCP phones to connect at start ("host:port").
    public var devices: [String]?
    /// Allow routes that run shell commands on the phones (none exist yet).
    public var allowShell: Bool?
    /// A folder of shortcut definitions (Devices/shortcuts) offered to every job's agent.
    public var shortcuts: String?
    /// The Devices folder (virtual-phone tasks) for jobs with a `check`.
    public var devicesDirectory: String?
    /// Watch USB for phones (default true).
    public var usb: Bool?
    /// The adb server whose phones to take, HOST:PORT, or "off" (default: $ANDROID_ADB_SERVER_PORT or 5037).
    public var adbServer: String?
    /// A checkpoint directory to load and serve at /v1/chat/completions.
    public var model: String?
    /// Chat requests that may wait while one generates (beyond it: 429).
    public var modelQueue: Int?
    /// Where the store lives: "sqlite" or postgres://… (a fleet).
    public var store: String?
    /// This host's id in a fleet.
    public var hostID: String?
    /// The URL other hosts reach this one's API at.
    public var advertise: String?
    /// Seconds of silence after which a host counts as dead.
    public var hostTimeout: Double?
    /// Pools of OpenAI-compatible servers by model name.
    public var modelEndpoints: [String: [String]]?

    enum CodingKeys: String, CodingKey {
        case listen, devices, shortcuts, model, usb, store, advertise
        case hostID = "host_id", hostTimeout = "host_timeout", modelEndpoints = "model_endpoints"
        case adbServer = "adb_server", devicesDirectory = "devices_dir"
        case stateDirectory = "state_dir", allowShell = "allow_shell", modelQueue = "model_queue"
    }

    public init(stateDirectory: String? = nil, listen: String? = nil, devices: [String]? = nil, allowShell: Bool? = nil) {
        self.stateDirectory = stateDirectory
        self.listen = listen
        self.devices = devices
        self.allowShell = allowShell
    }

    /// Reads a config file; unknown keys are an error so that a typo is not silently ignored.
    public static func load(_ path: String) throws(StoreError) -> DaemonConfiguration {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw StoreError("cannot read the config file \(path): \(error.localizedDescription)")
        }
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            let known = Set(["state_dir", "listen", "devices", "allow_shell", "shortcuts", "model", "model_queue", "usb", "adb_server", "devices_dir", "store", "host_id", "advertise", "host_timeout", "model_endpoints"])
            let unknown = object.keys.filter { !known.contains($0) }.sorted()
            if !unknown.isEmpty { throw StoreError("the config file \(path) has unknown keys: \(unknown.joined(separator: ", ")); known: \(known.sorted().joined(separator: ", "))") }
        }
        do { return try JSONDecoder().decode(DaemonConfiguration.self, from: data) } catch {
            throw StoreError("the config file \(path) is not valid: \(RequestJSON.explain(error))")
        }
    }

    /// `HOST:PORT` split; the default port when only a host is given.
    public static func parseListen(_ text: String) throws(StoreError) -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":") else { return (text, defaultPort) }
        let host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port), !host.isEmpty else {
            throw StoreError("--listen must be HOST:PORT, e.g. 127.0.0.1:\(defaultPort), not \"\(text)\"")
        }
        return (host, port)
    }

    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
