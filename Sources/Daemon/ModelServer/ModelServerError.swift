import Foundation

/// Why the model server cannot start: a message that says what to do.
public struct ModelServerError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
