import ADB
import ArgumentParser
import Foundation

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
