import Foundation
@testable import ADB

/// A tiny raw-socket "device" on 127.0.0.1: it accepts connections on a thread of its own and
/// runs `script` on each socket, so tests can meet peers that misbehave in exact ways (never
/// answer OPEN, stop inside a header, answer HTTP). `stop()` closes everything it opened.
final class FakeDevice: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var clients: [Int32] = []
    private var stopped = false
    private let exited = DispatchSemaphore(value: 0)

    init(script: @escaping @Sendable (_ socket: Int32) -> Void) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 8) == 0 else {
            close(listener)
            throw ADBError.io("the fake device cannot listen")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 { break }
                let keep = lock.withLock { () -> Bool in
                    if stopped { return false }
                    clients.append(client)
                    return true
                }
                guard keep else { close(client); break }
                let worker = Thread { script(client) }
                worker.start()
            }
            exited.signal()
        }
        thread.start()
    }

    /// Stops accepting and shuts every accepted socket down (a script blocked on it returns).
    func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        exited.wait()
        close(listener)
        for client in lock.withLock({ clients }) { shutdown(client, Int32(SHUT_RDWR)) }
    }

    deinit { stop() }

    // MARK: what scripts use

    static func write(_ socket: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(socket, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return }
            offset += n
        }
    }

    /// Reads one whole ADB packet (nil at the end or on garbage).
    static func readPacket(_ socket: Int32) -> ADBMessage? {
        var decoder = ADBPacketDecoder()
        while true {
            guard let step = try? decoder.read({ recv(socket, $0.baseAddress, $0.count, 0) }), step.count > 0 else { return nil }
            if let message = step.message { return message }
        }
    }

    /// Reads and drops everything until the peer hangs up.
    static func drain(_ socket: Int32) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while buffer.withUnsafeMutableBytes({ recv(socket, $0.baseAddress, $0.count, 0) }) > 0 {}
    }

    /// Answers the host's CNXN as a device that asks for no authentication.
    static func completeHandshake(_ socket: Int32) -> Bool {
        guard let cnxn = readPacket(socket), cnxn.command == .cnxn else { return false }
        let banner = Array("device::ro.product.model=Fake;features=shell_v2".utf8)
        write(socket, ADBMessage(.cnxn, ADBProtocol.version, UInt32(ADBProtocol.maxPayload), payload: banner).encoded())
        return true
    }
}
