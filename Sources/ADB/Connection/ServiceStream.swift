/// A byte stream to one service on a device (`shell:…`, `sync:`, `exec:…`), whether it is
/// multiplexed over an ADB connection or a socket through the adb server.
///
/// One reader and one writer at a time.
public protocol ServiceStream: Sendable {
    /// The next chunk of bytes, or nil once the device closed the stream.
    func read() async throws -> [UInt8]?
    /// Sends bytes, waiting as flow control requires.
    func write(_ bytes: [UInt8]) async throws
    /// Closes both directions. Safe to call more than once.
    func close() async
}

extension ServiceStream {
    /// Reads until the device closes the stream. `limit` guards against a device that never stops.
    public func readAll(limit: Int = 1 << 30) async throws -> [UInt8] {
        var out: [UInt8] = []
        while let chunk = try await read() {
            out.append(contentsOf: chunk)
            if out.count > limit { throw ADBError.protocolViolation("stream sent more than \(limit) bytes") }
        }
        return out
    }
}

/// A source of service streams: a direct ADB connection or a device behind the adb server.
public protocol ADBTarget: Sendable {
    /// Opens `service` (without the trailing NUL).
    func open(_ service: String) async throws -> any ServiceStream
    /// The features both ends support.
    var sharedFeatures: Set<String> { get async }
    /// The device's banner, when known.
    var deviceBanner: ADBBanner? { get async }
}

/// Runs `body` with `stream` and closes the stream on every path (value, error, cancellation)
/// before returning: no close is left to a detached task.
public func withClosing<S: ServiceStream, T>(_ stream: S, _ body: (S) async throws -> T) async throws -> T {
    let value: T
    do {
        value = try await body(stream)
    } catch {
        await stream.close()
        throw error
    }
    await stream.close()
    return value
}

extension ADBTarget {
    /// Opens `service`, runs `body` with the stream, and closes it on every path.
    public func withStream<T>(_ service: String, _ body: (any ServiceStream) async throws -> T) async throws -> T {
        let stream = try await open(service)
        return try await withClosing(stream) { try await body($0) }
    }
}
