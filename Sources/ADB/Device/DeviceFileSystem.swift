import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Maps device paths (`/sdcard/x`) onto a directory of the host, refusing anything that would
/// step outside it.
public struct DeviceFileSystem: Sendable {
    public let root: URL

    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    /// The host path for a device path; relative paths start at `/`.
    public func hostPath(_ devicePath: String) throws(ADBError) -> String {
        var parts: [Substring] = []
        for component in devicePath.split(separator: "/") {
            switch component {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(component)
            }
        }
        let path = root.path + (parts.isEmpty ? "" : "/" + parts.joined(separator: "/"))
        guard path.hasPrefix(root.path) else { throw .invalidArgument("path outside the device: \(devicePath)") }
        return path
    }

    /// lstat (or stat when `follow`) of a device path, as sync reports it.
    public func stat(_ devicePath: String, follow: Bool) -> SyncStat {
        guard let path = try? hostPath(devicePath) else {
            var s = SyncStat(mode: 0, size: 0, mtime: 0)
            s.error = 2
            return s
        }
        var info = Foundation.stat()
        let rc = follow ? statFollowing(path, &info) : lstat(path, &info)
        guard rc == 0 else {
            var s = SyncStat(mode: 0, size: 0, mtime: 0)
            s.error = UInt32(errno)
            return s
        }
        var s = SyncStat(mode: UInt32(info.st_mode), size: UInt64(info.st_size), mtime: Int64(info.st_mtim.tv_sec))
        s.device = UInt64(info.st_dev)
        s.inode = UInt64(info.st_ino)
        s.linkCount = UInt32(info.st_nlink)
        s.uid = 2000  // the shell user on Android
        s.gid = 2000
        s.atime = Int64(info.st_atim.tv_sec)
        s.ctime = Int64(info.st_ctim.tv_sec)
        return s
    }
}

private func statFollowing(_ path: String, _ info: inout stat) -> Int32 {
    stat(path, &info)
}
