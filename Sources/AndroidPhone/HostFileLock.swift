import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An advisory lock (`flock`) on a file of this host, named after a phone, so that processes
/// typing into the same phone take turns (switching IMEs and typing interleaved would lose
/// text). The file lives in `$XDG_RUNTIME_DIR`, else the temporary directory, with the user's id
/// in its name. Each `holding` opens the file anew, so two holders in one process exclude each
/// other too; the kernel drops the lock when a process dies.
struct HostFileLock: Sendable {
    let path: String

    static func forPhone(_ serial: String) -> HostFileLock {
        let safe = String(serial.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || $0 == "." || $0 == "-" ? Character($0) : "_" })
        let environment = ProcessInfo.processInfo.environment
        let directory = environment["XDG_RUNTIME_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? NSTemporaryDirectory()
        return HostFileLock(path: URL(fileURLWithPath: directory).appendingPathComponent("tether-\(getuid())-type-\(safe).lock").path)
    }

    /// Runs `body` while holding the lock, waiting up to `timeout` for another holder (polling,
    /// so that cancellation ends the wait). A lock file that cannot be opened is an error that
    /// names it.
    func holding<T: Sendable>(timeout: Duration, _ body: @Sendable () async throws -> T) async throws -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw PhoneError.invalidArgument(
                "cannot open the typing lock file \(path) (\(String(cString: strerror(errno)))); "
                    + "check that its directory is writable, or set XDG_RUNTIME_DIR to one that is")
        }
        defer { close(fd) }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var delay = Duration.milliseconds(2)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw PhoneError.invalidArgument("cannot lock \(path) (\(String(cString: strerror(errno))))")
            }
            guard clock.now < deadline else {
                throw PhoneError.timeout(action: "waiting for another tether process typing into this phone (lock file \(path))", after: timeout)
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .milliseconds(50))
        }
        defer { flock(fd, LOCK_UN) }
        return try await body()
    }
}
