import NIOCore
import NIOPosix

/// ADB packets over a TCP connection (`adb connect`, `adb tcpip`, the emulator, our device endpoint).
public final class TCPPacketTransport: ADBPacketTransport {
    let channel: Channel
    private let inbound: PullInboundHandler<ADBMessage>
    public let peerDescription: String

    /// Wraps a connected channel whose pipeline is empty and whose auto-read is off.
    init(channel: Channel) throws {
        self.channel = channel
        let inbound = PullInboundHandler<ADBMessage>()
        self.inbound = inbound
        self.peerDescription = channel.remoteAddress.map(Self.describe) ?? "tcp peer"
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(ADBMessageDecoder()))
        try channel.pipeline.syncOperations.addHandler(inbound)
    }

    /// Connects to `host:port`, failing after `timeout`.
    public static func connect(
        host: String, port: Int, timeout: Duration = .seconds(10),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> TCPPacketTransport {
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(.nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000))
                .channelOption(.autoRead, value: false)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: host, port: port).get()
            return try await channel.eventLoop.submit { try TCPPacketTransport(channel: channel) }.get()
        } catch let error as ADBError {
            throw error
        } catch {
            throw ADBError.connectionClosed("cannot connect to \(host):\(port): \(error)")
        }
    }

    public func send(_ message: ADBMessage, checksum: Bool) {
        var buffer = channel.allocator.buffer(capacity: ADBProtocol.headerSize + message.payload.count)
        buffer.writeBytes(message.header(withChecksum: checksum).bytes)
        buffer.writeBytes(message.payload)
        channel.writeAndFlush(buffer, promise: nil)
    }

    public func receive() async throws -> ADBMessage? {
        let inbound = self.inbound
        do {
            // Cancelling a receive closes the connection: a half-read packet cannot be resumed.
            let channel = self.channel
            return try await withTaskCancellationHandler {
                try await inbound.next()
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch let error as ADBError {
            throw error
        } catch let error as ByteToMessageDecoderError {
            throw ADBError.malformedPacket("\(error)")
        } catch {
            throw ADBError.connectionClosed("\(peerDescription): \(error)")
        }
    }

    public func close() {
        channel.close(promise: nil)
    }

    static func describe(_ address: SocketAddress) -> String {
        if let ip = address.ipAddress, let port = address.port { return "\(ip):\(port)" }
        return "\(address)"
    }
}
