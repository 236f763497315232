import Basics
import Foundation

/// Who this `tetherd` is among the hosts sharing a store: its id (`--host-id`, default the
/// machine's name) and the address the others reach its API at (`--advertise`, default the
/// listening address once the port is bound).
public struct FleetIdentity: Sendable {
    public let host: String
    private let address: Locked<String?>

    public init(host: String, advertise: String? = nil) {
        self.host = host
        address = Locked(advertise)
    }

    /// The advertised URL; nil until the server has bound its port (when none was given).
    public var url: String? { address.value }

    /// Sets the URL from the bound address unless one was given.
    func listening(host: String, port: Int) {
        let shown = ["0.0.0.0", "::", ""].contains(host) ? ProcessInfo.processInfo.hostName : host
        let bracketed = shown.contains(":") ? "[\(shown)]" : shown
        address.withLock { url in if url == nil { url = "http://\(bracketed):\(port)" } }
    }

    /// The default id: the machine's name.
    public static var defaultHost: String { ProcessInfo.processInfo.hostName }
}
