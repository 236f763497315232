import ADB
import ArgumentParser
import Foundation

struct Push: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Copy a local file or directory to the phone.")

    @OptionGroup var device: DeviceOptions
    @Argument(help: "Local file or directory (a directory is copied with everything under it).") var local: String
    @Argument(help: "Path on the phone (an existing directory keeps the local name).") var remote: String

    func run() async throws {
        let source = URL(fileURLWithPath: local)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: local, isDirectory: &isDirectory) else {
            throw CommandFailure(description: "cannot read \(local): no such file or directory")
        }
        let target = try await device.open()
        let sync = try await SyncClient.open(target)
        // As adb: into REMOTE/NAME when REMOTE is a directory; otherwise REMOTE becomes the copy.
        var destination = remote
        if try await sync.stat(remote).isDirectory {
            destination = (remote.hasSuffix("/") ? remote : remote + "/") + source.lastPathComponent
        }
        let start = Date()
        if isDirectory.boolValue {
            let summary = try await sync.push(directory: source, to: destination)
            await sync.close()
            let skipped = summary.skipped.isEmpty ? "" : ", \(summary.skipped.count) skipped"
            print(
                "\(local): \(summary.files) file\(summary.files == 1 ? "" : "s") pushed\(skipped). "
                    + bytesPerSecond(summary.bytes, Date().timeIntervalSince(start)))
        } else {
            let size = try await sync.push(file: source, to: destination)
            await sync.close()
            print("\(local): 1 file pushed. \(bytesPerSecond(size, Date().timeIntervalSince(start)))")
        }
    }
}
