#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What a push copied.
public struct PushSummary: Sendable, Equatable {
    public var files: Int
    public var bytes: UInt64
    /// Entries that are neither a regular file nor a directory (sockets, devices, links that
    /// lead nowhere), left out as adb does.
    public var skipped: [String]
}

extension SyncClient {
    /// Pushes one local file to `remotePath`, with its permissions. File errors say which file
    /// and why, in words.
    public func push(file local: URL, to remotePath: String, progress: (@Sendable (UInt64) -> Void)? = nil) async throws -> UInt64 {
        let attributes: [FileAttributeKey: Any]
        let handle: FileHandle
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: local.path)
            handle = try FileHandle(forReadingFrom: local)
        } catch {
            throw ADBError.io("cannot read \(local.path): \(FileError.reason(error))")
        }
        defer { try? handle.close() }
        let mode = UInt32(((attributes[.posixPermissions] as? Int) ?? 0o644) & 0o7777) | 0o100000
        do {
            try await push(from: handle, to: remotePath, mode: mode, progress: progress)
        } catch ADBError.io(let reason) {
            throw ADBError.io("\(local.path): \(reason)")
        }
        return UInt64((attributes[.size] as? Int) ?? 0)
    }

    /// Pushes the tree under `local` into `remoteDirectory` (created as needed by the device, as
    /// adb's push does), following the local layout; symbolic links to files are followed, links
    /// to directories are not (a loop cannot form).
    public func push(directory local: URL, to remoteDirectory: String) async throws -> PushSummary {
        var summary = PushSummary(files: 0, bytes: 0, skipped: [])
        let base = remoteDirectory.hasSuffix("/") ? String(remoteDirectory.dropLast()) : remoteDirectory
        for relative in try LocalTree.files(under: local, skipped: &summary.skipped) {
            summary.bytes += try await push(file: local.appendingPathComponent(relative), to: base + "/" + relative)
            summary.files += 1
        }
        return summary
    }

}

/// A local directory walked for a push.
enum LocalTree {
    /// The regular files under `root` as relative paths, in a stable order.
    static func files(under root: URL, skipped: inout [String]) throws -> [String] {
        var found: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let directory = relative.isEmpty ? root.path : root.path + "/" + relative
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: directory)
            } catch {
                throw ADBError.io("cannot list \(directory): \(FileError.reason(error))")
            }
            for name in names.sorted() {
                let path = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                var linkInfo = stat()
                let full = root.path + "/" + path
                guard lstat(full, &linkInfo) == 0 else { skipped.append(path); continue }
                let isLink = linkInfo.st_mode & S_IFMT == S_IFLNK
                guard stat(full, &info) == 0 else { skipped.append(path); continue }
                switch info.st_mode & S_IFMT {
                case S_IFREG: found.append(path)
                case S_IFDIR where !isLink: pending.append(path)
                default: skipped.append(path)
                }
            }
        }
        return found.sorted()
    }
}
