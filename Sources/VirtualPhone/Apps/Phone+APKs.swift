import Foundation
import Logging

extension VirtualPhone {
    /// Where `pm path` says an app's APK is.
    public static func apkPath(_ package: String) -> String { "/system/app/\(package)/\(package).apk" }

    /// Writes the app's APK (manifest + resources with its labels) where `pm path` points, so
    /// that `stat`, `dd`, `cat` and sync pulls find a real file there.
    static func installAPK(_ app: AppDefinition, root: URL, logger: Logger) {
        let url = root.appendingPathComponent(String(apkPath(app.package).dropFirst()))
        let bytes = APKWriter.apk(package: app.package, activity: app.activity, label: app.label, localizedLabels: app.localizedLabels ?? [:])
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        } catch {
            logger.warning("cannot write APK", metadata: ["path": "\(url.path)", "error": "\(error)"])
        }
    }
}
