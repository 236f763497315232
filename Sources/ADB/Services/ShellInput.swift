#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation
import Synchronization

/// A shell command's standard input from a local file descriptor, decided as `adb shell` does:
/// a pipe, a file or a socket is forwarded until its end and then closed; anything else (a
/// terminal, `/dev/null`) is closed at once, so a command that reads stdin ends instead of
/// waiting forever.
public struct ShellInput: Sendable {
    public let descriptor: Int32

    public init(descriptor: Int32 = STDIN_FILENO) {
        self.descriptor = descriptor
    }

    /// True when the descriptor is a pipe, a regular file or a socket.
    public var isForwarded: Bool {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return false }
        let kind = info.st_mode & S_IFMT
        return kind == S_IFIFO || kind == S_IFREG || kind == S_IFSOCK
    }

    /// Sends the input to `session` until it ends, then closes the command's stdin. Returns when
    /// cancelled too (the command may end before its input does).
    public func forward(to session: ShellSession) async throws {
        if isForwarded {
            let reader = DescriptorReader(descriptor)
            while let chunk = try await reader.next() {
                try await session.writeStdin(chunk)
            }
        }
        try await session.closeStdin()
    }
}

/// Reads a descriptor off the cooperative pool, polling so a cancelled wait ends promptly.
final class DescriptorReader: Sendable {
    private let descriptor: Int32
    private let cancelled = Mutex(false)

    init(_ descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// The next chunk; nil at the end of the input or when the task is cancelled.
    func next() async throws -> [UInt8]? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, Error>) in
                // A blocking read: on a thread of its own (see TCPPacketTransport.connect).
                Thread { [self] in continuation.resume(with: Result { try readChunk() }) }.start()
            }
        } onCancel: {
            cancelled.withLock { $0 = true }
        }
    }

    private func readChunk() throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !cancelled.withLock({ $0 }) {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 100)
            if ready == 0 || (ready < 0 && errno == EINTR) { continue }
            let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if n > 0 { return Array(buffer[..<n]) }
            if n == 0 { return nil }
            if errno == EINTR || errno == EAGAIN { continue }
            throw ADBError.io("reading standard input failed: \(FileError.systemReason(errno))")
        }
        return nil
    }
}
