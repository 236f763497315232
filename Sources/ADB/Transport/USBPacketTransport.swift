import Dispatch
import Foundation
import Synchronization

/// The two bulk endpoints of an ADB USB interface, as blocking transfers. The real one is
/// `LibUSBBulkPipe`; tests use a fake with the same shape.
public protocol USBBulkPipe: AnyObject, Sendable {
    /// The endpoints' wMaxPacketSize (64 full speed, 512 high speed, 1024 super speed).
    var maxPacketSize: Int { get }
    /// One bulk OUT transfer. An empty array is a zero-length packet.
    func bulkWrite(_ bytes: [UInt8], timeoutMilliseconds: UInt32) throws(ADBError)
    /// One bulk IN transfer of at most `maxLength` bytes; returns what arrived (possibly empty on
    /// timeout).
    func bulkRead(maxLength: Int, timeoutMilliseconds: UInt32) throws(ADBError) -> [UInt8]
    /// Releases the interface and closes the device.
    func close()
    var description: String { get }
}

/// ADB packets over USB bulk endpoints, framed as adb does:
/// - host to device: the 24-byte header as its own transfer, then the payload as a second one,
///   then a zero-length packet when the payload is a non-zero multiple of wMaxPacketSize
///   (the device reads in large fixed requests and would otherwise wait forever);
///   never a transfer for an empty payload;
/// - device to host: a header read, then exactly `data_length` bytes, never more (no ZLP follows
///   a payload that fills whole packets, so a larger request would hang).
public final class USBPacketTransport: ADBPacketTransport, @unchecked Sendable {
    private let pipe: any USBBulkPipe
    private let writer = DispatchQueue(label: "tether.adb.usb.write")
    private let reader = DispatchQueue(label: "tether.adb.usb.read")
    private struct Shared {
        var closed = false
        var writeError: ADBError?
    }
    private let shared = Mutex(Shared())
    /// Touched only on `reader`.
    private var decoder = ADBPacketDecoder()
    /// How long one idle header read waits before checking for close (a getevent stream may be
    /// silent for minutes, so idle time itself is never an error).
    let pollMilliseconds: UInt32
    let transferTimeoutMilliseconds: UInt32

    public var peerDescription: String { pipe.description }

    public init(pipe: any USBBulkPipe, pollMilliseconds: UInt32 = 500, transferTimeoutMilliseconds: UInt32 = 10_000) {
        self.pipe = pipe
        self.pollMilliseconds = pollMilliseconds
        self.transferTimeoutMilliseconds = transferTimeoutMilliseconds
    }

    private var isClosed: Bool { shared.withLock { $0.closed } }

    public func send(_ message: ADBMessage, checksum: Bool) {
        let header = message.header(withChecksum: checksum).bytes
        let payload = message.payload
        let pipe = self.pipe
        let timeout = transferTimeoutMilliseconds
        writer.async { [self] in
            guard !isClosed, shared.withLock({ $0.writeError }) == nil else { return }
            do {
                try pipe.bulkWrite(header, timeoutMilliseconds: timeout)
                if !payload.isEmpty {
                    try pipe.bulkWrite(payload, timeoutMilliseconds: timeout)
                    if payload.count % pipe.maxPacketSize == 0 {
                        try pipe.bulkWrite([], timeoutMilliseconds: timeout)
                    }
                }
            } catch {
                shared.withLock { $0.writeError = (error as? ADBError) ?? .usb("\(error)") }
                close()
            }
        }
    }

    public func receive() async throws -> ADBMessage? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ADBMessage?, Error>) in
                reader.async { [self] in
                    do {
                        continuation.resume(returning: try readPacket())
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
        } onCancel: {
            self.close()
        }
    }

    /// Reads one packet on the reader queue, the only place `decoder` is touched.
    private func readPacket() throws(ADBError) -> ADBMessage? {
        // Between packets, ask for one whole USB packet: a device that merged header and payload
        // must not overflow the transfer. Idle time is not an error there.
        while true {
            if isClosed {
                if let writeError = shared.withLock({ $0.writeError }) { throw writeError }
                return nil
            }
            let transfer = try pipe.bulkRead(maxLength: max(ADBProtocol.headerSize, pipe.maxPacketSize), timeoutMilliseconds: pollMilliseconds)
            if !transfer.isEmpty {
                if let message = try take(transfer) { return message }
                break
            }
        }
        // Inside a packet, ask for exactly what it lacks: no ZLP follows a payload that fills whole
        // packets, so a larger request would hang.
        while true {
            let transfer = try pipe.bulkRead(maxLength: decoder.wanted, timeoutMilliseconds: transferTimeoutMilliseconds)
            guard !transfer.isEmpty else { throw .timeout("\(pipe.description) stopped in the middle of a packet") }
            if let message = try take(transfer) { return message }
        }
    }

    /// Feeds one transfer to the decoder; a transfer holds at most one packet's bytes.
    private func take(_ transfer: [UInt8]) throws(ADBError) -> ADBMessage? {
        let messages = try decoder.feed(transfer)
        guard messages.count <= 1, messages.isEmpty || decoder.isBetweenPackets else {
            throw .malformedPacket("\(pipe.description) sent bytes after a whole packet in one transfer")
        }
        return messages.first
    }

    public func close() {
        let wasOpen = shared.withLock { shared -> Bool in
            defer { shared.closed = true }
            return !shared.closed
        }
        guard wasOpen else { return }
        // Let queued writes and the current read finish their transfer before releasing the device.
        writer.async { [pipe, reader] in
            reader.async { pipe.close() }
        }
    }
}
