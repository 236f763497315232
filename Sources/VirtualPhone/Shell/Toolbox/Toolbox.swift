import ADB
import Foundation

/// The toybox commands phone tools use, each in its own file, with the options they use; an
/// option a command does not know exits 2 with `not supported` rather than being ignored.
enum Toolbox {
    typealias Command = @Sendable ([String], ToolboxContext, ShellIO) async throws -> Int32

    static let commands: [String: Command] = [
        "echo": echo, "printf": printf, "cat": cat, "head": headTail("head"), "tail": headTail("tail"), "ls": ls,
        "seq": seq, "tr": tr, "cut": cut, "sed": sed, "grep": grep, "egrep": grep, "fgrep": grep, "wc": wc, "sort": sort, "uniq": uniq,
        "env": env, "touch": touch, "cp": cp, "mv": mv, "rm": rm, "mkdir": mkdir, "rmdir": rmdir, "ps": ps, "df": df, "date": date,
        "sleep": sleep, "logcat": logcat, "basename": basename, "dirname": dirname, "xargs": xargs, "whoami": whoami, "id": id
    ]

    static var names: Set<String> { Set(commands.keys) }

    /// Runs a toybox command, or returns nil when there is none by that name.
    static func run(_ argv: [String], context: ToolboxContext, io: ShellIO) async throws -> Int32? {
        guard let command = commands[argv[0]] else { return nil }
        return try await command(argv, context, io)
    }
}

/// What a toybox command sees: the file system, the working directory, its environment, and the
/// phone (for the clock, virtual files and `xargs`' commands).
struct ToolboxContext: Sendable {
    let files: DeviceFileSystem
    let cwd: String
    let environment: [String: String]
    let host: any ShellHost

    func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : (cwd == "/" ? "/" : cwd + "/") + path }

    func hostPath(_ path: String) -> String? { try? files.hostPath(absolute(path)) }

    func read(_ path: String) async -> [UInt8]? {
        let p = absolute(path)
        if p == "/dev/null" { return [] }
        if let bytes = await host.virtualFile(p) { return bytes }
        guard !files.isDirectory(p), let h = try? files.hostPath(p), let data = FileManager.default.contents(atPath: h) else { return nil }
        return Array(data)
    }

    /// The bytes of the named files (stdin when none or `-`), complaining about missing ones.
    func inputs(_ paths: [String], _ name: String, io: ShellIO) async throws -> (bytes: [UInt8], status: Int32) {
        var out: [UInt8] = []
        var status: Int32 = 0
        for path in paths.isEmpty ? ["-"] : paths {
            if path == "-" {
                out += await Self.readAll(io.stdin)
            } else if let bytes = await read(path) {
                out += bytes
            } else {
                try await io.err("\(name): \(path): \(files.isDirectory(absolute(path)) ? "Is a directory" : "No such file or directory")\n")
                status = 1
            }
        }
        return (out, status)
    }

    static func readAll(_ stream: AsyncStream<[UInt8]>) async -> [UInt8] {
        var bytes: [UInt8] = []
        for await chunk in stream { bytes += chunk }
        return bytes
    }
}

/// Options in toybox's style: `-abc` clusters, `-n 5` / `-n5` values, `--` ends options.
struct ToolboxOptions {
    var flags: Set<Character> = []
    var values: [Character: String] = [:]
    var operands: [String] = []

    /// `flags` take no value, `valued` take one; anything else is refused as not supported.
    init(_ args: [String], command: String, flags allowed: String, valued: String = "", stopAtOperand: Bool = false) throws(ShellError) {
        var i = 0
        var optionsDone = false
        while i < args.count {
            let a = args[i]
            i += 1
            if optionsDone || a == "-" || !a.hasPrefix("-") {
                operands.append(a)
                if stopAtOperand { optionsDone = true }
                continue
            }
            if a == "--" { optionsDone = true; continue }
            var chars = Array(a.dropFirst())
            while !chars.isEmpty {
                let c = chars.removeFirst()
                if valued.contains(c) {
                    if !chars.isEmpty {
                        values[c] = String(chars); chars = []
                    } else if i < args.count {
                        values[c] = args[i]; i += 1
                    } else {
                        throw .expansion("\(command): option -\(c) needs a value")
                    }
                    flags.insert(c)
                } else if allowed.contains(c) {
                    flags.insert(c)
                } else {
                    throw .notSupported("\(command) -\(c)")
                }
            }
        }
    }

    func has(_ c: Character) -> Bool { flags.contains(c) }
}

extension DeviceFileSystem {
    func exists(_ path: String) -> Bool { stat(path, follow: false).exists }
    func isDirectory(_ path: String) -> Bool { stat(path, follow: true).isDirectory }

    /// The names in a directory (without `.` and `..`), unsorted; empty when it is none.
    func list(_ path: String) -> [String] {
        guard let host = try? hostPath(path) else { return [] }
        return (try? FileManager.default.contentsOfDirectory(atPath: host)) ?? []
    }
}

/// Lines of text as toybox splits them: the last line need not end in a newline.
func toolboxLines(_ bytes: [UInt8]) -> [String] {
    var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.last == "" { lines.removeLast() }
    return lines
}
