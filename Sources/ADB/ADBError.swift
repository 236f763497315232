/// Everything that can go wrong talking ADB. Each case carries a message that says what went
/// wrong; `description` adds what to do about it where there is something to do.
public enum ADBError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The peer sent bytes that are not a valid ADB packet (bad magic, oversized length, …).
    case malformedPacket(String)
    /// The peer broke the protocol's rules (a packet out of order, an unexpected reply, …).
    case protocolViolation(String)
    /// The connection ended, cleanly or not, while something still waited on it.
    case connectionClosed(String)
    /// A peer did not answer within the time allowed.
    case timeout(String)
    /// The device refused our key and is showing the "Allow USB debugging?" prompt.
    case unauthorized(String)
    /// The device refused to open a service (answered OPEN with CLSE).
    case serviceRefused(String)
    /// The adb server answered FAIL.
    case serverFailure(String)
    /// A sync (file transfer) request failed on the device.
    case syncFailure(String)
    /// A local file or key could not be read or written.
    case io(String)
    /// No device matched the selection, or more than one did.
    case deviceSelection(String)
    /// USB: the interface cannot be claimed, opened or talked to.
    case usb(String)
    /// Anything the caller passed in that cannot work (an address, a service name, …).
    case invalidArgument(String)

    public var message: String {
        switch self {
        case .malformedPacket(let m), .protocolViolation(let m), .connectionClosed(let m), .timeout(let m),
            .unauthorized(let m), .serviceRefused(let m), .serverFailure(let m), .syncFailure(let m),
            .io(let m), .deviceSelection(let m), .usb(let m), .invalidArgument(let m):
            return m
        }
    }

    public var description: String {
        switch self {
        case .malformedPacket(let m): return "malformed ADB packet: \(m)"
        case .protocolViolation(let m): return "ADB protocol violation: \(m)"
        case .connectionClosed(let m): return "connection closed: \(m)"
        case .timeout(let m): return "timed out: \(m)"
        case .unauthorized(let m): return "unauthorized: \(m)"
        case .serviceRefused(let m): return "service refused: \(m)"
        case .serverFailure(let m): return "adb server: \(m)"
        case .syncFailure(let m): return "file transfer failed: \(m)"
        case .io(let m): return m
        case .deviceSelection(let m): return m
        case .usb(let m): return "USB: \(m)"
        case .invalidArgument(let m): return m
        }
    }
}
