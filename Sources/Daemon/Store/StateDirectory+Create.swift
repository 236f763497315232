import Basics
import Foundation

extension StateDirectory {
    /// Creates the directory (mode 0700: it holds the API token) if it is not there.
    public static func create(_ directory: URL) throws(StoreError) {
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError("cannot create the state directory \(directory.path): \(error.localizedDescription)")
        }
    }
}
