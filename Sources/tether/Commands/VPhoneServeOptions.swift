import ADB
import ArgumentParser
import Foundation
import VirtualPhone

extension VPhoneCommand {
    struct ServeOptions: ParsableArguments {
        @Option(help: "First port, 1024–65535 (0 picks free ports). Ports 5555–5585 are refused: the adb server probes them.")
        var port: Int = 6520
        @Option(help: "Profile name from Devices/profiles.")
        var profile: String = "pixel-7"
        @Option(help: "How many phones (1–64, on consecutive ports that must all fit in 1024–65535).")
        var count: Int = 1
        @Flag(help: "Require RSA authentication; a new key is accepted as a user tapping Allow would.")
        var auth = false
        @Option(help: "Seed for the phones' generated data and, with --task, the task's parameters (phone i gets seed+i).")
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
                        authorizedKeys: auth ? ADBAuthorizedKeys() : nil, acceptUnknownKeys: true,
                        task: taskDefinition?.instance(seed: seed &+ UInt64(i)))
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
            if let task = taskDefinition?.instance(seed: seed) { say("task \(task.id) (seed \(seed)): \(task.instruction)") }
            if let first = servers.first { say("connect with: adb connect \(first.serial)   (Ctrl-C stops)") }
            await waitForTermination()
            for server in servers { await server.stop() }
        }
    }
}
