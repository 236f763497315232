import Basics
import Foundation
import Hummingbird

/// The shape every message POSTed to `/mcp` must have before the MCP SDK sees it: a JSON-RPC 2.0
/// request or notification (`jsonrpc` "2.0", a string `method`, an `id` that is a string, a
/// number or null). The SDK is lenient (it took `{"jsonrpc": {}}` as a notification); the
/// daemon answers what docs/api.yaml promises.
enum MCPEnvelope {
    /// Why `body` is not such a message, or nil when it is.
    static func problem(in body: ByteBuffer) -> String? {
        guard let value = try? JSON.decode(Array(body.readableBytesView)) else { return "the body is not JSON" }
        guard let message = value.object else { return "the body must be one JSON-RPC message (an object)" }
        guard message["jsonrpc"]?.string == "2.0" else { return "\"jsonrpc\" must be \"2.0\"" }
        guard message["method"]?.string != nil else {
            return "\"method\" must be a string (a stateless server takes requests and notifications only)"
        }
        switch message["id"] {
        case nil, .string?, .number?, .null?: return nil
        default: return "\"id\" must be a string, a number or null"
        }
    }

    /// A JSON-RPC "Invalid Request" answer.
    static func refusal(_ problem: String) -> Response {
        let text =
            #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: "#
            + problem.replacingOccurrences(of: "\"", with: "\\\"") + #""}}"#
        return Response(
            status: .badRequest, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
