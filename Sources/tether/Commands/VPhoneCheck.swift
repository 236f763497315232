import ADB
import ArgumentParser
import Foundation
import VirtualPhone

extension VPhoneCommand {
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check", abstract: "Check a task on a running virtual phone through adb; exit 0 on pass, 1 on fail.",
            discussion: "--seed N (default 1) picks the task's parameters, as the phone was served with; --devices DIR names the Devices directory.")
        @Argument(help: "Task id.")
        var task: String
        @Option(help: "The phone's serial, HOST:PORT (e.g. 127.0.0.1:6520).")
        var serial: String
        /// `--seed N` (the seed the phone was served with: it picks the task's parameters) is
        /// the parent's serve option, which takes it wherever it stands on the line, so it is read from there.
        @OptionGroup(visibility: .private) var phoneOptions: ServeOptions
        var seed: UInt64 { phoneOptions.seed }
        /// `--devices DIR`, the same way.
        var devices: String? { phoneOptions.devices }

        func run() async throws {
            let catalog = try DeviceCatalog.load(from: devices.map { URL(fileURLWithPath: $0) } ?? DeviceCatalog.locate())
            guard let definition = catalog.task(task)?.instance(seed: seed) else { throw ValidationError("no task \(task); see `tether vphone tasks`") }
            let parts = serial.split(separator: ":")
            guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationError("--serial must be HOST:PORT") }
            let transport = try await TCPPacketTransport.connect(host: String(parts[0]), port: port)
            let connection = try await ADBHost.connect(transport: transport, keys: try? ADBKeyStore.load())
            let result = try await TaskChecker.check(definition, on: connection)
            await connection.close()
            say("\(result.passed ? "PASS" : "FAIL") \(task)")
            for reason in result.reasons { say("  \(reason)") }
            if !result.passed { throw ExitCode(1) }
        }
    }
}
