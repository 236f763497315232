import ADB
import ArgumentParser
import Foundation

struct Pull: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Copy a file from the phone.")

    @OptionGroup var device: DeviceOptions
    @Argument(help: "Path on the phone.") var remote: String
    @Argument(help: "Local file or directory (default: the current directory).") var local: String?

    func run() async throws {
        let target = try await device.open()
        let sync = try await SyncClient.open(target)
        let stat = try await sync.stat(remote)
        guard stat.exists else { throw CommandFailure(description: "remote object '\(remote)' does not exist") }
        guard !stat.isDirectory else { throw CommandFailure(description: "\(remote) is a directory; pull single files") }
        var destination = local ?? "."
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination, isDirectory: &isDirectory), isDirectory.boolValue {
            destination += "/" + (remote as NSString).lastPathComponent
        }
        let partial = destination + ".tether-partial"
        guard FileManager.default.createFile(atPath: partial, contents: nil), let handle = FileHandle(forWritingAtPath: partial) else {
            throw CommandFailure(description: "cannot write \(destination)")
        }
        let start = Date()
        do {
            let bytes = try await sync.pull(remote) { chunk in try handle.write(contentsOf: chunk) }
            try handle.close()
            _ = try? FileManager.default.removeItem(atPath: destination)
            try FileManager.default.moveItem(atPath: partial, toPath: destination)
            await sync.close()
            print("\(remote): 1 file pulled. \(bytesPerSecond(bytes, Date().timeIntervalSince(start)))")
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }
}
