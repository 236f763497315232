import Basics
import Foundation
import Hummingbird
import Inference

/// The OpenAI-compatible model server (docs/model-server.md): `GET /v1/models` and
/// `POST /v1/chat/completions`, served by the engine `tetherd --model DIR` loaded, behind the
/// same token as the rest of the API (OpenAI clients send it as their API key).
extension DaemonAPI {
    func addModelServerRoutes(to router: Router<DaemonRequestContext>) {
        let engine = modelEngine
        router.get("/v1/models") { _, _ in
            guard let engine else { throw OpenAIError.noModel }
            return JSONResponse.make(ChatCompletionReply.modelList(engine))
        }
        router.get("/v1/models/:id") { _, context in
            guard let engine else { throw OpenAIError.noModel }
            let id = context.parameters.get("id") ?? ""
            guard id == engine.id else { throw Self.unknownModel(id, engine: engine) }
            return JSONResponse.make(ChatCompletionReply.model(engine))
        }
        router.post("/v1/chat/completions") { request, _ in
            guard let engine else { throw OpenAIError.noModel }
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: ChatCompletionRequest.maxBody) } catch {
                throw OpenAIError(.contentTooLarge, "the body is larger than \(ChatCompletionRequest.maxBody) bytes; send smaller images")
            }
            let (chat, prompt) = try await Self.read(body, for: engine)
            let ticket: GenerationQueue.Ticket
            do { ticket = try engine.admit() } catch let full as GenerationQueue.Full {
                throw OpenAIError(
                    .tooManyRequests,
                    "the model is busy: one request runs and \(full.waiting) wait, the most this daemon queues; try again later",
                    retryAfter: engine.retryAfter(waiting: full.waiting))
            }
            return ChatCompletionAnswer(engine: engine, request: chat, prompt: prompt, ticket: ticket).response()
        }
    }

    /// Parses the body, decodes its images and builds the prompt, on a thread of its own (a few
    /// megabytes of base64 and PNG, and the image processor, would hold a cooperative thread).
    static func read(_ body: ByteBuffer, for engine: ModelEngine) async throws -> (ChatCompletionRequest, Prompt) {
        let bytes = Array(body.readableBytesView)
        return try await ComputeThread.run { _ in
            let json: JSON
            do { json = try JSON.decode(bytes) } catch {
                throw OpenAIError.invalid(bytes.isEmpty ? "the body is empty; send a JSON object" : "the body is not valid JSON")
            }
            var chat = try ChatCompletionRequest(json, contextLength: engine.contextLength)
            guard chat.model == engine.id else { throw unknownModel(chat.model, engine: engine) }
            let prompt: Prompt
            do { prompt = try engine.model.prompt(chat.messages, images: chat.images) } catch {
                throw OpenAIError.invalid("the messages cannot be made into a prompt: \(error)", param: "messages")
            }
            guard prompt.tokenIds.count < engine.contextLength else {
                throw OpenAIError.invalid(
                    "the prompt is \(prompt.tokenIds.count) tokens; the model's context holds \(engine.contextLength), prompt and reply together: send less",
                    param: "messages")
            }
            // The prompt holds the processed pixels; the decoded images are not needed again.
            chat.images = []
            return (chat, prompt)
        }
    }

    static func unknownModel(_ name: String, engine: ModelEngine) -> OpenAIError {
        OpenAIError(.notFound, "the model \"\(name)\" is not served here; this daemon serves \"\(engine.id)\"", param: "model", code: "model_not_found")
    }
}
