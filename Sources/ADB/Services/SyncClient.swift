import Foundation

/// The host half of `sync:`: stat, list, push and pull. Files stream through in chunks; nothing
/// is loaded whole.
///
/// Not `Sendable`: the protocol takes one request at a time, so a client belongs to one task.
public final class SyncClient {
    private let stream: any ServiceStream
    private let reader: StreamReader
    public let usesStatV2: Bool
    public let usesListV2: Bool

    private init(stream: any ServiceStream, features: Set<String>) {
        self.stream = stream
        self.reader = StreamReader(stream)
        self.usesStatV2 = features.contains(ADBFeature.statV2)
        self.usesListV2 = features.contains(ADBFeature.lsV2)
    }

    public static func open(_ target: any ADBTarget) async throws -> SyncClient {
        let features = await target.sharedFeatures
        return SyncClient(stream: try await target.open("sync:"), features: features)
    }

    /// Sends QUIT and closes the stream.
    public func close() async {
        try? await stream.write(SyncProtocol.request(SyncProtocol.quit, value: 0))
        await stream.close()
    }

    private func pathBytes(_ path: String) throws -> [UInt8] {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count <= SyncProtocol.maxPathLength else {
            throw ADBError.invalidArgument("device path must be 1–\(SyncProtocol.maxPathLength) bytes: \(path)")
        }
        return bytes
    }

    private func readFailure(_ what: String) async throws -> Never {
        let length = Int(try await reader.readUInt32("a FAIL message"))
        guard length <= 64 * 1024 else { throw ADBError.protocolViolation("FAIL message of \(length) bytes") }
        let message = String(decoding: try await reader.readExactly(length, "a FAIL message"), as: UTF8.self)
        throw ADBError.syncFailure("\(what): \(message)")
    }

    /// Metadata of `path` (following symlinks when v2 is available); `exists` is false for a missing file.
    public func stat(_ path: String) async throws -> SyncStat {
        let request = usesStatV2 ? SyncProtocol.sta2 : SyncProtocol.stat
        try await stream.write(SyncProtocol.request(request, try pathBytes(path)))
        let id = try await reader.readUInt32("a STAT reply")
        if id == SyncProtocol.fail { try await readFailure("stat \(path)") }
        guard id == request else {
            throw ADBError.protocolViolation("expected \(SyncProtocol.name(request)), got \(SyncProtocol.name(id))")
        }
        if usesStatV2 {
            return SyncStat(v2: try await reader.readExactly(SyncStat.v2Size, "a STA2 reply"))
        }
        let b = try await reader.readExactly(12, "a STAT reply")
        return SyncStat(mode: b.littleEndianUInt32(at: 0), size: UInt64(b.littleEndianUInt32(at: 4)), mtime: Int64(b.littleEndianUInt32(at: 8)))
    }

    /// The entries of a directory (including `.` and `..` when the device lists them).
    public func list(_ path: String) async throws -> [SyncEntry] {
        let request = usesListV2 ? SyncProtocol.lis2 : SyncProtocol.list
        try await stream.write(SyncProtocol.request(request, try pathBytes(path)))
        var entries: [SyncEntry] = []
        while true {
            let id = try await reader.readUInt32("a directory entry")
            if id == SyncProtocol.fail { try await readFailure("list \(path)") }
            let stat: SyncStat
            if id == SyncProtocol.dnt2 || (id == SyncProtocol.done && usesListV2) {
                stat = SyncStat(v2: try await reader.readExactly(SyncStat.v2Size, "a DNT2 entry"))
            } else if id == SyncProtocol.dent || id == SyncProtocol.done {
                let b = try await reader.readExactly(12, "a DENT entry")
                stat = SyncStat(mode: b.littleEndianUInt32(at: 0), size: UInt64(b.littleEndianUInt32(at: 4)), mtime: Int64(b.littleEndianUInt32(at: 8)))
            } else {
                throw ADBError.protocolViolation("unexpected \(SyncProtocol.name(id)) in a listing")
            }
            let nameLength = Int(try await reader.readUInt32("a directory entry"))
            if id == SyncProtocol.done { return entries }
            guard nameLength <= 4096 else { throw ADBError.protocolViolation("file name of \(nameLength) bytes") }
            let name = String(decoding: try await reader.readExactly(nameLength, "a file name"), as: UTF8.self)
            entries.append(SyncEntry(name: name, stat: stat))
        }
    }

    /// Sends `source` (read in chunks) to `remotePath` with `mode`, then waits for the device's OKAY.
    /// `progress` gets the bytes sent so far.
    public func push(
        from source: FileHandle, to remotePath: String, mode: UInt32 = 0o100644, mtime: UInt32 = UInt32(Date().timeIntervalSince1970),
        progress: (@Sendable (UInt64) -> Void)? = nil
    ) async throws {
        var out = SyncProtocol.request(SyncProtocol.send, try pathBytes("\(remotePath),\(mode)"))
        var sent: UInt64 = 0
        // Records are batched into writes of up to 1 MiB; the device parses the stream anyway.
        let batch = 1024 * 1024
        while true {
            let chunk: Data
            do {
                chunk = try source.read(upToCount: SyncProtocol.pushChunk) ?? Data()
            } catch {
                throw ADBError.io("reading the file to push failed: \(FileError.reason(error))")
            }
            if chunk.isEmpty { break }
            out += SyncProtocol.request(SyncProtocol.data, value: UInt32(chunk.count))
            out += chunk
            sent += UInt64(chunk.count)
            if out.count >= batch {
                try await stream.write(out)
                out.removeAll(keepingCapacity: true)
                progress?(sent)
            }
        }
        out += SyncProtocol.request(SyncProtocol.done, value: mtime)
        try await stream.write(out)
        progress?(sent)
        try await readPushResult(remotePath)
    }

    public func push(data: [UInt8], to remotePath: String, mode: UInt32 = 0o100644) async throws {
        var out = SyncProtocol.request(SyncProtocol.send, try pathBytes("\(remotePath),\(mode)"))
        var offset = 0
        while offset < data.count {
            let end = min(data.count, offset + SyncProtocol.pushChunk)
            out += SyncProtocol.request(SyncProtocol.data, value: UInt32(end - offset))
            out += data[offset..<end]
            offset = end
        }
        out += SyncProtocol.request(SyncProtocol.done, value: UInt32(Date().timeIntervalSince1970))
        try await stream.write(out)
        try await readPushResult(remotePath)
    }

    private func readPushResult(_ remotePath: String) async throws {
        let id = try await reader.readUInt32("the push result")
        if id == SyncProtocol.fail { try await readFailure("push to \(remotePath)") }
        guard id == SyncProtocol.okay else {
            throw ADBError.protocolViolation("expected OKAY after a push, got \(SyncProtocol.name(id))")
        }
        _ = try await reader.readUInt32("the push result")
    }

    /// Receives `remotePath`, handing each chunk to `sink` as it arrives. Returns the byte count.
    @discardableResult
    public func pull(_ remotePath: String, into sink: ([UInt8]) throws -> Void) async throws -> UInt64 {
        try await stream.write(SyncProtocol.request(SyncProtocol.recv, try pathBytes(remotePath)))
        var received: UInt64 = 0
        while true {
            let id = try await reader.readUInt32("a RECV record")
            if id == SyncProtocol.fail { try await readFailure("pull \(remotePath)") }
            let length = Int(try await reader.readUInt32("a RECV record"))
            if id == SyncProtocol.done { return received }
            guard id == SyncProtocol.data else {
                throw ADBError.protocolViolation("unexpected \(SyncProtocol.name(id)) while pulling")
            }
            guard length <= SyncProtocol.maxDataChunk else {
                throw ADBError.protocolViolation("DATA record of \(length) bytes (the limit is 64 KiB)")
            }
            let bytes = try await reader.readExactly(length, "file data")
            do { try sink(bytes) } catch { throw ADBError.io("writing pulled data failed: \(FileError.reason(error))") }
            received += UInt64(length)
        }
    }

    /// Pulls `remotePath` into memory (for small files).
    public func pullData(_ remotePath: String, limit: Int = 256 * 1024 * 1024) async throws -> [UInt8] {
        var out: [UInt8] = []
        try await pull(remotePath) { chunk in
            out += chunk
            if out.count > limit { throw ADBError.io("\(remotePath) is larger than \(limit) bytes") }
        }
        return out
    }
}
