/// A reply that does not hold exactly one readable action. It is never an implicit "finish":
/// the loop asks the model again (see `correction`) and, failing that, stops the run as failed.
public struct ActionParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Nothing that looks like `do(` or `finish(`.
        case noAction
        /// A call that breaks the grammar (unterminated string, bad list, missing parenthesis…).
        case syntax
        /// A well-formed call with an unknown action name.
        case unknownAction(String)
        /// A known action whose arguments are missing or of the wrong type.
        case badArgument
        /// The answer holds more than one action.
        case ambiguous
    }

    public var kind: Kind
    /// What is wrong, for logs and for the model.
    public var reason: String
    /// The part of the reply the error is about (shortened).
    public var excerpt: String

    public var description: String {
        excerpt.isEmpty
            ? "cannot read an action from the model's reply: \(reason)"
            : "cannot read an action from the model's reply: \(reason) (in: \(excerpt))"
    }
}
