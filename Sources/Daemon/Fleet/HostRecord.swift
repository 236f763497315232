import AsyncHTTPClient
import Foundation

/// One `tetherd` of a fleet as the store keeps it (table `host`): where the others reach its
/// API, with which token, and when it last said it was alive.
public struct HostRecord: Sendable, Equatable, Encodable {
    public enum State: String, Sendable, Codable {
        /// Heartbeating.
        case alive
        /// Stopped heartbeating for longer than the timeout: its jobs were interrupted.
        case dead
        /// Stopped on purpose (a graceful shutdown).
        case stopped
    }

    public var id: String
    public var url: String
    /// Its API token, which the other hosts use when they pass a request on to it (not shown
    /// by the API).
    public var token: String
    public var state: State
    public var startedAt: Date
    public var heartbeatAt: Date

    enum CodingKeys: String, CodingKey {
        case id, url, state
        case startedAt = "started_at", heartbeatAt = "heartbeat_at"
    }

    init(row: SQLRow) throws(StoreError) {
        let state = try row.string("state")
        guard let known = State(rawValue: state) else { throw StoreError("a host has the unknown state \(state)") }
        id = try row.string("id")
        url = try row.string("url")
        token = try row.string("token")
        self.state = known
        startedAt = try row.date("started_at")
        heartbeatAt = try row.date("heartbeat_at")
    }
}

extension HostRecord {
    /// The header a passed-on request carries (the passing host's id): it is never passed on again.
    static let viaHeader = "X-Tether-Via"

    /// A request to this host's API, as host `via` passes one on: with this host's token.
    func request(_ pathAndQuery: String, via: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url + (pathAndQuery.hasPrefix("/") ? "" : "/") + pathAndQuery)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: Self.viaHeader, value: via)
        return request
    }
}
