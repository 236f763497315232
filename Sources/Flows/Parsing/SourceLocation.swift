/// Where something was written: a flow file, line and column (both from 1).
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `flows/login.yaml:12:5`, as compilers and editors print it.
    public var description: String { "\(file):\(line):\(column)" }
}
