import ADB
import Agent
import AndroidPhone
import ArgumentParser
import Basics
import Foundation
import Logging
import PhoneMCP
import VirtualPhone

/// `tether-mcp`, which `tether mcp` runs: the MCP server on standard input and output, its tools
/// on the phone the device flags pick. A program of its own so that `tether` does not link the
/// MCP SDK (its HTTP client pulls Foundation's networking and libcurl into a static binary, and
/// every `tether` start would load them).
@main
struct TetherMCP: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tether mcp",
        abstract: "Serve the phone as MCP tools over stdio (for Claude Desktop, Cursor, any MCP client).")

    @Option(name: .customShort("s"), help: "Serial of the device (default: $ANDROID_SERIAL, or the only device).")
    var serial: String?

    @Option(name: .long, help: ArgumentHelp("Talk to HOST:PORT directly over TCP (no adb server).", valueName: "host:port"))
    var connect: String?

    @Option(name: .long, help: ArgumentHelp("Go through a running adb server at [HOST:]PORT.", valueName: "[host:]port"))
    var server: String?

    @Option(help: ArgumentHelp("Base URL of an OpenAI-compatible server for run_task.", valueName: "url"))
    var endpoint: String?

    @Option(name: .customLong("model-name"), help: "The model's name on the server (with --endpoint).")
    var modelName: String = "autoglm-phone-9b"

    @Option(name: .customLong("api-key"), help: "API key for the server (default: $TETHER_API_KEY).")
    var apiKey: String?

    @Option(help: ArgumentHelp("A model checkpoint directory for run_task, run in-process.", valueName: "dir"))
    var model: String?

    @Option(help: ArgumentHelp("Shortcut definitions for run_shortcut (default: Devices/shortcuts when found).", valueName: "dir"))
    var shortcuts: String?

    @Option(help: ArgumentHelp("Relay to the MCP server of the tetherd at this URL (its phones, leases and jobs) instead.", valueName: "url"))
    var daemon: String?

    static func main() async {
        let level = ProcessInfo.processInfo.environment["TETHER_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        await main(nil)
    }

    func run() async throws {
        let logger = Logger(label: "tether.mcp")
        if let daemon {
            var base = daemon
            while base.hasSuffix("/") { base.removeLast() }
            let environment = ProcessInfo.processInfo.environment
            let token = environment["TETHER_TOKEN"] ?? StateDirectory.readToken(in: StateDirectory.resolve())
            return try await DaemonRelay(endpoint: base + "/mcp", token: token, logger: logger).run()
        }
        let library = try loadShortcuts()
        let selection: DeviceSelection
        if let connect {
            selection = .tcp(address: connect)
        } else if let server {
            selection = .server(try ADBServerClient(address: server), serial: serial)
        } else {
            selection = .automatic(serial: serial)
        }
        let connector = DeviceConnector { fingerprint in
            logger.warning("the phone asks \"Allow USB debugging?\" for this computer (key \(fingerprint)); unlock it and tap Allow")
        }
        var configuration = Phone.Configuration()
        configuration.labelCacheDirectory = Phone.defaultCacheDirectory
        let phoneConfiguration = configuration
        let source = SinglePhoneSource(name: connect ?? serial) {
            Phone(target: try await connector.open(selection), configuration: phoneConfiguration)
        }

        let backend: (any ModelBackend)?
        var openAI: OpenAIBackend?
        if let model {
            do { backend = try InProcessBackend(directory: model) } catch {
                throw ValidationError("cannot load the model in \(model): \(error)")
            }
        } else if let endpoint {
            let key = apiKey ?? ProcessInfo.processInfo.environment["TETHER_API_KEY"]
            let client = OpenAIBackend(configuration: .init(baseURL: endpoint, model: modelName, apiKey: key))
            openAI = client
            backend = client
        } else {
            backend = nil
        }
        let local = backend.map { LocalAgentTasks(source: source, backend: $0, shortcuts: library) }
        let tasks: any AgentTasks =
            local
            ?? NoAgentTasks(
                reason: "run_task needs a model and this server has none: start tether mcp with --endpoint URL "
                    + "(an OpenAI-compatible server) or --model DIR, or use the daemon's /mcp")
        let tools = PhoneTools(source: source, tasks: tasks, shortcuts: library, logger: logger)
        var failure: (any Error)?
        do { try await PhoneMCPServer.serveStdio(tools: tools, version: "0.1", logger: logger) } catch { failure = error }
        await local?.close()
        try? await openAI?.shutdown()
        await source.close()
        if let failure { throw failure }
    }

    /// The shortcuts of --shortcuts, else of Devices/shortcuts when there is one, else none.
    func loadShortcuts() throws -> ShortcutLibrary {
        var folder = shortcuts
        if folder == nil, let devices = try? DeviceCatalog.locate() {
            let found = devices.appendingPathComponent("shortcuts").path
            if FileManager.default.fileExists(atPath: found) { folder = found }
        }
        guard let folder else { return .empty }
        do { return try ShortcutLibrary.load(directory: folder) } catch {
            throw ValidationError("cannot load the shortcuts in \(folder): \(error)")
        }
    }
}
