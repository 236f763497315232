/// Something that carries whole ADB packets to and from one peer: a TCP socket, a USB
/// interface's bulk endpoints.
///
/// `send` queues and returns at once, in order; memory stays bounded because the protocol allows
/// one WRTE in flight per stream. `receive` is called by one reader at a time and reads from the
/// peer only when asked, so a slow consumer slows the peer down.
public protocol ADBPacketTransport: Sendable {
    /// Queues `message` for the peer. `checksum` writes the payload sum (needed while the peer may
    /// be at protocol version 0x01000000).
    func send(_ message: ADBMessage, checksum: Bool)
    /// The next packet from the peer, or nil when the peer closed the connection cleanly.
    /// Throws `ADBError.malformedPacket` on bytes that are not ADB.
    func receive() async throws -> ADBMessage?
    /// Closes the connection; pending and later `receive` calls end.
    func close()
    /// Human-readable peer name, e.g. `127.0.0.1:5555` or `usb:1-1.2`.
    var peerDescription: String { get }
}
