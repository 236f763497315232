/// What a running script remembers: variables (and which are exported), positional
/// parameters, `$?`, the working directory and functions. A subshell runs on a copy.
struct ShellState: Sendable {
    var variables: [String: String]
    var exported: Set<String>
    var positional: [String] = []
    var scriptName = "sh"
    var lastStatus: Int32 = 0
    var cwd = "/"
    var functions: [String: ShellNode] = [:]
    var pid: Int
    /// The status of the last command substitution while expanding a command, for `x=$(false)`.
    var substitutionStatus: Int32?

    init(environment: [String: String], pid: Int) {
        variables = environment
        exported = Set(environment.keys)
        self.pid = pid
        if let pwd = environment["PWD"], pwd.hasPrefix("/") { cwd = pwd }
    }

    /// The exported variables, as a command's environment.
    var environment: [String: String] { variables.filter { exported.contains($0.key) } }

    /// A device path made absolute against the working directory.
    func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : (cwd == "/" ? "/" : cwd + "/") + path
    }
}
