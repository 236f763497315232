#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation
import NIOCore
import Synchronization

/// ADB packets over a connected TCP socket, written from the sender's own thread and read by a
/// thread of the transport's own.
///
/// This is the latency path to a phone over TCP (and to the virtual phone). A packet goes out in
/// the `send` call itself, where an event loop would first have to be woken to write it, and the
/// reader thread hands a packet straight to the waiting receiver. On a small machine one thread
/// wake-up costs about as much as the loopback round trip itself, and a tap is a few of them
/// (docs/benchmarks.md).
///
/// The reader keeps reading while fewer than `readAhead` packets wait to be taken, so a consumer
/// that stops taking them stops the peer (TCP fills up) instead of growing memory.
public final class TCPPacketTransport: ADBPacketTransport, @unchecked Sendable {
    public let peerDescription: String
    /// The largest payload accepted from the peer: what we announce in our CNXN.
    let maxPayload: Int
    let readAhead: Int

    /// Closed only in deinit, after the reader thread has ended and nobody can write: a descriptor
    /// number is never reused under a late write. `end()` shuts the socket down instead.
    private let fd: Int32
    /// The socket, for tests that read its options back.
    var socketDescriptor: Int32 { fd }
    /// Room the queue of packets read ahead holds (for tests).
    var queueStorage: Int {
        condition.lock()
        defer { condition.unlock() }
        return messages.capacity
    }
    /// Held across a whole packet's write, so packets from two senders never interleave.
    private let writeLock = Mutex(())
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var messages = CircularBuffer<ADBMessage>()
    private var waiter: CheckedContinuation<ADBMessage?, Error>?
    private var ended: Result<Void, ADBError>?

    static let keepAliveIdleSeconds = 10
    static let keepAliveIntervalSeconds = 5
    static let keepAliveProbes = 3
    static let unacknowledgedLimitMilliseconds = 25_000
    /// TCP_USER_TIMEOUT (Linux 2.6.37), which Glibc's module map does not export.
    static let tcpUserTimeout: Int32 = 18

    /// Takes over `fd`, a connected stream socket, and starts reading it. A write the peer does
    /// not take within `writeTimeout` ends the connection.
    init(
        connected fd: Int32, peerDescription: String, maxPayload: Int = ADBProtocol.maxPayload,
        readAhead: Int = 64, writeTimeout: Duration = .seconds(60)
    ) {
        self.fd = fd
        self.peerDescription = peerDescription
        self.maxPayload = maxPayload
        self.readAhead = max(1, readAhead)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        // A phone that vanishes from Wi-Fi sends no FIN: keepalive probes notice it within about
        // 25 s, so a stream read without a timeout (`getevent`) ends instead of waiting forever.
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, socklen_t(MemoryLayout<Int32>.size))
        // Keepalive is not probed while sent data waits for its ACK; then retransmission decides,
        // which takes about 15 minutes. The user timeout ends such a connection in the same 25 s,
        // and bounds how long a send can block on a peer that went away.
        for (option, value) in [
            (TCP_KEEPIDLE, Self.keepAliveIdleSeconds), (TCP_KEEPINTVL, Self.keepAliveIntervalSeconds),
            (TCP_KEEPCNT, Self.keepAliveProbes), (Self.tcpUserTimeout, Self.unacknowledgedLimitMilliseconds)
        ] {
            var value = Int32(value)
            setsockopt(fd, Int32(IPPROTO_TCP), option, &value, socklen_t(MemoryLayout<Int32>.size))
        }
        let micros = max(1000, writeTimeout.components.seconds * 1_000_000 + writeTimeout.components.attoseconds / 1_000_000_000_000)
        var limit = timeval(tv_sec: Int(micros / 1_000_000), tv_usec: Int(micros % 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let thread = Thread { [self] in readLoop() }
        thread.name = "tether-adb-read"
        thread.start()
    }

    /// Connects to `host:port` (a name or a numeric address), failing after `timeout`.
    public static func connect(host: String, port: Int, timeout: Duration = .seconds(10)) async throws -> TCPPacketTransport {
        guard (1...65535).contains(port) else { throw ADBError.invalidArgument("port \(port) is out of range") }
        // getaddrinfo and the wait for the connection block, so they run on a thread of their own:
        // not on the cooperative pool, and not on Dispatch's global queue, whose few threads other
        // blocking work may hold.
        let fd: Int32 = try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try connectSocket(host: host, port: port, timeout: timeout) }) }.start()
        }
        return TCPPacketTransport(connected: fd, peerDescription: describe(host: host, port: port))
    }

    public func send(_ message: ADBMessage, checksum: Bool) {
        var bytes = message.header(withChecksum: checksum).bytes
        bytes.append(contentsOf: message.payload)
        let failure: ADBError? = writeLock.withLock { _ in
            bytes.withUnsafeBytes { buffer -> ADBError? in
                var offset = 0
                while offset < buffer.count {
                    let n = Glibc.send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                    if n > 0 {
                        offset += n
                        continue
                    }
                    if n < 0, errno == EINTR { continue }
                    if n < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                        return .connectionClosed("\(peerDescription) stopped reading")
                    }
                    return .connectionClosed("write to \(peerDescription) failed: \(String(cString: strerror(errno)))")
                }
                return nil
            }
        }
        if let failure { end(.failure(failure)) }
    }

    public func receive() async throws -> ADBMessage? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ADBMessage?, Error>) in
                enum Taken { case message(ADBMessage), ended(Result<Void, ADBError>), waiting, busy }
                condition.lock()
                let taken: Taken
                if let message = messages.popFirst() {
                    taken = .message(message)
                    condition.signal()  // the reader may be waiting for room
                } else if let ended {
                    taken = .ended(ended)
                } else if waiter != nil {
                    taken = .busy
                } else {
                    waiter = continuation
                    taken = .waiting
                }
                condition.unlock()
                switch taken {
                case .message(let message): continuation.resume(returning: message)
                case .ended(.success): continuation.resume(returning: nil)
                case .ended(.failure(let error)): continuation.resume(throwing: error)
                case .waiting: break
                case .busy: continuation.resume(throwing: ADBError.invalidArgument("two readers on one connection"))
                }
            }
        } onCancel: {
            // A half-read packet cannot be resumed, so cancelling a receive closes the connection.
            self.end(.failure(.connectionClosed("receive cancelled")))
        }
    }

    public func close() {
        end(.success(()))
    }

    deinit {
        Glibc.close(fd)
    }

    // MARK: the reader thread

    private func readLoop() {
        var decoder = ADBPacketDecoder(maxPayload: maxPayload)
        while true {
            var failure: ADBError?
            let step: (count: Int, message: ADBMessage?)
            do {
                step = try decoder.read { room in
                    while true {
                        let n = Glibc.recv(fd, room.baseAddress, room.count, 0)
                        if n < 0, errno == EINTR { continue }
                        if n < 0 {
                            failure = .connectionClosed("read from \(peerDescription) failed: \(String(cString: strerror(errno)))")
                        }
                        return n
                    }
                }
            } catch {
                return end(.failure(error))
            }
            // A server of another protocol may hang up on what we sent after its first words.
            if let failure { return end(.failure(decoder.foreignPeer ?? failure)) }
            if step.count == 0 {
                // The peer hung up: cleanly between packets, never inside one.
                do { try decoder.end() } catch { return end(.failure(error)) }
                return end(.success(()))
            }
            if let message = step.message, !deliver(message) { return }
        }
    }

    /// Hands `message` to the waiting receiver, or queues it, waiting while the queue is full.
    /// False once the connection has ended.
    private func deliver(_ message: ADBMessage) -> Bool {
        condition.lock()
        while ended == nil, waiter == nil, messages.count >= readAhead { condition.wait() }
        guard ended == nil else {
            condition.unlock()
            return false
        }
        if let taker = waiter {
            waiter = nil
            condition.unlock()
            taker.resume(returning: message)
            return true
        }
        messages.append(message)
        condition.unlock()
        return true
    }

    /// Ends the connection once: a waiting receive learns why, and so do later ones, after any
    /// packets that had already arrived. The socket is shut down, which also ends the reader.
    private func end(_ result: Result<Void, ADBError>) {
        condition.lock()
        guard ended == nil else {
            condition.unlock()
            return
        }
        ended = result
        let taker = waiter
        waiter = nil
        condition.broadcast()
        condition.unlock()
        shutdown(fd, Int32(SHUT_RDWR))
        switch result {
        case .success: taker?.resume(returning: nil)
        case .failure(let error): taker?.resume(throwing: error)
        }
    }

    // MARK: connecting

    static func describe(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// getaddrinfo, then a non-blocking connect to each address in turn, each bounded by `timeout`.
    static func connectSocket(host: String, port: Int, timeout: Duration) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw ADBError.connectionClosed("cannot connect to \(host):\(port): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
            guard fd >= 0 else { lastError = String(cString: strerror(errno)); continue }
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            var result = Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
            if result != 0, errno == EINPROGRESS {
                var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let ready = poll(&poller, 1, max(1, milliseconds))
                if ready == 1 {
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                    result = error == 0 ? 0 : -1
                    errno = error
                } else {
                    result = -1
                    errno = ready == 0 ? ETIMEDOUT : errno
                }
            }
            if result == 0 {
                _ = fcntl(fd, F_SETFL, flags)
                return fd
            }
            lastError = String(cString: strerror(errno))
            Glibc.close(fd)
        }
        throw ADBError.connectionClosed("cannot connect to \(host):\(port): \(lastError)")
    }
}

/// A listening TCP socket whose connections become `TCPPacketTransport`s, accepted on a thread of
/// its own.
final class TCPListener: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let stopped = Mutex(false)
    private let exited = DispatchSemaphore(value: 0)
    private var started = false

    /// Binds `host:port` (port 0 picks a free one) and listens.
    init(host: String, port: Int, backlog: Int32 = 64) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let info = list else {
            throw ADBError.io("cannot listen on \(host):\(port): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
        guard fd >= 0 else { throw ADBError.io("cannot listen on \(host):\(port): \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0, listen(fd, backlog) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw ADBError.io("cannot listen on \(host):\(port): \(reason)")
        }
        self.fd = fd
        self.port = Self.localPort(fd) ?? port
    }

    /// Accepts connections until `close()`, handing each to `accepted` on the accepting thread.
    func start(_ accepted: @escaping @Sendable (TCPPacketTransport) -> Void) {
        started = true
        let thread = Thread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                let failure = errno
                if client >= 0 {
                    _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                    accepted(TCPPacketTransport(connected: client, peerDescription: Self.peerName(client) ?? "tcp peer"))
                    continue
                }
                // Closed by close(); any other failure (a connection aborted before it was taken,
                // no descriptors or memory left for now) passes, so a moment later accept again.
                if stopped.withLock({ $0 }) { break }
                if failure != EINTR && failure != ECONNABORTED { usleep(10_000) }
            }
            exited.signal()
        }
        thread.name = "tether-adb-accept"
        thread.start()
    }

    /// Stops accepting and releases the port before it returns.
    func close() {
        let first = stopped.withLock { was -> Bool in
            defer { was = true }
            return !was
        }
        guard first else { return }
        guard started else {
            Glibc.close(fd)
            return
        }
        // shutdown makes a blocked accept return (EINVAL) on Linux. The descriptor is closed only
        // once the thread has left accept, so its number cannot be reused under it.
        shutdown(fd, Int32(SHUT_RDWR))
        exited.wait()
        Glibc.close(fd)
    }

    private static func localPort(_ fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        return ok ? address(storage).port : nil
    }

    private static func peerName(_ fd: Int32) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) == 0 }
        }
        guard ok else { return nil }
        let (host, port) = address(storage)
        return TCPPacketTransport.describe(host: host, port: port)
    }

    /// The numeric host and the port of an IPv4 or IPv6 address.
    private static func address(_ storage: sockaddr_storage) -> (host: String, port: Int) {
        var storage = storage
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let length = socklen_t(storage.ss_family == sa_family_t(AF_INET6) ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        let status = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &host, socklen_t(host.count), &service, socklen_t(service.count), NI_NUMERICHOST | NI_NUMERICSERV)
            }
        }
        guard status == 0 else { return ("?", 0) }
        return (String(cString: host), Int(String(cString: service)) ?? 0)
    }
}
