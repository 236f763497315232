import Basics
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// An OpenAI-compatible `/v1/chat/completions` server on 127.0.0.1 and a free port, answering
/// from a responder closure, recording every request. Stop it with `stop()`.
final class FakeOpenAIServer: Sendable {
    struct Request: Sendable {
        var method: String
        var uri: String
        var headers: [(String, String)]
        var body: Data

        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    enum Response: Sendable {
        /// Server-sent events, each string one `data:` payload, then `data: [DONE]`.
        case events([String])
        case json(status: Int, body: String)
        /// Close the connection without answering.
        case hangUp
    }

    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    private let log: Recorder
    let port: Int

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }
    var requests: [Request] { log.all }

    final class Recorder: Sendable {
        private let items = Locked<[Request]>([])
        func add(_ r: Request) -> Int {
            items.withLock { items in
                items.append(r)
                return items.count
            }
        }
        var all: [Request] { items.value }
    }

    /// `respond` gets the request and its 1-based number. `GET …/models` (what `tether run` probes
    /// before starting) is answered with a one-model list, not counted and not passed to `respond`,
    /// unless `answersModelList` is false.
    init(answersModelList: Bool = true, respond: @escaping @Sendable (Request, Int) -> Response) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let log = Recorder()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(Handler(log: log, answersModelList: answersModelList, respond: respond))
                }
            }
        do {
            channel = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
        self.group = group
        self.log = log
        port = channel.localAddress?.port ?? 0
    }

    func stop() async throws {
        try await channel.close()
        try await group.shutdownGracefully()
    }

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let log: Recorder
        let answersModelList: Bool
        let respond: @Sendable (Request, Int) -> Response
        var head: HTTPRequestHead?
        var body = Data()

        init(log: Recorder, answersModelList: Bool, respond: @escaping @Sendable (Request, Int) -> Response) {
            self.log = log
            self.answersModelList = answersModelList
            self.respond = respond
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h):
                head = h
                body = Data()
            case .body(var buf):
                if let bytes = buf.readBytes(length: buf.readableBytes) { body.append(contentsOf: bytes) }
            case .end:
                guard let head else { return }
                if answersModelList, head.method == .GET, head.uri.hasSuffix("/models") {
                    answer(.json(status: 200, body: #"{"object":"list","data":[{"id":"autoglm-phone-9b","object":"model"}]}"#), context: context)
                    return
                }
                let req = Request(
                    method: "\(head.method)", uri: head.uri,
                    headers: head.headers.map { ($0.name, $0.value) }, body: body)
                let n = log.add(req)
                answer(respond(req, n), context: context)
            }
        }

        func answer(_ response: Response, context: ChannelHandlerContext) {
            switch response {
            case .hangUp:
                context.close(promise: nil)
            case .json(let status, let text):
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/json")
                headers.add(name: "Content-Length", value: "\(text.utf8.count)")
                headers.add(name: "Connection", value: "close")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
            case .events(let events):
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "text/event-stream")
                headers.add(name: "Connection", value: "close")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                for e in events + ["[DONE]"] {
                    // Split each event across two writes to exercise chunk boundaries.
                    let text = "data: \(e)\n\n"
                    let mid = text.index(text.startIndex, offsetBy: text.count / 2)
                    context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: String(text[..<mid]))))), promise: nil)
                    context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: String(text[mid...]))))), promise: nil)
                }
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
            }
        }
    }

    /// The streamed chunks of `text`, as vLLM sends them: a role delta, content pieces, a final
    /// chunk with usage (with `prompt_tokens_details`, as with `--enable-prompt-tokens-details`).
    static func chunks(_ text: String, pieceLength: Int = 7) -> [String] {
        func obj(_ o: [String: Any]) -> String {
            (try? JSONSerialization.data(withJSONObject: o)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
        }
        var out = [
            obj([
                "id": "c1", "object": "chat.completion.chunk",
                "choices": [["index": 0, "delta": ["role": "assistant", "content": ""]]]
            ])
        ]
        var rest = Substring(text)
        while !rest.isEmpty {
            let piece = rest.prefix(pieceLength)
            rest = rest.dropFirst(piece.count)
            out.append(
                obj([
                    "id": "c1", "object": "chat.completion.chunk",
                    "choices": [["index": 0, "delta": ["content": String(piece)]]]
                ]))
        }
        out.append(
            obj([
                "id": "c1", "object": "chat.completion.chunk",
                "choices": [["index": 0, "delta": [:], "finish_reason": "stop"]],
                "usage": ["prompt_tokens": 1234, "completion_tokens": 56, "prompt_tokens_details": ["cached_tokens": 1024]]
            ]))
        return out
    }
}
