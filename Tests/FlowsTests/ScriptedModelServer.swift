import Basics
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A scripted OpenAI-compatible server on 127.0.0.1 and a free port: `GET …/models` lists one
/// model; each `POST …/chat/completions` gets the next prepared reply as a plain JSON completion.
/// Keeps the requests' bodies. Stop it with `stop()`.
final class ScriptedModelServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let state: Locked<(replies: [String], bodies: [Data])>
    let port: Int

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }
    var bodies: [Data] { state.value.bodies }

    init(replies: [String]) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let state = Locked<(replies: [String], bodies: [Data])>((replies, []))
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(Handler(state: state))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        self.group = group
        self.state = state
        port = channel.localAddress?.port ?? 0
    }

    func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let state: Locked<(replies: [String], bodies: [Data])>
        var head: HTTPRequestHead?
        var body = Data()

        init(state: Locked<(replies: [String], bodies: [Data])>) { self.state = state }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h):
                head = h
                body = Data()
            case .body(var buffer):
                body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
            case .end:
                guard let head else { return }
                let answer: (HTTPResponseStatus, [String: Any])
                if head.method == .GET, head.uri.hasSuffix("/models") {
                    answer = (.ok, ["object": "list", "data": [["id": "scripted", "object": "model"]]])
                } else {
                    let body = self.body
                    let reply: String? = state.withLock { s in
                        s.bodies.append(body)
                        return s.replies.isEmpty ? nil : s.replies.removeFirst()
                    }
                    if let reply {
                        answer = (
                            .ok,
                            [
                                "id": "c", "object": "chat.completion", "model": "scripted",
                                "choices": [["index": 0, "finish_reason": "stop", "message": ["role": "assistant", "content": reply]]]
                            ]
                        )
                    } else {
                        answer = (.internalServerError, ["error": ["message": "the scripted server has no reply left"]])
                    }
                }
                let bytes = (try? JSONSerialization.data(withJSONObject: answer.1)) ?? Data()
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/json")
                headers.add(name: "Content-Length", value: "\(bytes.count)")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: answer.0, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
