import ADB
import ArgumentParser
import Foundation

struct Devices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the phones Tether can reach: USB, and those of a running adb server.")

    @Flag(name: .customShort("l"), help: "Long output: device path, product, model and transport.")
    var long = false

    @Option(name: .long, help: ArgumentHelp("Ask the adb server at [HOST:]PORT.", valueName: "[host:]port"))
    var server: String?

    func run() async throws {
        let connector = DeviceConnector()
        let (devices, notes) = await connector.list(server: try server.map { try ADBServerClient(address: $0) })
        print("List of devices attached")
        for device in devices {
            if long {
                var line = device.serial.padding(toLength: max(22, device.serial.count), withPad: " ", startingAt: 0) + " " + device.state
                if let path = device.path { line += " " + path }
                if let product = device.product { line += " product:" + product }
                if let model = device.model { line += " model:" + model }
                if let name = device.device { line += " device:" + name }
                line += " transport:" + device.transport.rawValue
                print(line)
            } else {
                print("\(device.serial)\t\(device.state)")
            }
        }
        for note in notes { FileHandle.standardError.write(Data("tether: \(note)\n".utf8)) }
    }
}

struct Shell: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a command in the phone's shell; exits with the command's exit code.",
        discussion: "The words are joined with spaces and run by the device's sh, as `adb shell` does.")

    @OptionGroup var device: DeviceOptions

    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("give a command to run, e.g. `tether shell getprop ro.product.model`") }
    }

    func run() async throws {
        let target = try await device.open()
        let session = try await target.startShell(command.joined(separator: " "))
        let exitCode = try await withThrowingTaskGroup(of: Void.self) { group -> Int32 in
            // stdin goes beside the output: a pipe or file until its end, a terminal or
            // /dev/null closed at once. The command may end before its input does.
            group.addTask { try? await ShellInput().forward(to: session) }
            var exitCode: Int32 = 0
            events: while let event = try await session.next() {
                switch event {
                case .stdout(let bytes): FileHandle.standardOutput.write(Data(bytes))
                case .stderr(let bytes): FileHandle.standardError.write(Data(bytes))
                case .exit(let code):
                    exitCode = code
                    break events
                }
            }
            group.cancelAll()
            await session.close()
            return exitCode
        }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }
}

struct ExecOut: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec-out",
        abstract: "Run a command with raw, byte-exact output (no shell protocol; stderr is mixed in by the phone).")

    @OptionGroup var device: DeviceOptions

    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments (each one quoted for the device shell).")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("give a command, e.g. `tether exec-out screencap -p > screen.png`") }
    }

    func run() async throws {
        let target = try await device.open()
        let name = command[0] + (command.count > 1 ? " " + ShellQuoting.join(Array(command.dropFirst())) : "")
        let stream = try await target.open("exec:" + name)
        while let chunk = try await stream.read() {
            FileHandle.standardOutput.write(Data(chunk))
        }
        await stream.close()
    }
}

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
            print("\(local): \(summary.files) file\(summary.files == 1 ? "" : "s") pushed\(skipped). "
                + bytesPerSecond(summary.bytes, Date().timeIntervalSince(start)))
        } else {
            let size = try await sync.push(file: source, to: destination)
            await sync.close()
            print("\(local): 1 file pushed. \(bytesPerSecond(size, Date().timeIntervalSince(start)))")
        }
    }
}

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
