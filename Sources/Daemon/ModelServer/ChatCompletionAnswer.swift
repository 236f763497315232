import Basics
import Foundation
import Hummingbird
import Inference

/// The answer to one admitted chat request, written while the engine generates it: server-sent
/// events (`"stream": true`) or one JSON object. A heartbeat is written every `heartbeat` while
/// the request waits or generates — an SSE comment, or a space before the JSON — so that a
/// client that went away is noticed (the write fails) and its generation is cancelled between
/// tokens.
struct ChatCompletionAnswer: Sendable {
    let engine: ModelEngine
    let request: ChatCompletionRequest
    let prompt: Prompt
    let ticket: GenerationQueue.Ticket
    let reply: ChatCompletionReply
    var heartbeat: Duration = .seconds(1)

    init(engine: ModelEngine, request: ChatCompletionRequest, prompt: Prompt, ticket: GenerationQueue.Ticket) {
        self.engine = engine
        self.request = request
        self.prompt = prompt
        self.ticket = ticket
        reply = ChatCompletionReply(
            id: "chatcmpl-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased(),
            model: engine.id, created: Int(Date().timeIntervalSince1970))
    }

    enum Event: Sendable {
        case text(String)
        case beat
        case done(GenerationResult)
        case failed(String)
    }

    func response() -> Response {
        let answer = self
        if request.stream {
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in try await answer.writeEvents(to: &writer) })
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody { writer in try await answer.writeObject(to: &writer) })
    }

    /// Runs the generation and the heartbeat as child tasks and hands their events to `handle`
    /// until the generation ends. A throwing `handle` (the client is gone) cancels both.
    func generate(_ handle: (Event) async throws -> Void) async throws {
        let (events, sink) = AsyncStream.makeStream(of: Event.self)
        let engine = self.engine, prompt = self.prompt, options = request.options, ticket = self.ticket
        let heartbeat = self.heartbeat
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    let result = try await engine.generate(prompt, options: options, ticket: ticket) { sink.yield(.text($0)) }
                    engine.logger.info(
                        "chat completion",
                        metadata: [
                            "prompt_tokens": "\(result.promptIds.count)", "cached_tokens": "\(result.reusedPromptTokens)",
                            "completion_tokens": "\(result.generatedIds.count)",
                            "seconds": "\(result.timings.vision + result.timings.prefill + result.timings.decode)"
                        ])
                    sink.yield(.done(result))
                } catch is CancellationError {
                    engine.logger.info("chat completion cancelled: the client went away")
                    sink.yield(.failed("the generation was cancelled"))
                } catch {
                    engine.logger.error("generation failed", metadata: ["error": "\(error)"])
                    sink.yield(.failed("the generation failed: \(error)"))
                }
                sink.finish()
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: heartbeat)
                    sink.yield(.beat)
                }
            }
            for await event in events {
                try await handle(event)
                if case .done = event { break }
                if case .failed = event { break }
            }
            group.cancelAll()
        }
    }

    func writeEvents(to writer: inout any ResponseBodyWriter) async throws {
        // Text that may be the start of a stop sequence is held back until it is known not to be.
        // A piece may also hold a whole stop sequence: nothing from its start on is sent.
        let stops = request.options.stopSequences
        let holdBack = max(0, (stops.map(\.count).max() ?? 0) - 1)
        var seen = "", sent = ""
        try await writer.write(Self.event(reply.chunk(delta: .object(["role": .string("assistant"), "content": .string("")]))))
        try await generate { event in
            switch event {
            case .beat:
                try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
            case .text(let piece):
                seen += piece
                let cut = stops.compactMap { seen.range(of: $0)?.lowerBound }.min()
                let sendable = cut.map { String(seen[..<$0]) } ?? String(seen.dropLast(holdBack))
                guard sendable.count > sent.count, sendable.hasPrefix(sent) else { return }
                let ready = String(sendable.dropFirst(sent.count))
                sent = sendable
                try await writer.write(Self.event(reply.chunk(delta: .object(["content": .string(ready)]))))
            case .done(let result):
                if result.text.count > sent.count, result.text.hasPrefix(sent) {
                    let rest = String(result.text.dropFirst(sent.count))
                    try await writer.write(Self.event(reply.chunk(delta: .object(["content": .string(rest)]))))
                }
                try await writer.write(Self.event(reply.chunk(finishReason: ChatCompletionReply.finishReason(result.finishReason))))
                if request.includeUsage {
                    try await writer.write(Self.event(reply.chunk(usage: ChatCompletionReply.usage(result))))
                }
            case .failed(let message):
                try await writer.write(Self.event(OpenAIError(.internalServerError, message).json))
            }
        }
        try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
        try await writer.finish(nil)
    }

    func writeObject(to writer: inout any ResponseBodyWriter) async throws {
        try await generate { event in
            switch event {
            case .beat: try await writer.write(ByteBuffer(string: " "))
            case .text: break
            case .done(let result): try await writer.write(ByteBuffer(string: reply.completion(result).description + "\n"))
            case .failed(let message): try await writer.write(ByteBuffer(string: OpenAIError(.internalServerError, message).json.description + "\n"))
            }
        }
        try await writer.finish(nil)
    }

    static func event(_ json: JSON) -> ByteBuffer {
        ByteBuffer(string: "data: \(json.description)\n\n")
    }
}
