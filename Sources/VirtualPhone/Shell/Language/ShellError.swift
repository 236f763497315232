/// What stops a script: a syntax error, a construct this shell does not implement, or a failed
/// expansion (`${x?}`, bad arithmetic). Each ends the script with status 2, as sh does.
enum ShellError: Error, Equatable, Sendable {
    case syntax(String)
    case notSupported(String)
    case expansion(String)

    var message: String {
        switch self {
        case .syntax(let what): "sh: syntax error: \(what)"
        case .notSupported(let what): "sh: \(what): not supported"
        case .expansion(let what): "sh: \(what)"
        }
    }

    var status: Int32 { 2 }
}

/// Control flow that unwinds the evaluator: `exit`, `break`, `continue`, `return`.
enum ShellControl: Error, Sendable {
    case exit(Int32)
    case breakLoop(Int)
    case continueLoop(Int)
    case returnFunction(Int32)
}
