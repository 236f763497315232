/// An export that cannot be made: the message names the episode or file and what to do.
public struct ExportError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
