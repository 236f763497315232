import AsyncHTTPClient
import Foundation
import Logging
import MCP
import NIOCore

/// `tether mcp --daemon URL`: the desktop client's MCP messages, read from stdin, relayed to the
/// daemon's `/mcp` (with its token), the replies written to stdout. The daemon's tools then act
/// on its phones, its leases and its job queue. Messages are relayed side by side, so a long
/// run_task does not hold up other calls; a daemon that cannot be reached, or refuses the token,
/// becomes a JSON-RPC error for the request, not a dropped connection.
struct DaemonRelay {
    let endpoint: String
    let token: String?
    let logger: Logger

    func run() async throws {
        let stdio = StdioTransport(logger: logger)
        try await stdio.connect()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let messages = await stdio.receive()
        await withTaskGroup(of: Void.self) { group in
            do {
                for try await message in messages {
                    group.addTask {
                        guard let reply = await relay(message, http: http) else { return }
                        do { try await stdio.send(reply) } catch {
                            logger.warning("cannot write a reply", metadata: ["error": "\(error)"])
                        }
                    }
                }
            } catch {
                logger.warning("stdin failed", metadata: ["error": "\(error)"])
            }
            await group.waitForAll()
        }
        try? await http.shutdown()
        await stdio.disconnect()
    }

    /// The daemon's reply to one message; nil for a notification or a client's response.
    func relay(_ message: Data, http: HTTPClient) async -> Data? {
        let id = Self.requestID(message)
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json, text/event-stream")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(bytes: message))
        do {
            // run_task and task_status wait up to 600 s on the daemon.
            let response = try await http.execute(request, timeout: .seconds(900))
            let body = Data(try await response.body.collect(upTo: 64 << 20).readableBytesView)
            switch response.status.code {
            case 200: return body.isEmpty ? nil : body
            case 202: return nil
            case 401:
                return id.map {
                    Self.error(id: $0, "the daemon at \(endpoint) refused the token: set TETHER_TOKEN to the one in its <state-dir>/token")
                }
            default:
                let said = (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["error"].map { "\($0)" }
                let reason = said ?? String(decoding: body.prefix(300), as: UTF8.self)
                return id.map { Self.error(id: $0, "the daemon at \(endpoint) answered \(response.status.code): \(reason)") }
            }
        } catch {
            return id.map { Self.error(id: $0, "cannot reach the daemon at \(endpoint) (\(error)); is tetherd running there?") }
        }
    }

    /// The id of a JSON-RPC request (a message with a method and an id).
    static func requestID(_ message: Data) -> Any? {
        guard let object = try? JSONSerialization.jsonObject(with: message) as? [String: Any], object["method"] != nil else { return nil }
        return object["id"]
    }

    /// A JSON-RPC error reply (internal error) to the request `id`.
    static func error(id: Any, _ message: String) -> Data {
        let reply: [String: Any] = ["jsonrpc": "2.0", "id": id, "error": ["code": -32603, "message": message]]
        return (try? JSONSerialization.data(withJSONObject: reply)) ?? Data()
    }
}
