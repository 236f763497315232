/// A flow that cannot run as written: broken YAML, an unknown command, an argument of the wrong
/// type, a cyclic `runFlow`. Found before any phone is touched, with where it was written.
public struct FlowError: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: SourceLocation?
    public var message: String

    public init(_ message: String, at location: SourceLocation?) {
        self.location = location
        self.message = message
    }

    /// `flows/login.yaml:12:5: unknown command "tapOnn"; did you mean "tapOn"?`
    public var description: String {
        guard let location else { return message }
        return "\(location): \(message)"
    }
}
