/// A failure the command reports in words (printed as "Error: …"), exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
}
