import ADB
import ArgumentParser
import Foundation

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
