/// The phone could not carry out an action for a reason the model can act on (no text field has
/// focus, the text did not arrive): thrown by a `PhoneControl`, it becomes a failed outcome that
/// the model is told about, not the end of the run.
public struct ActionRefused: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
