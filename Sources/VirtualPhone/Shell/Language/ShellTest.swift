import ADB
import Foundation

/// `test` and `[`: file tests, string and integer comparisons, `!`, `-a`, `-o` and parentheses.
/// Status 0 true, 1 false, 2 for a malformed expression (with a message).
enum ShellTest {
    struct Malformed: Error { var message: String }

    static func run(_ name: String, _ argsIn: [String], files: DeviceFileSystem, cwd: String, io: ShellIO) async -> Int32 {
        var args = argsIn
        if name == "[" {
            guard args.last == "]" else {
                try? await io.err("sh: [: missing ]\n")
                return 2
            }
            args.removeLast()
        }
        var evaluator = Evaluator(args: args, files: files, cwd: cwd)
        do {
            let result = try evaluator.evaluate()
            return result ? 0 : 1
        } catch {
            try? await io.err("sh: \(name): \(error.message)\n")
            return 2
        }
    }

    struct Evaluator {
        let args: [String]
        let files: DeviceFileSystem
        let cwd: String
        var index = 0

        init(args: [String], files: DeviceFileSystem, cwd: String) {
            self.args = args
            self.files = files
            self.cwd = cwd
        }

        static let unary: Set<String> = ["-e", "-f", "-d", "-s", "-r", "-w", "-x", "-z", "-n", "-L", "-h", "-b", "-c", "-p", "-S", "-t", "-g", "-u", "-k", "-O", "-G"]
        static let binary: Set<String> = ["=", "==", "!=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "<", ">", "-nt", "-ot", "-ef"]

        mutating func evaluate() throws(Malformed) -> Bool {
            // POSIX rules by argument count first: they settle `[ "-n" ]`, `[ ! = x ]` and the like.
            switch args.count {
            case 0: return false
            case 1: return !args[0].isEmpty
            case 2:
                if args[0] == "!" { return args[1].isEmpty }
                if Self.unary.contains(args[0]) { return try unaryTest(args[0], args[1]) }
                throw Malformed(message: "\(args[0]): unary operator expected")
            case 3:
                if Self.binary.contains(args[1]) { return try binaryTest(args[0], args[1], args[2]) }
                if args[0] == "!" { var rest = Evaluator(args: Array(args.dropFirst()), files: files, cwd: cwd); return !(try rest.evaluate()) }
                if args[0] == "(" && args[2] == ")" { return !args[1].isEmpty }
            default: break
            }
            let result = try orExpression()
            guard index == args.count else { throw Malformed(message: "\(args[index]): unexpected operator") }
            return result
        }

        private mutating func orExpression() throws(Malformed) -> Bool {
            var value = try andExpression()
            while index < args.count, args[index] == "-o" {
                index += 1
                let rhs = try andExpression()
                value = value || rhs
            }
            return value
        }

        private mutating func andExpression() throws(Malformed) -> Bool {
            var value = try primary()
            while index < args.count, args[index] == "-a" {
                index += 1
                let rhs = try primary()
                value = value && rhs
            }
            return value
        }

        private mutating func primary() throws(Malformed) -> Bool {
            guard index < args.count else { throw Malformed(message: "argument expected") }
            let a = args[index]
            if a == "!" { index += 1; return !(try primary()) }
            if a == "(" {
                index += 1
                let v = try orExpression()
                guard index < args.count, args[index] == ")" else { throw Malformed(message: "')' expected") }
                index += 1
                return v
            }
            if index + 2 < args.count, Self.binary.contains(args[index + 1]) {
                defer { index += 3 }
                return try binaryTest(a, args[index + 1], args[index + 2])
            }
            if Self.unary.contains(a), index + 1 < args.count {
                defer { index += 2 }
                return try unaryTest(a, args[index + 1])
            }
            index += 1
            return !a.isEmpty
        }

        private func path(_ p: String) -> String { p.hasPrefix("/") ? p : (cwd == "/" ? "/" : cwd + "/") + p }

        private func unaryTest(_ op: String, _ operand: String) throws(Malformed) -> Bool {
            let s = files.stat(path(operand), follow: op != "-L" && op != "-h")
            let type = s.mode & 0o170000
            switch op {
            case "-z": return operand.isEmpty
            case "-n": return !operand.isEmpty
            case "-e": return s.exists
            case "-f": return s.exists && type == 0o100000
            case "-d": return s.exists && type == 0o040000
            case "-s": return s.exists && s.size > 0
            case "-L", "-h": return s.exists && type == 0o120000
            case "-b": return s.exists && type == 0o060000
            case "-c": return s.exists && type == 0o020000
            case "-p": return s.exists && type == 0o010000
            case "-S": return s.exists && type == 0o140000
            case "-r", "-w": return s.exists
            case "-x": return s.exists && s.mode & 0o111 != 0
            case "-t": return false
            default: return s.exists && false
            }
        }

        private func integer(_ s: String) throws(Malformed) -> Int {
            guard let n = Int(s.trimmingCharacters(in: .whitespaces)) else { throw Malformed(message: "\(s): bad number") }
            return n
        }

        private func binaryTest(_ a: String, _ op: String, _ b: String) throws(Malformed) -> Bool {
            switch op {
            case "=", "==": return a == b
            case "!=": return a != b
            case "<": return Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
            case ">": return Array(b.utf8).lexicographicallyPrecedes(Array(a.utf8))
            case "-eq": return try integer(a) == integer(b)
            case "-ne": return try integer(a) != integer(b)
            case "-lt": return try integer(a) < integer(b)
            case "-le": return try integer(a) <= integer(b)
            case "-gt": return try integer(a) > integer(b)
            case "-ge": return try integer(a) >= integer(b)
            case "-nt": return files.stat(path(a), follow: true).mtime > files.stat(path(b), follow: true).mtime
            case "-ot": return files.stat(path(a), follow: true).mtime < files.stat(path(b), follow: true).mtime
            default:
                let x = files.stat(path(a), follow: true), y = files.stat(path(b), follow: true)
                return x.exists && y.exists && x.inode == y.inode && x.device == y.device
            }
        }
    }
}
