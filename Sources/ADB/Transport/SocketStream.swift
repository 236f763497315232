import NIOCore
import NIOPosix

/// A plain TCP byte stream as a `ServiceStream`: what a service looks like through the adb
/// server, once `host:transport:…` has switched the socket over.
public final class SocketStream: ServiceStream {
    let channel: Channel
    private let inbound: PullInboundHandler<ByteBuffer>
    public let peerDescription: String

    init(channel: Channel) throws {
        self.channel = channel
        self.inbound = PullInboundHandler<ByteBuffer>()
        self.peerDescription = channel.remoteAddress.map(Self.describe) ?? "tcp peer"
        try channel.pipeline.syncOperations.addHandler(inbound)
    }

    public static func connect(host: String, port: Int, timeout: Duration = .seconds(10)) async throws -> SocketStream {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(timeout.components.seconds))
                .channelOption(.autoRead, value: false)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: host, port: port).get()
            return try await channel.eventLoop.submit { try SocketStream(channel: channel) }.get()
        } catch {
            throw ADBError.connectionClosed("cannot connect to \(host):\(port): \(error)")
        }
    }

    public func read() async throws -> [UInt8]? {
        let inbound = self.inbound
        let channel = self.channel
        do {
            let buffer = try await withTaskCancellationHandler {
                try await inbound.next()
            } onCancel: {
                channel.close(promise: nil)
            }
            return buffer.map { Array($0.readableBytesView) }
        } catch {
            throw ADBError.connectionClosed("\(peerDescription): \(error)")
        }
    }

    public func write(_ bytes: [UInt8]) async throws {
        do {
            try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get()
        } catch {
            throw ADBError.connectionClosed("\(peerDescription): \(error)")
        }
    }

    public func close() async {
        try? await channel.close()
    }

    static func describe(_ address: SocketAddress) -> String {
        if let ip = address.ipAddress, let port = address.port { return "\(ip):\(port)" }
        return "\(address)"
    }
}
