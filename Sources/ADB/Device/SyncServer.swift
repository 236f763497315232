import Foundation

/// The device half of `sync:` over a `DeviceFileSystem`: STAT/STA2/LST2, LIST/LIS2, SEND, RECV
/// and QUIT, parsed as a byte stream whatever the WRTE boundaries.
public struct SyncServer: Sendable {
    public let files: DeviceFileSystem

    public init(files: DeviceFileSystem) {
        self.files = files
    }

    public func serve(_ stream: any ServiceStream) async {
        let reader = StreamReader(stream)
        do {
            while let header = try await reader.readExactlyOrEnd(8, "a sync request") {
                let id = header.littleEndianUInt32(at: 0)
                let length = Int(header.littleEndianUInt32(at: 4))
                if id == SyncProtocol.quit { return }
                guard length <= SyncProtocol.maxPathLength else {
                    try await fail(stream, "path too long (\(length) bytes)")
                    return
                }
                let path = String(decoding: try await reader.readExactly(length, "a sync path"), as: UTF8.self)
                switch id {
                case SyncProtocol.stat:
                    let s = files.stat(path, follow: false)
                    var out = SyncProtocol.request(SyncProtocol.stat, value: s.error == 0 ? s.mode : 0)
                    out.appendLittleEndian(s.error == 0 ? UInt32(truncatingIfNeeded: s.size) : 0)
                    out.appendLittleEndian(s.error == 0 ? UInt32(truncatingIfNeeded: s.mtime) : 0)
                    try await stream.write(out)
                case SyncProtocol.sta2, SyncProtocol.lst2:
                    let s = files.stat(path, follow: id == SyncProtocol.sta2)
                    var out = [UInt8]()
                    out.appendLittleEndian(id)
                    out += s.v2Bytes
                    try await stream.write(out)
                case SyncProtocol.list, SyncProtocol.lis2:
                    try await list(path, v2: id == SyncProtocol.lis2, stream: stream)
                case SyncProtocol.send:
                    guard try await receiveFile(path, reader: reader, stream: stream) else { return }
                case SyncProtocol.recv:
                    try await sendFile(path, stream: stream)
                default:
                    try await fail(stream, "unknown sync request \(SyncProtocol.name(id))")
                    return
                }
            }
        } catch {
            // The host went away or broke the protocol; the stream is closed by our caller.
        }
    }

    private func fail(_ stream: any ServiceStream, _ message: String) async throws {
        try await stream.write(SyncProtocol.request(SyncProtocol.fail, Array(message.utf8)))
    }

    private func list(_ path: String, v2: Bool, stream: any ServiceStream) async throws {
        var out: [UInt8] = []
        if let hostPath = try? files.hostPath(path), let names = try? FileManager.default.contentsOfDirectory(atPath: hostPath) {
            for name in [".", ".."] + names.sorted() {
                let s = files.stat(path + "/" + name, follow: false)
                if v2 {
                    out.appendLittleEndian(SyncProtocol.dnt2)
                    out += s.v2Bytes
                } else {
                    if s.error != 0 { continue }  // v1 silently skips entries it cannot stat
                    out.appendLittleEndian(SyncProtocol.dent)
                    out.appendLittleEndian(s.mode)
                    out.appendLittleEndian(UInt32(truncatingIfNeeded: s.size))
                    out.appendLittleEndian(UInt32(truncatingIfNeeded: s.mtime))
                }
                let bytes = Array(name.utf8)
                out.appendLittleEndian(UInt32(bytes.count))
                out += bytes
            }
        }
        // DONE is an entry-shaped record with the rest zero (76 bytes in v2, 20 in v1).
        out.appendLittleEndian(SyncProtocol.done)
        out += [UInt8](repeating: 0, count: v2 ? SyncStat.v2Size + 4 : 16)
        try await stream.write(out)
    }

    /// SEND: `path,mode`, then DATA records, then DONE. Returns false if the stream must end.
    private func receiveFile(_ spec: String, reader: StreamReader, stream: any ServiceStream) async throws -> Bool {
        let comma = spec.lastIndex(of: ",")
        let path = comma.map { String(spec[..<$0]) } ?? spec
        let mode = comma.flatMap { UInt32(spec[spec.index(after: $0)...]) } ?? 0o100644
        var failure: String?
        var handle: FileHandle?
        var temporary = ""
        var target = ""
        do {
            target = try files.hostPath(path)
            if FileManager.default.fileExists(atPath: target + "/") {
                failure = "is a directory"
            } else {
                try FileManager.default.createDirectory(
                    atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                temporary = target + ".tether-partial-\(UInt32.random(in: 0...UInt32.max))"
                guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
                    throw ADBError.io("cannot create file")
                }
                handle = FileHandle(forWritingAtPath: temporary)
            }
        } catch {
            failure = FileError.reason(error)
        }
        // Read the records even after a failure, so the reply lines up with the stream.
        while true {
            let record = try await reader.readExactly(8, "a SEND record")
            let id = record.littleEndianUInt32(at: 0)
            let value = record.littleEndianUInt32(at: 4)
            if id == SyncProtocol.done {
                try? handle?.close()
                if let failure {
                    if !temporary.isEmpty { try? FileManager.default.removeItem(atPath: temporary) }
                    try await fail(stream, failure)
                } else {
                    _ = rename(temporary, target)
                    chmod(target, mode_t(mode & 0o7777))
                    var times = [timespec(tv_sec: Int(value), tv_nsec: 0), timespec(tv_sec: Int(value), tv_nsec: 0)]
                    utimensat(AT_FDCWD, target, &times, 0)
                    try await stream.write(SyncProtocol.request(SyncProtocol.okay, value: 0))
                }
                return true
            }
            guard id == SyncProtocol.data, Int(value) <= SyncProtocol.maxDataChunk else {
                try? handle?.close()
                if !temporary.isEmpty { try? FileManager.default.removeItem(atPath: temporary) }
                try await fail(stream, "bad SEND record \(SyncProtocol.name(id)) of \(value) bytes")
                return false
            }
            let data = try await reader.readExactly(Int(value), "file data")
            if failure == nil {
                do { try handle?.write(contentsOf: data) } catch { failure = "write failed: \(FileError.reason(error))" }
            }
        }
    }

    private func sendFile(_ path: String, stream: any ServiceStream) async throws {
        guard let hostPath = try? files.hostPath(path), let handle = FileHandle(forReadingAtPath: hostPath),
            files.stat(path, follow: true).isRegularFile
        else {
            try await fail(stream, "No such file or directory")
            return
        }
        defer { try? handle.close() }
        var out: [UInt8] = []
        while let chunk = try handle.read(upToCount: SyncProtocol.maxDataChunk), !chunk.isEmpty {
            out += SyncProtocol.request(SyncProtocol.data, value: UInt32(chunk.count))
            out += chunk
            if out.count >= 1024 * 1024 {
                try await stream.write(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        out += SyncProtocol.request(SyncProtocol.done, value: 0)
        try await stream.write(out)
    }
}
