import ADB
import Foundation

/// A file a redirection writes to, open for the command's lifetime.
final class ShellFileSink: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()

    init(handle: FileHandle) { self.handle = handle }

    func write(_ bytes: [UInt8]) throws {
        try lock.withLock { try handle.write(contentsOf: bytes) }
    }

    func close() { lock.withLock { try? handle.close() } }
}

extension ShellInterpreter {
    /// Applies `<`, `>`, `>>`, `>|`, `n>&m` and `n<&m` in order to fds 0–2; returns nil (after
    /// saying why on stderr) when a file cannot be opened.
    func apply(_ redirects: [ShellRedirect], state: inout ShellState, io original: ShellIO, opened: inout [ShellFileSink]) async throws -> ShellIO? {
        var io = original
        for r in redirects {
            guard (0...2).contains(r.fd) else { throw ShellError.notSupported("redirection of file descriptor \(r.fd)") }
            let target = try await expandWord(r.target, state: &state, io: io)
            switch r.operation {
            case .read:
                guard r.fd == 0 else { throw ShellError.notSupported("input redirection of file descriptor \(r.fd)") }
                let path = state.absolute(target)
                guard let bytes = await readFile(path) else {
                    try? await io.err("sh: can't open \(target): No such file or directory\n")
                    return nil
                }
                io.stdin = AsyncStream {
                    $0.yield(bytes); $0.finish()
                }
            case .write, .append:
                let writer: @Sendable ([UInt8]) async throws -> Void
                if target == "/dev/null" {
                    writer = { _ in }
                } else {
                    let path = state.absolute(target)
                    guard let host = try? files.hostPath(path), !files.isDirectory(path),
                        r.operation == .append
                            ? (files.exists(path) || FileManager.default.createFile(atPath: host, contents: nil))
                            : FileManager.default.createFile(atPath: host, contents: nil),
                        let handle = FileHandle(forWritingAtPath: host)
                    else {
                        try? await io.err("sh: can't create \(target): \(files.isDirectory(path) ? "Is a directory" : "No such file or directory")\n")
                        return nil
                    }
                    if r.operation == .append { _ = try? handle.seekToEnd() }
                    let sink = ShellFileSink(handle: handle)
                    opened.append(sink)
                    writer = { try sink.write($0) }
                }
                if r.fd == 1 {
                    io.stdout = writer
                } else if r.fd == 2 {
                    io.stderr = writer
                } else {
                    throw ShellError.notSupported("output redirection of standard input")
                }
            case .duplicateOutput:
                switch (r.fd, target) {
                case (1, "1"), (2, "2"): break
                case (1, "2"): io.stdout = io.stderr
                case (2, "1"): io.stderr = io.stdout
                default: throw ShellError.notSupported("\(r.fd)>&\(target)")
                }
            case .duplicateInput:
                guard r.fd == 0, target == "0" else { throw ShellError.notSupported("\(r.fd)<&\(target)") }
            }
        }
        return io
    }

    /// A file's bytes by device path (`/dev/null` is empty; the phone's virtual files count).
    func readFile(_ path: String) async -> [UInt8]? {
        if path == "/dev/null" { return [] }
        if let bytes = await host.virtualFile(path) { return bytes }
        guard !files.isDirectory(path), let host = try? files.hostPath(path), let data = FileManager.default.contents(atPath: host) else { return nil }
        return Array(data)
    }
}
