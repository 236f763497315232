import AsyncHTTPClient
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1

/// A reply with its headers, as a browser would see it (redirects not followed).
struct WebReply: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: Data
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: Any? { try? JSONSerialization.jsonObject(with: body) }
    func header(_ name: String) -> String? { headers.first(name: name) }
}

/// Talks to a daemon the way a browser does: cookies and origins given by the test, redirects
/// reported instead of followed.
struct WebClient: Sendable {
    let http: HTTPClient
    let port: Int

    var origin: String { "http://127.0.0.1:\(port)" }

    func call(
        _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], form: String? = nil, json: Data? = nil
    ) async throws -> WebReply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form))
        }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: json))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        return WebReply(status: Int(response.status.code), headers: response.headers, body: Data(buffer.readableBytesView))
    }
}

/// A browser-like client for the daemon at `port`, always shut down.
func withWebClient<T: Sendable>(port: Int, _ body: (WebClient) async throws -> T) async throws -> T {
    let http = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
    do {
        let value = try await body(WebClient(http: http, port: port))
        try await http.shutdown()
        return value
    } catch {
        try? await http.shutdown()
        throw error
    }
}

/// Sends `request` (header lines, no body) over a plain TCP connection and returns the status
/// line of the answer: for requests no HTTP client will make, such as a WebSocket handshake with
/// chosen Origin headers.
func rawStatusLine(port: Int, request: [String]) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    let text = Array((request.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    guard write(fd, text, text.count) == text.count else { throw POSIXError(.EIO) }
    var buffer = [UInt8](repeating: 0, count: 4096)
    var received: [UInt8] = []
    while !received.contains(UInt8(ascii: "\n")) {
        let n = read(fd, &buffer, buffer.count)
        guard n > 0 else { break }
        received += buffer[0..<n]
    }
    return String(decoding: received, as: UTF8.self).split(separator: "\r\n").first.map(String.init) ?? ""
}
