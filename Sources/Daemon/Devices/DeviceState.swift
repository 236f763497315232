/// Where a phone the daemon knows stands. `busy`: a job holds its lease.
public enum DeviceState: String, Sendable, Codable, CaseIterable {
    case online
    case offline
    case unauthorized
    case busy
}

/// A phone as the API shows it.
public struct DeviceInfo: Sendable, Codable, Equatable {
    public var serial: String
    public var address: String
    public var state: DeviceState
    public var model: String?
    /// The job holding the phone's lease.
    public var job: String?
    /// Why the phone is offline or unauthorized, when it is.
    public var message: String?
    /// The host (`tetherd --host-id`) the phone is plugged into, when the store has several.
    public var host: String? = nil
}
