/// Reads exact byte counts from a service stream whose chunks fall anywhere: sync and shell v2
/// records cut straight through WRTE boundaries.
///
/// Not `Sendable`: its buffer belongs to the one task that reads, like the stream's read side.
public final class StreamReader {
    public let stream: any ServiceStream
    private var buffer: [UInt8] = []
    private var start = 0
    private var ended = false

    public init(_ stream: any ServiceStream) {
        self.stream = stream
    }

    public var bufferedCount: Int { buffer.count - start }

    /// Fills the buffer to at least `count` bytes; false if the stream ended first.
    private func fill(_ count: Int) async throws -> Bool {
        while buffer.count - start < count {
            guard !ended, let chunk = try await stream.read() else {
                ended = true
                return false
            }
            if start > 0, start >= buffer.count / 2 {
                buffer.removeFirst(start)
                start = 0
            }
            buffer.append(contentsOf: chunk)
        }
        return true
    }

    /// Exactly `count` bytes, or an error naming `what` when the stream ends first.
    public func readExactly(_ count: Int, _ what: String) async throws -> [UInt8] {
        guard try await fill(count) else {
            throw ADBError.connectionClosed("the stream ended in the middle of \(what)")
        }
        let out = Array(buffer[start..<(start + count)])
        start += count
        return out
    }

    /// Exactly `count` bytes, or nil if the stream ended cleanly before the first of them.
    public func readExactlyOrEnd(_ count: Int, _ what: String) async throws -> [UInt8]? {
        if try await fill(1) == false { return nil }
        return try await readExactly(count, what)
    }

    public func readUInt32(_ what: String) async throws -> UInt32 {
        let b = try await readExactly(4, what)
        return UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
    }

    /// Whatever is buffered (possibly nothing), without reading more.
    public func takeBuffered() -> [UInt8] {
        let out = Array(buffer[start...])
        buffer.removeAll(keepingCapacity: false)
        start = 0
        return out
    }

    /// Whatever is buffered, else the next chunk; nil at the end.
    public func readAvailable() async throws -> [UInt8]? {
        if start < buffer.count {
            let out = Array(buffer[start...])
            buffer.removeAll(keepingCapacity: true)
            start = 0
            return out
        }
        if ended { return nil }
        guard let chunk = try await stream.read() else {
            ended = true
            return nil
        }
        return chunk
    }
}

extension Array where Element == UInt8 {
    func littleEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2]) << 16 | UInt32(self[offset + 3]) << 24
    }

    func littleEndianUInt64(at offset: Int) -> UInt64 {
        UInt64(littleEndianUInt32(at: offset)) | UInt64(littleEndianUInt32(at: offset + 4)) << 32
    }
}
