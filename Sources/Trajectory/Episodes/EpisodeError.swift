/// An episode folder that cannot be written or read: the message names the file and the reason.
public struct EpisodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
