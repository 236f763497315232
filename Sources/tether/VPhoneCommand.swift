import ADB
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import VirtualPhone

/// `tether vphone`: serve virtual phones over ADB, list tasks, check a task on a running phone.
/// `tether vphone [OPTIONS]` serves (as `tether vphone serve` does), so its help shows the serve
/// options beside the subcommands.
struct VPhoneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vphone",
        abstract: "Run simulated Android phones that speak ADB on 127.0.0.1.",
        usage: """
            tether vphone [serve] [--port <port>] [--count <count>] [--profile <profile>] [<options>]
            tether vphone tasks [--zh]
            tether vphone check <task> --serial <host:port>
            """,
        discussion: "With no subcommand, serves phones with the options below until SIGINT or SIGTERM.",
        subcommands: [Serve.self, Tasks.self, Check.self])

    @OptionGroup var options: ServeOptions

    func run() async throws { try await options.serve() }

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve", abstract: "Start virtual phones until SIGINT or SIGTERM (what `tether vphone` does with no subcommand).")

        @OptionGroup var options: ServeOptions

        func run() async throws { try await options.serve() }
    }

    struct ServeOptions: ParsableArguments {
        @Option(help: "First port, 1024–65535 (0 picks free ports). Ports 5555–5585 are refused: the adb server probes them.")
        var port: Int = 6520
        @Option(help: "Profile name from Devices/profiles.")
        var profile: String = "pixel-7"
        @Option(help: "How many phones (1–64, on consecutive ports that must all fit in 1024–65535).")
        var count: Int = 1
        @Flag(help: "Require RSA authentication; a new key is accepted as a user tapping Allow would.")
        var auth = false
        @Option(help: "Seed for the phones' generated data.")
        var seed: UInt64 = 1
        @Option(help: "Start with the initial state of this task (see `tether vphone tasks`).")
        var task: String?
        @Option(help: "The Devices directory (default: found from the current directory or $TETHER_DEVICES).")
        var devices: String?
        @Flag(help: "Start asleep on the lock screen (a swipe up unlocks it, or the PIN with --pin).")
        var locked = false
        @Option(help: ArgumentHelp("Guard the lock screen with this PIN (digits); implies --locked.", valueName: "digits"))
        var pin: String?

        func validate() throws {
            guard count >= 1, count <= 64 else { throw ValidationError("--count must be 1…64") }
            if let pin, pin.isEmpty || !pin.allSatisfy(\.isASCII) || !pin.allSatisfy(\.isNumber) {
                throw ValidationError("--pin must be digits")
            }
            do { _ = try VirtualPhoneServer.ports(first: port, count: count) } catch {
                throw ValidationError("--port: \(error.description)")
            }
        }

        func serve() async throws {
            let catalog = try DeviceCatalog.load(from: devices.map { URL(fileURLWithPath: $0) } ?? DeviceCatalog.locate())
            var taskDefinition: TaskDefinition?
            if let task {
                guard let t = catalog.task(task) else { throw ValidationError("no task \(task); see `tether vphone tasks`") }
                taskDefinition = t
            }
            let ports = try VirtualPhoneServer.ports(first: port, count: count)
            var servers: [VirtualPhoneServer] = []
            do {
                for (i, phonePort) in ports.enumerated() {
                    let options = VirtualPhoneServer.Options(
                        profile: profile, seed: seed &+ UInt64(i), port: phonePort, index: i,
                        authorizedKeys: auth ? ADBAuthorizedKeys() : nil, acceptUnknownKeys: true, task: taskDefinition)
                    let server = try await VirtualPhoneServer.start(catalog: catalog, options: options)
                    if let pin { await server.phone.setLockPIN(pin) }
                    if locked || pin != nil { await server.phone.sleep() }
                    servers.append(server)
                    say("vphone \(i): \(server.serial)  profile \(profile)  serial \(server.phone.serialNumber)  files \(server.phone.root.path)")
                }
            } catch {
                // A port taken halfway: the phones already started stop too.
                for server in servers { await server.stop() }
                throw error
            }
            if let first = servers.first { say("connect with: adb connect \(first.serial)   (Ctrl-C stops)") }
            await waitForTermination()
            for server in servers { await server.stop() }
        }
    }

    struct Tasks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "tasks", abstract: "List the tasks in Devices/tasks.")
        @Option(help: "The Devices directory.")
        var devices: String?
        @Flag(help: "Show the Chinese instruction too.")
        var zh = false

        func run() async throws {
            let catalog = try DeviceCatalog.load(from: devices.map { URL(fileURLWithPath: $0) } ?? DeviceCatalog.locate())
            for task in catalog.tasks {
                say("\(task.id.padding(toLength: 34, withPad: " ", startingAt: 0)) \(task.instruction)")
                if zh { say(String(repeating: " ", count: 35) + task.instructionZh) }
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check", abstract: "Check a task on a running virtual phone through adb; exit 0 on pass, 1 on fail.")
        @Argument(help: "Task id.")
        var task: String
        @Option(help: "The phone's serial, HOST:PORT (e.g. 127.0.0.1:6520).")
        var serial: String
        @Option(help: "The Devices directory.")
        var devices: String?

        func run() async throws {
            let catalog = try DeviceCatalog.load(from: devices.map { URL(fileURLWithPath: $0) } ?? DeviceCatalog.locate())
            guard let definition = catalog.task(task) else { throw ValidationError("no task \(task); see `tether vphone tasks`") }
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

/// Waits for SIGINT or SIGTERM.
func waitForTermination() async {
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let queue = DispatchQueue(label: "tether.vphone.signals")
        let once = OnceFlag()
        for sig in [SIGINT, SIGTERM] {
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { if once.claim() { continuation.resume() } }
            source.resume()
            retainedSignalSources.append(source)
        }
    }
}

final class OnceFlag: @unchecked Sendable {
    private var done = false
    private let lock = NSLock()
    func claim() -> Bool { lock.withLock { defer { done = true }; return !done } }
}

nonisolated(unsafe) var retainedSignalSources: [any DispatchSourceSignal] = []

