import Basics
import Trajectory
import Foundation
import Imaging
import Inference
import Testing
@testable import Agent

/// Realistic AutoGLM replies, as a served model streams them (tags kept).
enum Replies {
    static let launch = "<think>The home screen is showing. The task needs the Contacts app, so I open it directly.</think>\n<answer>do(action=\"Launch\", app=\"Contacts\")</answer>"
}

func sampleRequest(image: Image?) -> ModelRequest {
    var t = Transcript(systemPrompt: "SYS", task: "Find Alice's number")
    t.addObservation(currentApp: "System Home")
    t.addReply(.parsed(thinking: "look", answer: #"do(action="Home")"#))
    t.addObservation(currentApp: "System Home")
    return t.request(image: image)
}

final class TextCollector: Sendable {
    private let pieces = Locked<[String]>([])
    func add(_ s: String) { pieces.withLock { $0.append(s) } }
    var all: [String] { pieces.value }
}

@Suite(.serialized) struct OpenAIBackendTests {
    func screenshot() throws -> Image {
        var img = try Image(width: 36, height: 80, fill: .white)
        _ = img.setPixel(x: 3, y: 5, to: .red)
        return img
    }

    func backend(
        _ server: FakeOpenAIServer, stream: Bool = true, upload: ImageUpload = .png,
        attempts: Int = 3
    ) -> OpenAIBackend {
        OpenAIBackend(
            configuration: .init(
                baseURL: server.baseURL + "/", model: "autoglm-phone-9b", apiKey: "sk-test",
                imageUpload: upload, stream: stream, readTimeout: .seconds(10),
                requestTimeout: .seconds(20), maxAttempts: attempts,
                retryDelay: .milliseconds(20)))
    }

    @Test func streamsAReplyAndSendsTheTrainedRequest() async throws {
        let server = try FakeOpenAIServer { _, _ in .events(FakeOpenAIServer.chunks(Replies.launch)) }
        let b = backend(server)
        let collected = TextCollector()
        let image = try screenshot()
        let reply = try await b.complete(sampleRequest(image: image)) { collected.add($0) }
        try await b.shutdown()
        try await server.stop()

        #expect(reply.text == Replies.launch)
        #expect(collected.all.joined() == Replies.launch)
        #expect(collected.all.count > 3, "streamed in pieces")
        #expect(reply.promptTokens == 1234 && reply.completionTokens == 56)
        #expect(reply.reusedPromptTokens == 1024, "the server's prefix-cache hits")
        #expect(reply.timings.firstText != nil)

        let req = try #require(server.requests.first)
        #expect(req.uri == "/v1/chat/completions")
        #expect(req.header("Authorization") == "Bearer sk-test")
        let json = try #require(req.json)
        #expect(json["model"] as? String == "autoglm-phone-9b")
        #expect(json["max_tokens"] as? Int == 3000)
        #expect(json["temperature"] as? Double == 0)
        #expect(json["top_p"] as? Double == 0.85)
        #expect(json["frequency_penalty"] as? Double == 0.2)
        #expect(json["stream"] as? Bool == true)
        #expect((json["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true, "usage asked for")
        let messages = try #require(json["messages"] as? [[String: Any]])
        #expect(messages.map { $0["role"] as? String } == ["system", "user", "assistant", "user"])
        #expect(messages[1]["content"] as? String == "Find Alice's number\n\n{\"current_app\": \"System Home\"}")
        let parts = try #require(messages[3]["content"] as? [[String: Any]])
        #expect(parts.map { $0["type"] as? String } == ["image_url", "text"], "image first")
        let url = try #require((parts[0]["image_url"] as? [String: Any])?["url"] as? String)
        #expect(url.hasPrefix("data:image/png;base64,"))
        let decoded = try Image(encodedData: [UInt8](try #require(Data(base64Encoded: String(url.dropFirst(22))))))
        #expect(decoded == image)
        #expect(parts[1]["text"] as? String == "** Screen Info **\n\n{\"current_app\": \"System Home\"}")
    }

    @Test func nonStreamingJSONAndJPEGUpload() async throws {
        let body = #"{"choices":[{"index":0,"message":{"role":"assistant","content":"<answer>do(action=\"Back\")</answer>"}}],"usage":{"prompt_tokens":9,"completion_tokens":3}}"#
        let server = try FakeOpenAIServer { _, _ in .json(status: 200, body: body) }
        let b = backend(server, stream: false, upload: .jpeg(quality: 80))
        let reply = try await b.complete(sampleRequest(image: try screenshot()), onText: nil)
        try await b.shutdown()
        try await server.stop()
        #expect(reply.text == #"<answer>do(action="Back")</answer>"#)
        #expect(reply.promptTokens == 9)
        #expect(reply.reusedPromptTokens == nil, "no prompt_tokens_details: nothing claimed")
        let json = try #require(server.requests.first?.json)
        #expect(json["stream"] as? Bool == false)
        #expect(json["stream_options"] == nil, "stream_options only with stream")
        let text = String(data: try #require(server.requests.first?.body), encoding: .utf8) ?? ""
        #expect(text.contains("data:image\\/jpeg;base64,") || text.contains("data:image/jpeg;base64,"))
    }

    @Test func retriesOverloadAndDroppedConnections() async throws {
        let server = try FakeOpenAIServer { _, n in
            switch n {
            case 1: .json(status: 503, body: #"{"error":{"message":"overloaded"}}"#)
            case 2: .hangUp
            case 3: .json(status: 429, body: "slow down")
            default: .events(FakeOpenAIServer.chunks(Replies.launch))
            }
        }
        let b = backend(server, attempts: 4)
        let reply = try await b.complete(sampleRequest(image: nil), onText: nil)
        try await b.shutdown()
        try await server.stop()
        #expect(reply.text == Replies.launch)
        #expect(server.requests.count == 4)
    }

    @Test func givesUpAfterTheLastAttemptWithTheServersMessage() async throws {
        let server = try FakeOpenAIServer { _, _ in .json(status: 500, body: #"{"error":{"message":"CUDA out of memory"}}"#) }
        let b = backend(server, attempts: 2)
        do {
            _ = try await b.complete(sampleRequest(image: nil), onText: nil)
            Issue.record("no error")
        } catch let e as ModelBackendError {
            #expect(e.message == "the model server answered 500: CUDA out of memory")
        }
        try await b.shutdown()
        try await server.stop()
        #expect(server.requests.count == 2)
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let server = try FakeOpenAIServer { _, _ in
            .json(status: 400, body: #"{"object":"error","message":"This model's maximum context length is 25480 tokens."}"#)
        }
        let b = backend(server)
        do {
            _ = try await b.complete(sampleRequest(image: nil), onText: nil)
            Issue.record("no error")
        } catch let e as ModelBackendError {
            #expect(e.message.contains("400") && e.message.contains("maximum context length"))
        }
        try await b.shutdown()
        try await server.stop()
        #expect(server.requests.count == 1)
    }

    @Test func unreachableServerIsReportedClearly() async throws {
        // Take a free port, then close the server so nothing listens there.
        let server = try FakeOpenAIServer { _, _ in .hangUp }
        let url = server.baseURL
        try await server.stop()
        let b = OpenAIBackend(
            configuration: .init(
                baseURL: url, model: "m", connectTimeout: .seconds(1),
                maxAttempts: 2, retryDelay: .milliseconds(10)))
        do {
            _ = try await b.complete(sampleRequest(image: nil), onText: nil)
            Issue.record("no error")
        } catch let e as ModelBackendError {
            // Short, not nested, and not retried (a refused connection stays refused).
            #expect(e.message == "could not reach the model server at \(url): connection refused")
        }
        do {
            try await b.probe(timeout: .seconds(3))
            Issue.record("the probe reached nothing")
        } catch {
            #expect(error.message == "could not reach the model server at \(url): connection refused")
        }
        try await b.shutdown()
    }

    @Test func theProbeAcceptsAnyHTTPAnswer() async throws {
        let server = try FakeOpenAIServer(answersModelList: false) { _, _ in .json(status: 404, body: #"{"error":{"message":"no such route"}}"#) }
        let b = OpenAIBackend(configuration: .init(baseURL: server.baseURL, model: "m"))
        try await b.probe()
        try await b.shutdown()
        try await server.stop()
        #expect(server.requests.map(\.uri) == ["/v1/models"])
    }

    @Test func theProbeLearnsTheServersContextLengthForItsModel() async throws {
        let list = #"{"object":"list","data":[{"id":"other","max_model_len":999},{"id":"m","max_model_len":8192}]}"#
        let server = try FakeOpenAIServer(answersModelList: false) { _, _ in .json(status: 200, body: list) }
        let b = OpenAIBackend(configuration: .init(baseURL: server.baseURL, model: "m"))
        #expect(b.contextLength == nil)
        try await b.probe()
        #expect(b.contextLength == 8192)
        try await b.shutdown()
        try await server.stop()
        // A list without it (or for another model) says nothing.
        #expect(OpenAIBackend.contextLength(inModels: Array(#"{"data":[{"id":"m"}]}"#.utf8), model: "m") == nil)
        #expect(OpenAIBackend.contextLength(inModels: Array(list.utf8), model: "x") == nil)
        #expect(OpenAIBackend.contextLength(inModels: Array("not json".utf8), model: "m") == nil)
    }

    @Test func serverSentEventsAcrossChunkBoundaries() {
        var p = ServerSentEvents()
        #expect(p.feed("data: {\"a\"") == [])
        #expect(p.feed(":1}\n") == [])
        #expect(p.feed("\n: comment\n\ndata: x\r\ndata: y\r\n\r\n") == ["{\"a\":1}", "x\ny"])
    }
}

@Suite struct ScriptedBackendTests {
    @Test func repliesInOrderThenFails() async throws {
        let b = ScriptedBackend(replies: ["one", "two"])
        #expect(b.description.contains("no model"))
        #expect(try await b.complete(sampleRequest(image: nil), onText: nil).text == "one")
        #expect(try await b.complete(sampleRequest(image: nil), onText: nil).text == "two")
        await #expect(throws: ModelBackendError.self) { try await b.complete(sampleRequest(image: nil), onText: nil) }
        #expect(await b.requests.count == 3)
    }
}

@Suite struct InProcessBackendTests {
    static let tiny = Paths.root.appendingPathComponent("Tests/InferenceTests/Fixtures/tiny").path

    @Test func requestBecomesTheEnginesChatLayout() async throws {
        let model = try GLM4VModel(directory: Self.tiny)
        let backend = InProcessBackend(model: model)
        let image = try Image(width: 64, height: 112, fill: .blue)
        let request = sampleRequest(image: image)
        let prompt = try backend.prompt(for: request)

        // The same conversation written by hand in the engine's terms.
        let expected = try model.prompt(
            [
                .system("SYS"),
                .user("Find Alice's number\n\n{\"current_app\": \"System Home\"}"),
                .assistant("<think>look</think><answer>do(action=\"Home\")</answer>"),
                .user("** Screen Info **\n\n{\"current_app\": \"System Home\"}", images: 1)
            ], images: [image])
        #expect(prompt.tokenIds == expected.tokenIds)
        #expect(prompt.images.count == 1)

        // Random weights: the text is noise, but generation runs through the backend.
        var r = request
        r.sampling.maxTokens = 4
        let collected = TextCollector()
        let reply = try await backend.complete(r) { collected.add($0) }
        #expect(reply.completionTokens.map { $0 >= 1 && $0 <= 4 } == true)
        #expect(reply.promptTokens == expected.tokenIds.count)
        #expect(collected.all.joined() == reply.text)
    }

    @Test func consecutiveStepsReuseTheUnchangedPrefix() async throws {
        let model = try GLM4VModel(directory: Self.tiny)
        let backend = InProcessBackend(model: model)
        var sampling = SamplingOptions.autoGLM
        sampling.maxTokens = 4
        // Two agent steps: the second request has the first turn without its screenshot.
        var transcript = Transcript(systemPrompt: "You are a phone agent.", task: "Find Alice's number")
        transcript.addObservation(currentApp: "System Home")
        let first = transcript.request(image: try Image(width: 64, height: 112, fill: .blue), sampling: sampling)
        let firstReply = try await backend.complete(first, onText: nil)
        #expect(firstReply.reusedPromptTokens == 0)

        transcript.addReply(.parsed(thinking: "look", answer: #"do(action="Launch", app="Contacts")"#))
        transcript.addObservation(currentApp: "Contacts")
        let second = transcript.request(image: try Image(width: 64, height: 112, fill: .red), sampling: sampling)
        let secondReply = try await backend.complete(second, onText: nil)
        // Reused: everything before the first step's screenshot.
        let firstIds = try backend.prompt(for: first).tokenIds
        let imageStart = try #require(firstIds.firstIndex(of: model.config.imageStartTokenId))
        #expect(secondReply.reusedPromptTokens == imageStart)
        #expect(imageStart > 5)

        // The same reply as a backend with nothing cached.
        let fresh = try await InProcessBackend(model: model).complete(second, onText: nil)
        #expect(fresh.reusedPromptTokens == 0)
        #expect(secondReply.text == fresh.text)
        #expect(secondReply.completionTokens == fresh.completionTokens)
    }
}
