import Agent
import Basics
import AsyncHTTPClient
import Foundation
import Imaging
import Inference
import TetherTestSupport
import Trajectory
import Testing
@testable import Daemon

/// The OpenAI-compatible model server (`tetherd --model`) on the tiny checkpoint: what it
/// answers is what the engine gives directly.
@Suite(.serialized) struct ModelServerTests {
    func withModelDaemon<T: Sendable>(
        _ engine: ModelEngine? = nil, _ body: (TetherDaemon, APIClient) async throws -> T
    ) async throws -> T {
        var options = TetherDaemon.Options()
        options.model = try engine ?? ModelServerFixture.engine()
        return try await withDaemon(options: options, body)
    }

    @Test func modelsListsTheCheckpointByItsDirectoryName() async throws {
        try await withModelDaemon { _, api in
            let list = try await api.call(.GET, "/v1/models")
            #expect(list.status == 200)
            let data = try #require(list.json?["data"] as? [[String: Any]])
            #expect(data.map { $0["id"] as? String } == ["tiny"])
            #expect(data.first?["max_model_len"] as? Int == 256)
            #expect(try await api.call(.GET, "/v1/models/tiny").json?["id"] as? String == "tiny")
            let other = try await api.call(.GET, "/v1/models/autoglm-phone-9b")
            #expect(other.status == 404 && other.openAIError?.message.contains("\"tiny\"") == true, "\(other.text)")

            let anonymous = try await api.call(.GET, "/v1/models", auth: .none)
            #expect(anonymous.status == 401)
            #expect(anonymous.openAIError?.type == "authentication_error", "OpenAI's error shape: \(anonymous.text)")
        }
    }

    @Test func aCompletionWithAPNGIsWhatTheEngineGivesDirectly() async throws {
        let image = try ModelServerFixture.screen()
        let expected = try await ModelServerFixture.direct(image: image)
        try await withModelDaemon { _, api in
            let url = try ModelServerFixture.dataURL(png: image)
            let reply = try await api.chat(ModelServerFixture.body(imageURL: url))
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.content == expected.text)
            #expect(reply.usage?["completion_tokens"] as? Int == expected.generatedIds.count)
            #expect(reply.usage?["prompt_tokens"] as? Int == expected.promptIds.count)
            #expect(reply.json?["object"] as? String == "chat.completion")
            #expect(reply.firstChoice?["finish_reason"] as? String == (expected.generatedIds.count == 6 ? "length" : "stop"))

            let streamed = try await api.chat(ModelServerFixture.body(imageURL: url, stream: true))
            #expect(streamed.status == 200)
            let events = try StreamedCompletion(streamed.text)
            #expect(events.text == expected.text)
            #expect(events.done, "ends with data: [DONE]")
            #expect(events.usage?["completion_tokens"] as? Int == expected.generatedIds.count)
        }
    }

    /// A 1080×2400 screenshot of noise: several megabytes as a PNG data URI, more than the rest
    /// of the API takes in a body.
    @Test func aFullSizeScreenshotIsTaken() async throws {
        var rng = SplitMix64(seed: 7)
        let bytes = (0..<(1080 * 2400)).flatMap { _ in
            let v = rng.next()
            return [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v >> 16), 255]
        }
        let image = try Image(width: 1080, height: 2400, bytes: bytes)
        let expected = try await ModelServerFixture.direct(image: image)
        try await withModelDaemon { _, api in
            let url = try ModelServerFixture.dataURL(png: image)
            #expect(url.utf8.count > 4 << 20)
            let reply = try await api.chat(ModelServerFixture.body(imageURL: url))
            #expect(reply.status == 200, "\(reply.text.prefix(300))")
            #expect(reply.content == expected.text)
        }
    }

    @Test func aJPEGIsDecodedAsTheEngineWouldDecodeIt() async throws {
        let jpeg = try ModelServerFixture.screen(3).jpegData(quality: 80)
        let expected = try await ModelServerFixture.direct(image: try Image(jpegData: jpeg))
        try await withModelDaemon { _, api in
            let url = "data:image/jpeg;base64," + Data(jpeg).base64EncodedString()
            let reply = try await api.chat(ModelServerFixture.body(imageURL: url, stream: true))
            #expect(reply.status == 200, "\(reply.text)")
            let events = try StreamedCompletion(reply.text)
            #expect(events.text == expected.text)
            #expect(events.usage?["prompt_tokens"] as? Int == expected.promptIds.count)
        }
    }

    @Test func theNextRequestOfAConversationReusesItsPrefix() async throws {
        try await withModelDaemon { _, api in
            let first = try await api.chat(ModelServerFixture.body(imageURL: try ModelServerFixture.dataURL(png: ModelServerFixture.screen())))
            let cachedFirst = (first.usage?["prompt_tokens_details"] as? [String: Any])?["cached_tokens"] as? Int
            #expect(cachedFirst == 0)
            // The agent's next step: the old turn as text, the reply, a new screenshot.
            var body = ModelServerFixture.body(imageURL: try ModelServerFixture.dataURL(png: ModelServerFixture.screen(2)))
            var messages = try #require(body["messages"] as? [[String: Any]])
            messages.insert(["role": "user", "content": ModelServerFixture.task], at: 1)
            messages.insert(["role": "assistant", "content": first.content ?? ""], at: 2)
            body["messages"] = messages
            let second = try await api.chat(body)
            #expect(second.status == 200, "\(second.text)")
            let cached = (second.usage?["prompt_tokens_details"] as? [String: Any])?["cached_tokens"] as? Int
            #expect((cached ?? 0) > 0, "\(second.text)")
        }
    }

    @Test func stopSequencesEndTheReplyBeforeThem() async throws {
        let image = try ModelServerFixture.screen()
        let whole = try await ModelServerFixture.direct(image: image, maxTokens: 40)
        let text = whole.text
        guard text.count >= 4 else { return }
        let stop = String(text.dropFirst(text.count / 2).prefix(2))
        let at = try #require(text.range(of: stop))
        let before = String(text[..<at.lowerBound])
        try await withModelDaemon { _, api in
            let url = try ModelServerFixture.dataURL(png: image)
            let reply = try await api.chat(ModelServerFixture.body(imageURL: url, maxTokens: 40, extra: ["stop": [stop]]))
            #expect(reply.content == before, "stop \(stop.debugDescription) in \(text.debugDescription)")
            #expect(reply.firstChoice?["finish_reason"] as? String == "stop")
            let streamed = try StreamedCompletion(
                try await api.chat(ModelServerFixture.body(imageURL: url, maxTokens: 40, stream: true, extra: ["stop": stop])).text)
            #expect(streamed.text == before)
        }
    }

    @Test func aFullQueueAnswers429AndAWaiterIsServedAfter() async throws {
        let engine = try ModelServerFixture.engine(queueLimit: 1, pauseAfterText: .milliseconds(100))
        try await withModelDaemon(engine) { _, api in
            let url = try ModelServerFixture.dataURL(png: ModelServerFixture.screen())
            let long = try json(ModelServerFixture.body(imageURL: url, maxTokens: 200, stream: true))
            let served = Locked<Int?>(nil)
            let started = Locked(false), hangUp = Locked(false)
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The first request generates until told to hang up.
                group.addTask {
                    try await api.chatAbandoning(long) { _ in
                        started.set(true)
                        return !hangUp.value
                    }
                }
                #expect(await eventually(timeout: .seconds(30)) { started.value && engine.queue.isBusy })
                group.addTask { served.set(try await api.chat(ModelServerFixture.body(imageURL: url)).status) }
                #expect(await eventually(timeout: .seconds(30)) { engine.queue.waiting == 1 })
                let (refused, retryAfter) = try await api.chatWithHeaders(try json(ModelServerFixture.body(imageURL: url)))
                #expect(refused.status == 429)
                #expect(retryAfter.flatMap(Int.init).map { $0 >= 1 } == true, "Retry-After: \(retryAfter ?? "none")")
                #expect(refused.openAIError?.type == "rate_limit_error", "\(refused.text)")
                #expect(refused.openAIError?.message.contains("try again") == true)
                #expect(served.value == nil, "still waiting")
                hangUp.set(true)
                try await group.waitForAll()
            }
            #expect(served.value == 200, "the waiting request is served once the first one goes")
        }
    }

    @Test func aClientThatDisconnectsCancelsItsGeneration() async throws {
        let engine = try ModelServerFixture.engine(queueLimit: 0, pauseAfterText: .milliseconds(100))
        let whole = try await ModelServerFixture.direct(image: try ModelServerFixture.screen(), maxTokens: 200)
        try await withModelDaemon(engine) { _, api in
            let url = try ModelServerFixture.dataURL(png: ModelServerFixture.screen())
            let pieces = Locked(0)
            // Read until two pieces of text came, then hang up.
            try await api.chatAbandoning(try json(ModelServerFixture.body(imageURL: url, maxTokens: 200, stream: true))) { chunk in
                pieces.withLock { $0 += chunk.components(separatedBy: "\"content\"").count - 1 }
                return pieces.value < 3
            }
            #expect(engine.queue.isBusy, "still generating when the client left")
            // Noticed at the next heartbeat; the engine stops between tokens and takes the next.
            #expect(await eventually(timeout: .seconds(15)) { !engine.queue.isBusy })
            // Stopped, not finished: the prefix cache holds the prompt and a few tokens, not the
            // whole reply the engine gives when nobody hangs up.
            #expect(whole.generatedIds.count > 100)
            #expect(engine.prefixCache.heldTokens < whole.promptIds.count + 50, "held \(engine.prefixCache.heldTokens)")
            let next = try await api.chat(ModelServerFixture.body(imageURL: url))
            #expect(next.status == 200, "\(next.text)")
        }
    }

    /// Sampling follows `seed`: the same seed, the same reply; without one, requests differ.
    @Test func aSeedMakesSamplingRepeatable() async throws {
        try await withModelDaemon { _, api in
            let url = try ModelServerFixture.dataURL(png: ModelServerFixture.screen())
            func reply(_ extra: [String: Any]) async throws -> String {
                let body = ModelServerFixture.body(imageURL: url, maxTokens: 24, extra: ["temperature": 1.5, "top_p": 1].merging(extra) { $1 })
                return try #require(try await api.chat(body).content)
            }
            let seeded = try await reply(["seed": 42])
            #expect(try await reply(["seed": 42]) == seeded)
            var unseeded: Set<String> = []
            for _ in 0..<4 { unseeded.insert(try await reply([:])) }
            #expect(unseeded.count > 1, "four unseeded replies were all \(unseeded)")
        }
    }

    /// A request waiting its turn gets heartbeats too: hanging up while it waits gives its place
    /// back, and the running generation goes on.
    @Test func aWaiterThatHangsUpLeavesTheQueue() async throws {
        let engine = try ModelServerFixture.engine(queueLimit: 1, pauseAfterText: .milliseconds(100))
        try await withModelDaemon(engine) { _, api in
            let url = try ModelServerFixture.dataURL(png: ModelServerFixture.screen())
            let long = try json(ModelServerFixture.body(imageURL: url, maxTokens: 200, stream: true))
            let started = Locked(false), hangUp = Locked(false)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await api.chatAbandoning(long) { _ in
                        started.set(true)
                        return !hangUp.value
                    }
                }
                #expect(await eventually(timeout: .seconds(30)) { started.value && engine.queue.isBusy })
                // The waiter reads its first heartbeat, then hangs up.
                try await api.chatAbandoning(long) { chunk in !chunk.contains(": keep-alive") }
                #expect(await eventually(timeout: .seconds(15)) { engine.queue.waiting == 0 })
                #expect(engine.queue.isBusy, "the first request still generates")
                hangUp.set(true)
                try await group.waitForAll()
            }
        }
    }

    /// Without streaming the answer is one JSON object; while the engine works, spaces go
    /// before it (JSON allows them), and a client that hangs up during those is noticed too.
    @Test func aWholeAnswerWaitsBehindSpacesAndAHangUpCancelsIt() async throws {
        let engine = try ModelServerFixture.engine(queueLimit: 0, pauseAfterText: .milliseconds(300))
        try await withModelDaemon(engine) { _, api in
            let url = try ModelServerFixture.dataURL(png: ModelServerFixture.screen())
            let slow = try await api.chat(ModelServerFixture.body(imageURL: url, maxTokens: 8))
            #expect(slow.status == 200)
            #expect(slow.text.hasPrefix(" "), "a heartbeat came first: \(slow.text.prefix(20).debugDescription)")
            #expect(slow.content?.isEmpty == false, "\(slow.text)")

            let spaces = Locked(0)
            try await api.chatAbandoning(try json(ModelServerFixture.body(imageURL: url, maxTokens: 200))) { chunk in
                spaces.withLock { $0 += chunk.count }
                return false
            }
            #expect(spaces.value >= 1)
            #expect(await eventually(timeout: .seconds(15)) { !engine.queue.isBusy })
            #expect(engine.prefixCache.heldTokens < 150, "stopped early: held \(engine.prefixCache.heldTokens)")
        }
    }

    @Test func tetherdLoadsTheModelNamedInItsConfigFile() async throws {
        let scratch = TemporaryDirectory()
        let config = scratch.url.appendingPathComponent("tetherd.json")
        try JSONSerialization.data(withJSONObject: ["model": ModelServerFixture.directory, "model_queue": 1])
            .write(to: config)
        let state = scratch.url.appendingPathComponent("state")
        let port = try freePort()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let daemon = try DaemonProcess(
            ["--state-dir", state.path, "--listen", "127.0.0.1:\(port)", "--config", config.path],
            log: scratch.url.appendingPathComponent("tetherd.log"))
        try await withCleanup {
            let api = try await RestartTests.client(http: http, port: port, state: state)
            let models = try await api.call(.GET, "/v1/models")
            #expect((models.json?["data"] as? [[String: Any]])?.first?["id"] as? String == "tiny", "\(models.text)")
        } cleanup: {
            await daemon.kill(SIGTERM)
            try? await http.shutdown()
        }

        let bad = try DaemonProcess(
            ["--state-dir", state.path, "--listen", "127.0.0.1:\(port)", "--model", scratch.path],
            log: scratch.url.appendingPathComponent("bad.log"))
        let status = await bad.kill(0)
        #expect(status != 0)
        #expect(bad.output.contains("cannot load the model in \(scratch.path)"), "\(bad.output)")
    }

    /// A job's backend on the daemon's engine: it takes its turn in the same queue and, unlike a
    /// chat request, is never refused when the queue is full.
    @Test func aJobsBackendOnTheEngineWaitsItsTurn() async throws {
        let engine = try ModelServerFixture.engine(queueLimit: 0)
        #expect(engine.serves(directory: ModelServerFixture.directory + "/"))
        #expect(!engine.serves(directory: ModelServerFixture.directory + "/.."))
        let image = try ModelServerFixture.screen()
        let expected = try await ModelServerFixture.direct(image: image)
        var sampling = SamplingOptions.autoGLM
        sampling.maxTokens = 6
        let request = ModelRequest(
            messages: [
                ModelMessage(role: .system, text: ModelServerFixture.system),
                ModelMessage(role: .user, text: ModelServerFixture.task, image: image)
            ], sampling: sampling)
        let held = try engine.admit()
        #expect(throws: GenerationQueue.Full.self) { try engine.admit() }
        async let reply = EngineBackend(engine: engine).complete(request, onText: nil)
        #expect(await eventually(timeout: .seconds(30)) { engine.queue.waiting == 1 })
        held.release()
        let answer = try await reply
        #expect(answer.text == expected.text)
        #expect(answer.completionTokens == expected.generatedIds.count)
        #expect(!engine.queue.isBusy)
    }

    @Test func hostileBodiesAre4xxWithAMessage() async throws {
        try await withModelDaemon { _, api in
            let url = try ModelServerFixture.dataURL(png: ModelServerFixture.screen())
            let cases: [(String, Data, Int, String)] = [
                ("not JSON", Data("{\"model\": ".utf8), 400, "not valid JSON"),
                ("empty", Data(), 400, "empty"),
                ("an array", Data("[1]".utf8), 400, "JSON object"),
                ("no messages", try json(["model": "tiny"]), 400, "messages"),
                ("messages of the wrong type", try json(["model": "tiny", "messages": "hi"]), 400, "messages"),
                ("temperature as text", try json(ModelServerFixture.body(imageURL: url, extra: ["temperature": "hot"])), 400, "temperature"),
                ("stream as a number", try json(ModelServerFixture.body(imageURL: url, extra: ["stream": 1])), 400, "stream"),
                ("a huge max_tokens", try json(ModelServerFixture.body(imageURL: url, maxTokens: 1_000_000_000)), 400, "max_tokens"),
                ("a fractional max_tokens", try json(ModelServerFixture.body(imageURL: url, extra: ["max_tokens": 2.5])), 400, "max_tokens"),
                ("a remote image", try json(ModelServerFixture.body(imageURL: "http://example.com/screen.png")), 400, "only data URIs"),
                ("a GIF", try json(ModelServerFixture.body(imageURL: "data:image/gif;base64,R0lGODlh")), 400, "image/png or image/jpeg"),
                ("garbage PNG", try json(ModelServerFixture.body(imageURL: "data:image/png;base64,AAAAAAAA")), 400, "does not decode"),
                ("an unknown role", try json(["model": "tiny", "messages": [["role": "tool", "content": "x"]]]), 400, "role"),
                ("another model", try json(ModelServerFixture.body(imageURL: url, extra: ["model": "gpt-4o"])), 404, "serves \"tiny\""),
                ("a prompt over the context", try json(ModelServerFixture.body(imageURL: url, text: String(repeating: "word ", count: 400))), 400, "context")
            ]
            for (name, body, status, words) in cases {
                let reply = try await api.call(.POST, "/v1/chat/completions", body: body)
                #expect(reply.status == status, "\(name): \(reply.text)")
                #expect(reply.openAIError?.message.contains(words) == true, "\(name): \(reply.text)")
                #expect(reply.openAIError?.type.isEmpty == false, "\(name)")
            }
            // Unknown fields are ignored.
            let extra = try await api.chat(ModelServerFixture.body(imageURL: url, extra: ["user": "me", "logit_bias": [:]]))
            #expect(extra.status == 200, "\(extra.text)")
        }
    }

    @Test func withoutAModelTheRoutesSayHowToServeOne() async throws {
        try await withDaemon { _, api in
            for reply in [try await api.call(.GET, "/v1/models"), try await api.chat(["model": "x", "messages": []])] {
                #expect(reply.status == 404)
                #expect(reply.openAIError?.message.contains("--model") == true, "\(reply.text)")
            }
        }
    }

    func json(_ object: Any) throws -> Data { try JSONSerialization.data(withJSONObject: object) }
}
