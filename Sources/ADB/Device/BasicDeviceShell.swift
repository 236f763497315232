import Foundation

/// A small device shell over a `DeviceFileSystem`: `echo`, `cat`, `ls`, `rm`, `mkdir`, `sleep`,
/// `true`, `false`, `exit`, `pwd`, `getprop`, `sh -c`, with `;`, `&&`, `||` and `|`.
/// Unknown commands answer as Android's shell does: `… not found`, exit 127.
/// The virtual phone builds its own, larger shell on `ShellSyntax`; this one is enough for the
/// device endpoint to be tested against the real adb.
public struct BasicDeviceShell: DeviceShell {
    public let files: DeviceFileSystem
    public let properties: [String: String]

    public init(files: DeviceFileSystem, properties: [String: String] = [:]) {
        self.files = files
        self.properties = properties
    }

    public func run(_ commandLine: String, io: ShellIO) async -> Int32 {
        await ShellSyntax.run(commandLine, io: io) { commands, io in await runPipeline(commands, io: io) }
    }

    private func runPipeline(_ commands: [[String]], io: ShellIO) async -> Int32 {
        var input: [UInt8]? = nil
        var status: Int32 = 0
        for (index, argv) in commands.enumerated() {
            let last = index == commands.count - 1
            let collected = Collector()
            let stdin: AsyncStream<[UInt8]>
            if let input {
                stdin = AsyncStream {
                    $0.yield(input); $0.finish()
                }
            } else {
                stdin = io.stdin
            }
            let stageIO =
                last
                ? ShellIO(stdout: io.stdout, stderr: io.stderr, stdin: stdin)
                : ShellIO(stdout: { await collected.append($0) }, stderr: io.stderr, stdin: stdin)
            status = await runCommand(argv, io: stageIO)
            input = await collected.bytes
        }
        return status
    }

    private actor Collector {
        var bytes: [UInt8] = []
        func append(_ b: [UInt8]) { bytes += b }
    }

    /// Applies the redirections our own callers use: `>&2`, `2>&1`, `2>/dev/null`, `>/dev/null`,
    /// `> FILE` and `>> FILE`.
    /// Applies the redirections in `argv`. `finish` writes a redirected stdout to its file and
    /// says whether that worked (the shell reports a file it cannot create, as sh does).
    private func redirecting(_ argv: [String], io: ShellIO) async -> (argv: [String], io: ShellIO, finish: @Sendable () async -> Bool)? {
        var words: [String] = []
        var io = io
        let original = io
        let sink = Collector()
        var target: (path: String, append: Bool)?
        var index = 0
        while index < argv.count {
            let word = argv[index]
            switch word {
            case ">&2", "1>&2": io.stdout = original.stderr
            case "2>&1": io.stderr = original.stdout
            case "2>/dev/null": io.stderr = { _ in }
            case ">/dev/null", "1>/dev/null": io.stdout = { _ in }
            case ">", ">>", "1>":
                guard index + 1 < argv.count else {
                    try? await original.err("/system/bin/sh: syntax error: newline unexpected\n")
                    return nil
                }
                index += 1
                target = (argv[index], word == ">>")
            default:
                if word.hasPrefix(">>") { target = (String(word.dropFirst(2)), true) } else if word.hasPrefix(">"), word.count > 1 { target = (String(word.dropFirst()), false) } else { words.append(word) }
            }
            index += 1
        }
        guard let target else { return (words, io, { true }) }
        guard let hostPath = try? files.hostPath(target.path) else { return nil }
        if target.path == "/dev/null" {
            io.stdout = { _ in }
            return (words, io, { true })
        }
        io.stdout = { await sink.append($0) }
        let append = target.append
        return (
            words, io,
            {
                let bytes = await sink.bytes
                if append, let handle = FileHandle(forWritingAtPath: hostPath) {
                    handle.seekToEndOfFile()
                    handle.write(Data(bytes))
                    try? handle.close()
                    return true
                }
                if FileManager.default.createFile(atPath: hostPath, contents: Data(bytes)) { return true }
                try? await original.err("/system/bin/sh: can't create \(target.path): No such file or directory\n")
                return false
            }
        )
    }

    private func runCommand(_ argv: [String], io: ShellIO) async -> Int32 {
        guard let (argv, io, finish) = await redirecting(argv, io: io) else { return 1 }
        let status = await runSimpleCommand(argv, io: io)
        return await finish() ? status : 1
    }

    private func runSimpleCommand(_ argv: [String], io: ShellIO) async -> Int32 {
        guard let name = argv.first else { return 0 }
        let args = Array(argv.dropFirst())
        do {
            switch name {
            case "echo":
                var words = args
                var newline = true
                if words.first == "-n" { newline = false; words.removeFirst() }
                try await io.out(words.joined(separator: " ") + (newline ? "\n" : ""))
                return 0
            case "true": return 0
            case "false": return 1
            case "exit": return Int32(args.first.flatMap { Int($0) }.map { $0 & 0xff } ?? 0)
            case "pwd":
                try await io.out("/\n")
                return 0
            case "sleep":
                let seconds = args.first.flatMap(Double.init) ?? 0
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                return 0
            case "getprop":
                if let key = args.first {
                    try await io.out((properties[key] ?? "") + "\n")
                } else {
                    for (k, v) in properties.sorted(by: { $0.key < $1.key }) { try await io.out("[\(k)]: [\(v)]\n") }
                }
                return 0
            case "cat": return try await cat(args, io: io)
            case "ls": return try await ls(args, io: io)
            case "rm": return try await rm(args, io: io)
            case "mkdir": return try await mkdir(args, io: io)
            case "sh":
                if args.count >= 2, args[0] == "-c" { return await run(args[1], io: io) }
                try await io.err("sh: only `sh -c COMMAND` is supported\n")
                return 2
            default:
                try await io.err("/system/bin/sh: \(name): not found\n")
                return 127
            }
        } catch {
            return 1
        }
    }

    private func cat(_ args: [String], io: ShellIO) async throws -> Int32 {
        if args.isEmpty {
            for await chunk in io.stdin { try await io.stdout(chunk) }
            return 0
        }
        var status: Int32 = 0
        for path in args {
            guard let hostPath = try? files.hostPath(path), let handle = FileHandle(forReadingAtPath: hostPath),
                files.stat(path, follow: true).isRegularFile
            else {
                try await io.err("cat: \(path): No such file or directory\n")
                status = 1
                continue
            }
            defer { try? handle.close() }
            while let chunk = try handle.read(upToCount: 256 * 1024), !chunk.isEmpty {
                try await io.stdout(Array(chunk))
            }
        }
        return status
    }

    private func ls(_ args: [String], io: ShellIO) async throws -> Int32 {
        let paths = args.filter { !$0.hasPrefix("-") }
        var status: Int32 = 0
        for path in paths.isEmpty ? ["/"] : paths {
            let s = files.stat(path, follow: true)
            guard s.exists else {
                try await io.err("ls: \(path): No such file or directory\n")
                status = 1
                continue
            }
            if s.isDirectory, let hostPath = try? files.hostPath(path) {
                let names = ((try? FileManager.default.contentsOfDirectory(atPath: hostPath)) ?? []).sorted()
                if !names.isEmpty { try await io.out(names.joined(separator: "\n") + "\n") }
            } else {
                try await io.out(path + "\n")
            }
        }
        return status
    }

    private func rm(_ args: [String], io: ShellIO) async throws -> Int32 {
        let force = args.contains { $0.hasPrefix("-") && $0.contains("f") }
        let recursive = args.contains { $0.hasPrefix("-") && ($0.contains("r") || $0.contains("R")) }
        var status: Int32 = 0
        for path in args where !path.hasPrefix("-") {
            let s = files.stat(path, follow: false)
            if !s.exists {
                if !force {
                    try await io.err("rm: \(path): No such file or directory\n")
                    status = 1
                }
                continue
            }
            if s.isDirectory, !recursive {
                try await io.err("rm: \(path): is a directory\n")
                status = 1
                continue
            }
            do { try FileManager.default.removeItem(atPath: try files.hostPath(path)) } catch {
                try await io.err("rm: \(path): \(FileError.reason(error))\n")
                status = 1
            }
        }
        return status
    }

    private func mkdir(_ args: [String], io: ShellIO) async throws -> Int32 {
        let parents = args.contains("-p")
        var status: Int32 = 0
        for path in args where !path.hasPrefix("-") {
            if files.stat(path, follow: true).exists {
                if !parents {
                    try await io.err("mkdir: '\(path)': File exists\n")
                    status = 1
                }
                continue
            }
            do {
                try FileManager.default.createDirectory(atPath: try files.hostPath(path), withIntermediateDirectories: parents)
            } catch {
                try await io.err("mkdir: '\(path)': No such file or directory\n")
                status = 1
            }
        }
        return status
    }
}
