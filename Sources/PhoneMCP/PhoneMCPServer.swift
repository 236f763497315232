import Logging
import MCP

/// The MCP server over `PhoneTools`: tools only (list and call). `tether mcp` serves it over
/// stdio; the daemon serves it as streamable HTTP at `/mcp`.
public enum PhoneMCPServer {
    static let instructions = """
        Tether drives Android phones. Look with inspect_screen (compact text with element ids), act with \
        tap (by element id or pixels), swipe, type_text, press_key, launch_app or run_shortcut, and hand \
        whole tasks in words to the phone agent with run_task. Every coordinate is in screen pixels.
        """

    /// A server whose tools are `tools`, not yet started.
    public static func make(tools: PhoneTools, version: String) async -> Server {
        let server = Server(
            name: "tether", version: version, title: "Tether", instructions: instructions,
            capabilities: .init(tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools.definitions) }
        await server.withMethodHandler(CallTool.self) { parameters in
            await tools.call(parameters.name, arguments: parameters.arguments)
        }
        return server
    }

    /// Serves `tools` on standard input and output until the client closes its end.
    public static func serveStdio(tools: PhoneTools, version: String, logger: Logger) async throws {
        let server = await make(tools: tools, version: version)
        try await server.start(transport: StdioTransport(logger: logger))
        await server.waitUntilCompleted()
        await server.stop()
    }
}
