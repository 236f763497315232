/// A tool call that could not be done: sent back as a tool result with `isError: true` and this
/// message, never as a dropped connection or a protocol error.
public struct ToolError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
