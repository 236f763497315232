import ADB
import Foundation

extension Toolbox {
    /// `touch FILE…`: creates missing files, sets the time of existing ones to now.
    static let touch: Command = { argv, context, io in
        let o = try ToolboxOptions(Array(argv.dropFirst()), command: "touch", flags: "c")
        var status: Int32 = 0
        for file in o.operands {
            let path = context.absolute(file)
            guard let host = context.hostPath(file) else { status = 1; continue }
            if context.files.exists(path) {
                try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: host)
            } else if !o.has("c"), !FileManager.default.createFile(atPath: host, contents: nil) {
                try await io.err("touch: '\(file)': No such file or directory\n")
                status = 1
            }
        }
        return status
    }

    /// `mkdir [-p] DIR…`.
    static let mkdir: Command = { argv, context, io in
        let o = try ToolboxOptions(Array(argv.dropFirst()), command: "mkdir", flags: "p")
        var status: Int32 = 0
        for dir in o.operands {
            let path = context.absolute(dir)
            guard let host = context.hostPath(dir) else { status = 1; continue }
            if context.files.exists(path) {
                if o.has("p"), context.files.isDirectory(path) { continue }
                try await io.err("mkdir: '\(dir)': File exists\n")
                status = 1
                continue
            }
            do { try FileManager.default.createDirectory(atPath: host, withIntermediateDirectories: o.has("p")) } catch {
                try await io.err("mkdir: '\(dir)': No such file or directory\n")
                status = 1
            }
        }
        return status
    }

    /// `rmdir DIR…`: only empty directories.
    static let rmdir: Command = { argv, context, io in
        let o = try ToolboxOptions(Array(argv.dropFirst()), command: "rmdir", flags: "")
        var status: Int32 = 0
        for dir in o.operands {
            let path = context.absolute(dir)
            guard context.files.isDirectory(path), context.files.list(path).isEmpty, let host = context.hostPath(dir) else {
                try await io.err("rmdir: '\(dir)': \(context.files.exists(path) ? "Directory not empty" : "No such file or directory")\n")
                status = 1
                continue
            }
            try? FileManager.default.removeItem(atPath: host)
        }
        return status
    }

    /// `rm [-r] [-f] PATH…`.
    static let rm: Command = { argv, context, io in
        let o = try ToolboxOptions(Array(argv.dropFirst()), command: "rm", flags: "rRfv")
        var status: Int32 = 0
        for file in o.operands {
            let path = context.absolute(file)
            guard context.files.exists(path), let host = context.hostPath(file) else {
                if !o.has("f") {
                    try await io.err("rm: \(file): No such file or directory\n")
                    status = 1
                }
                continue
            }
            if context.files.isDirectory(path), !o.has("r"), !o.has("R") {
                try await io.err("rm: \(file): Is a directory\n")
                status = 1
                continue
            }
            do { try FileManager.default.removeItem(atPath: host) } catch {
                try await io.err("rm: \(file): Permission denied\n")
                status = 1
            }
        }
        return status
    }

    /// `cp [-r] [-f] SRC… DEST` and `mv SRC… DEST`; into DEST when it is a directory.
    static let cp: Command = { argv, context, io in try await copyOrMove(argv, context, io, move: false) }
    static let mv: Command = { argv, context, io in try await copyOrMove(argv, context, io, move: true) }

    private static func copyOrMove(_ argv: [String], _ context: ToolboxContext, _ io: ShellIO, move: Bool) async throws -> Int32 {
        let name = move ? "mv" : "cp"
        let o = try ToolboxOptions(Array(argv.dropFirst()), command: name, flags: move ? "fnv" : "rRfpav")
        guard o.operands.count >= 2, let destination = o.operands.last else {
            try await io.err("\(name): needs 2 arguments\n")
            return 1
        }
        let sources = o.operands.dropLast()
        let intoDirectory = context.files.isDirectory(context.absolute(destination))
        if sources.count > 1, !intoDirectory {
            try await io.err("\(name): '\(destination)' is not a directory\n")
            return 1
        }
        var status: Int32 = 0
        for source in sources {
            let from = context.absolute(source)
            let name_ = from.split(separator: "/").last.map(String.init) ?? source
            let to = intoDirectory ? context.absolute(destination) + "/" + name_ : context.absolute(destination)
            guard context.files.exists(from), let fromHost = try? context.files.hostPath(from), let toHost = try? context.files.hostPath(to) else {
                try await io.err("\(name): \(source): No such file or directory\n")
                status = 1
                continue
            }
            if !move, context.files.isDirectory(from), !(o.has("r") || o.has("R") || o.has("a")) {
                try await io.err("cp: \(source): Is a directory (use -r)\n")
                status = 1
                continue
            }
            if fromHost == toHost { continue }
            do {
                if context.files.exists(to) { try FileManager.default.removeItem(atPath: toHost) }
                if move { try FileManager.default.moveItem(atPath: fromHost, toPath: toHost) } else { try FileManager.default.copyItem(atPath: fromHost, toPath: toHost) }
            } catch {
                try await io.err("\(name): \(destination): No such file or directory\n")
                status = 1
            }
        }
        return status
    }
}
