/// A parsed script. Words stay as written (quotes included); expansion happens when run.
indirect enum ShellNode: Sendable {
    case simple(ShellSimpleCommand)
    case pipeline([ShellNode], negated: Bool)
    case and(ShellNode, ShellNode)
    case or(ShellNode, ShellNode)
    case list([ShellNode])
    case subshell(ShellNode, [ShellRedirect])
    case group(ShellNode, [ShellRedirect])
    case ifClause([(condition: ShellNode, body: ShellNode)], otherwise: ShellNode?, [ShellRedirect])
    case forLoop(name: String, words: [String]?, body: ShellNode, [ShellRedirect])
    case loop(condition: ShellNode, body: ShellNode, until: Bool, [ShellRedirect])
    case caseClause(word: String, items: [(patterns: [String], body: ShellNode?)], [ShellRedirect])
    case function(name: String, body: ShellNode)
}

struct ShellSimpleCommand: Sendable {
    var assignments: [(name: String, value: String)] = []
    var words: [String] = []
    var redirects: [ShellRedirect] = []
}

struct ShellRedirect: Sendable {
    enum Operation: Sendable { case read, write, append, duplicateOutput, duplicateInput }
    var fd: Int
    var operation: Operation
    var target: String
}
