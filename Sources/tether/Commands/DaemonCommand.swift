import ArgumentParser
import Foundation

/// `tether daemon status`: is tetherd there, and what does it have.
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon", abstract: "Talk to a running tetherd (docs/daemon.md).", subcommands: [Status.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show whether tetherd answers, its phones and its job counts.")
        @OptionGroup var connection: DaemonConnectionOptions

        func run() async throws {
            let client = connection.client()
            do {
                let health = try await client.call(.GET, "/healthz") as? [String: Any] ?? [:]
                say("tetherd at \(client.base): \(health["status"] as? String ?? "?") (version \(health["version"] as? String ?? "?"))")
                let devices = try await client.call(.GET, "/v1/devices") as? [[String: Any]] ?? []
                say("devices: \(devices.count)")
                for d in devices { say("  \(d["serial"] as? String ?? "?")  \(d["state"] as? String ?? "?")  \(d["model"] as? String ?? "")") }
                let jobs = try await client.call(.GET, "/v1/jobs") as? [[String: Any]] ?? []
                let counts = Dictionary(grouping: jobs, by: { $0["status"] as? String ?? "?" }).mapValues(\.count)
                say("jobs: " + (counts.isEmpty ? "none" : counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")))
            } catch {
                await client.shutdown()
                throw error
            }
            await client.shutdown()
        }
    }
}

/// Where the daemon is and how to authenticate.
struct DaemonConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The daemon's URL (default: $TETHER_DAEMON or http://127.0.0.1:7464).", valueName: "url"))
    var daemon: String?

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("The daemon's state directory, to read its token (default: $TETHER_TOKEN, else the default state directory).", valueName: "dir"))
    var stateDir: String?

    func client() -> DaemonClient { DaemonClient.make(url: daemon, stateDirectory: stateDir) }
}
