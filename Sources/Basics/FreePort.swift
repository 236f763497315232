import Foundation

/// A TCP port on 127.0.0.1 that nothing listens on now, outside 5555–5585 (the adb server probes
/// those for emulators). The port is free when returned; whoever binds it next gets it.
public func freeLoopbackPort() throws(FreePortError) -> Int {
    for _ in 0..<50 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { break }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { continue }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        if !(5555...5585).contains(port) { return port }
    }
    throw FreePortError()
}

public struct FreePortError: Error, CustomStringConvertible {
    public var description: String { "no free TCP port on 127.0.0.1 (are all local ports in use?)" }
}
