import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `tether mcp`: an MCP server on standard input and output, for desktop clients (Claude
/// Desktop, Cursor, any MCP client) that start it as a subprocess; docs/mcp.md lists its tools.
/// The server is the `tether-mcp` program installed beside `tether`, which this replaces itself
/// with: `tether` does not link the MCP SDK, whose networking would slow every start.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the phone as MCP tools over stdio (for Claude Desktop, Cursor, any MCP client).",
        discussion: """
            Speaks MCP (JSON-RPC) on stdin/stdout; logs go to stderr. The phone is the one the device flags \
            pick (-s, --connect, --server). run_task needs a model: --endpoint URL (an OpenAI-compatible \
            server) or --model DIR. Shortcuts come from --shortcuts DIR, or the Devices/shortcuts folder \
            when there is one. With --daemon URL it relays to that tetherd's /mcp instead. See docs/mcp.md.
            """)

    @OptionGroup var device: DeviceOptions

    @Option(help: ArgumentHelp("Base URL of an OpenAI-compatible server for run_task, e.g. http://127.0.0.1:8000/v1.", valueName: "url"))
    var endpoint: String?

    @Option(name: .customLong("model-name"), help: "The model's name on the server (with --endpoint).")
    var modelName: String = "autoglm-phone-9b"

    @Option(name: .customLong("api-key"), help: "API key for the server (default: $TETHER_API_KEY).")
    var apiKey: String?

    @Option(help: ArgumentHelp("A model checkpoint directory for run_task, run in-process.", valueName: "dir"))
    var model: String?

    @Option(help: ArgumentHelp("Shortcut definitions for run_shortcut (default: Devices/shortcuts when found).", valueName: "dir"))
    var shortcuts: String?

    @Option(
        help: ArgumentHelp(
            "Relay to the MCP server of the tetherd at this URL (its phones, leases and job queue; token from $TETHER_TOKEN or the default state directory).",
            valueName: "url"))
    var daemon: String?

    func validate() throws {
        if model != nil, endpoint != nil { throw ValidationError("give --model DIR or --endpoint URL, not both") }
        if daemon != nil, model != nil || endpoint != nil || shortcuts != nil || device.connect != nil || device.server != nil || device.serial != nil {
            throw ValidationError("with --daemon the daemon's phones, models and shortcuts are used: leave out the device flags, --model, --endpoint and --shortcuts")
        }
        if let endpoint {
            guard let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
                url.host?.isEmpty == false
            else {
                throw ValidationError("--endpoint must be a URL with a scheme and a host, e.g. http://127.0.0.1:8000/v1, not \"\(endpoint)\"")
            }
        }
    }

    /// `tether-mcp` beside this executable (as `swift build` and the install put them).
    static var serverProgram: String {
        let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: own).deletingLastPathComponent().appendingPathComponent("tether-mcp").path
    }

    func run() async throws {
        var arguments = [String]()
        if let serial = device.serial { arguments += ["-s", serial] }
        if let connect = device.connect { arguments += ["--connect", connect] }
        if let server = device.server { arguments += ["--server", server] }
        if let endpoint { arguments += ["--endpoint", endpoint, "--model-name", modelName] }
        if let apiKey { arguments += ["--api-key", apiKey] }
        if let model { arguments += ["--model", model] }
        if let shortcuts { arguments += ["--shortcuts", shortcuts] }
        if let daemon { arguments += ["--daemon", daemon] }
        let program = Self.serverProgram
        guard FileManager.default.isExecutableFile(atPath: program) else {
            throw CommandFailure(description: "the MCP server program is missing: \(program) (build it with swift build, or install it beside tether)")
        }
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        execv(program, argv)
        let reason = String(cString: strerror(errno))
        argv.forEach { free($0) }
        throw CommandFailure(description: "cannot start \(program): \(reason)")
    }
}
