import Basics
import Trajectory
import AsyncHTTPClient
import Foundation
import Imaging
import Logging
import NIOCore
import NIOHTTP1

/// How the screenshot travels to a remote server (as a `data:` URL).
public enum ImageUpload: Sendable, Equatable {
    /// Lossless, as the reference agent sends it.
    case png
    /// Smaller and faster to upload; quality 1–100.
    case jpeg(quality: Int)

    public func dataURL(for image: Image) throws -> String {
        switch self {
        case .png:
            return "data:image/png;base64," + Data(try image.pngData()).base64EncodedString()
        case .jpeg(let q):
            return "data:image/jpeg;base64," + Data(try image.jpegData(quality: min(max(q, 1), 100))).base64EncodedString()
        }
    }
}

/// A model served behind an OpenAI-compatible `/chat/completions` endpoint: vLLM, SGLang or a
/// hosted API. Streams the reply (server-sent events), retries what is worth retrying, and
/// reports the server's own error message otherwise.
public final class OpenAIBackend: ModelBackend, Sendable {
    public struct Configuration: Sendable {
        /// The API root, e.g. `http://localhost:8000/v1`; `/chat/completions` is appended.
        public var baseURL: String
        public var model: String
        /// Sent as `Authorization: Bearer …` unless nil or empty.
        public var apiKey: String?
        public var imageUpload: ImageUpload
        /// Ask for a streamed reply (`"stream": true`).
        public var stream: Bool
        /// Longest silence from the server (no bytes) before giving up.
        public var readTimeout: TimeAmount
        public var connectTimeout: TimeAmount
        /// Longest time for a whole request, answer included.
        public var requestTimeout: TimeAmount
        /// Tries per request, the first included, for connection failures and 408/429/5xx.
        public var maxAttempts: Int
        /// The wait before the second try; it doubles each time.
        public var retryDelay: Duration
        /// Servers that share the requests (`baseURL` is then unused): each request goes to the
        /// pool's next healthy one, and a failed try to another.
        public var pool: EndpointPool?

        public init(
            baseURL: String, model: String, apiKey: String? = nil, imageUpload: ImageUpload = .png,
            stream: Bool = true, readTimeout: TimeAmount = .seconds(300), connectTimeout: TimeAmount = .seconds(10),
            requestTimeout: TimeAmount = .seconds(900), maxAttempts: Int = 3, retryDelay: Duration = .seconds(1),
            pool: EndpointPool? = nil
        ) {
            self.pool = pool
            self.baseURL = baseURL
            self.model = model
            self.apiKey = apiKey
            self.imageUpload = imageUpload
            self.stream = stream
            self.readTimeout = readTimeout
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.maxAttempts = maxAttempts
            self.retryDelay = retryDelay
        }
    }

    public let configuration: Configuration
    private let client: HTTPClient
    private let logger: Logger
    /// The model's context length, when the server said it (`max_model_len` in `/v1/models`, as
    /// vLLM and Tether's own server report it): history is then trimmed to fit it.
    private let serverContext = Locked<Int?>(nil)

    public var contextLength: Int? { serverContext.value }

    public var description: String {
        if let pool = configuration.pool { return "openai-compatible pool of \(pool.endpoints.count) for model \(configuration.model)" }
        return "openai-compatible \(configuration.baseURL) model \(configuration.model)"
    }

    public init(configuration: Configuration, logger: Logger = Logger(label: "tether.agent.openai")) {
        self.configuration = configuration
        self.logger = logger
        var http = HTTPClient.Configuration()
        http.timeout = .init(connect: configuration.connectTimeout, read: configuration.readTimeout)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
    }

    /// Closes the connections. Call once, when done.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// Checks, within `timeout`, that something answers HTTP at the base URL (any status will
    /// do: `GET …/models`), so that a wrong or dead endpoint fails in seconds, before a run starts.
    public func probe(timeout: Duration = .seconds(5)) async throws(ModelBackendError) {
        // A pool is checked by the daemon's health checks; a request waits for a healthy server.
        guard configuration.pool == nil else { return }
        var base = configuration.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        var request = HTTPClientRequest(url: base + "/models")
        request.method = .GET
        if let key = configuration.apiKey, !key.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        let milliseconds = Int64(timeout / .milliseconds(1))
        do {
            let response = try await client.execute(request, timeout: .milliseconds(milliseconds), logger: logger)
            if let body = try? await response.body.collect(upTo: 1 << 20), response.status == .ok {
                serverContext.set(Self.contextLength(inModels: Array(body.readableBytesView), model: configuration.model))
            }
        } catch {
            throw ModelBackendError("could not reach the model server at \(configuration.baseURL): \(Self.connectionFailure(error, within: timeout))")
        }
    }

    /// `max_model_len` of `model` in a `/v1/models` answer, when it is there and sensible.
    static func contextLength(inModels body: [UInt8], model: String) -> Int? {
        guard let entries = (try? JSON.decode(body))?["data"]?.array else { return nil }
        let entry = entries.first { $0["id"]?.string == model }
        guard let length = entry?["max_model_len"]?.double, length >= 256, length <= 10_000_000 else { return nil }
        return Int(length)
    }

    /// A connection error in a few words, without the HTTP client's nesting.
    static func connectionFailure(_ error: any Error, within timeout: Duration? = nil) -> String {
        let text = String(describing: error).lowercased()
        if text.contains("refused") { return "connection refused" }
        if text.contains("resolve") || text.contains("getaddrinfo") || text.contains("name or service") { return "unknown host" }
        if text.contains("unreachable") { return "network unreachable" }
        if text.contains("deadline") || text.contains("timeout") || text.contains("timedout") {
            return timeout.map { "no answer within \($0)" } ?? "no answer in time"
        }
        if text.contains("remoteconnectionclosed") || text.contains("reset") { return "the server closed the connection" }
        return String(describing: error)
    }

    static func isPermanent(_ reason: String) -> Bool {
        reason == "connection refused" || reason == "unknown host" || reason == "network unreachable"
    }

    var endpoint: String { Self.completions(configuration.baseURL) }

    static func completions(_ base: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/chat/completions"
    }

    /// The JSON body, as vLLM and the hosted APIs take it: the image as an `image_url` part before
    /// the text.
    public func body(for request: ModelRequest) throws -> Data {
        var messages: [[String: Any]] = []
        for m in request.messages {
            if let image = m.image {
                messages.append([
                    "role": m.role.rawValue,
                    "content": [
                        ["type": "image_url", "image_url": ["url": try configuration.imageUpload.dataURL(for: image)]],
                        ["type": "text", "text": m.text]
                    ]
                ])
            } else {
                messages.append(["role": m.role.rawValue, "content": m.text])
            }
        }
        var body: [String: Any] = [
            "model": configuration.model,
            "messages": messages,
            "max_tokens": request.sampling.maxTokens,
            "temperature": request.sampling.temperature,
            "top_p": request.sampling.topP,
            "frequency_penalty": request.sampling.frequencyPenalty,
            "stream": configuration.stream
        ]
        // The token counts come in a last chunk only when asked for (vLLM, SGLang, OpenAI).
        if configuration.stream { body["stream_options"] = ["include_usage": true] }
        if let seed = request.sampling.seed { body["seed"] = seed }
        return try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
    }

    public func complete(_ request: ModelRequest, onText: (@Sendable (String) -> Void)?) async throws -> ModelReply {
        let payload = try body(for: request)
        var attempt = 1
        var delay = configuration.retryDelay
        // With a pool, a failed try goes to another server at once: every server gets a chance.
        let attempts = configuration.pool.map { max(configuration.maxAttempts, $0.endpoints.count + 1) } ?? configuration.maxAttempts
        while true {
            do {
                guard let pool = configuration.pool else { return try await once(payload, base: configuration.baseURL, onText: onText) }
                let base = try await pool.take()
                do {
                    let reply = try await once(payload, base: base, onText: onText)
                    pool.succeeded(base)
                    return reply
                } catch let failure as Failure where failure.retryable {
                    pool.failed(base, retryAfter: failure.retryAfter, reason: failure.error.message)
                    if attempt < attempts {
                        attempt += 1
                        continue
                    }
                    throw failure
                }
            } catch let failure as Failure where failure.retryable && attempt < attempts {
                logger.warning(
                    "model request failed; retrying",
                    metadata: ["attempt": "\(attempt)", "error": "\(failure.error)"])
                try await Task.sleep(for: delay)
                delay *= 2
                attempt += 1
            } catch let failure as Failure {
                throw failure.error
            }
        }
    }

    /// An error with whether trying again may help.
    struct Failure: Error {
        var error: ModelBackendError
        var retryable: Bool
        /// What the server asked for (`Retry-After` in seconds), with a 429 or 503.
        var retryAfter: Duration? = nil
    }

    private func once(_ payload: Data, base: String, onText: (@Sendable (String) -> Void)?) async throws -> ModelReply {
        var req = HTTPClientRequest(url: Self.completions(base))
        req.method = .POST
        req.headers.add(name: "Content-Type", value: "application/json")
        req.headers.add(name: "Accept", value: configuration.stream ? "text/event-stream" : "application/json")
        if let key = configuration.apiKey, !key.isEmpty { req.headers.add(name: "Authorization", value: "Bearer \(key)") }
        req.body = .bytes(ByteBuffer(bytes: payload))

        let started = ContinuousClock.now
        func seconds(since t: ContinuousClock.Instant) -> Double {
            (ContinuousClock.now - t) / .seconds(1)
        }

        let response: HTTPClientResponse
        do {
            response = try await client.execute(req, timeout: configuration.requestTimeout, logger: logger)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // Nobody listening, or no such host: trying again in a second will not change that.
            let reason = Self.connectionFailure(error)
            throw Failure(
                error: ModelBackendError("could not reach the model server at \(base): \(reason)"),
                retryable: !Self.isPermanent(reason) || configuration.pool != nil)
        }

        let status = response.status.code
        guard (200..<300).contains(status) else {
            var body = ""
            do {
                let bytes = try await response.body.collect(upTo: 64 * 1024)
                body = String(buffer: bytes)
            } catch {}
            let message = OpenAIBackend.serverMessage(body)
            let retryable = status == 408 || status == 429 || status >= 500
            var hint = ""
            if status == 401 || status == 403 { hint = " (check the API key)" }
            if status == 404 { hint = " (check the base URL, which should end in /v1, and the model name)" }
            let retryAfter = response.headers["retry-after"].first.flatMap(Double.init).map { Duration.milliseconds(Int(min($0, 600) * 1000)) }
            throw Failure(
                error: ModelBackendError("the model server answered \(status)\(hint): \(message)"), retryable: retryable,
                retryAfter: retryAfter)
        }

        let isStream = response.headers["content-type"].first?.lowercased().contains("text/event-stream") ?? false
        var text = ""
        var firstText: Double?
        var usage = Usage()
        var received = false
        do {
            if isStream {
                var parser = ServerSentEvents()
                streaming: for try await chunk in response.body {
                    received = true
                    for event in parser.feed(String(buffer: chunk)) {
                        if event == "[DONE]" { break streaming }
                        let delta = try OpenAIBackend.decodeChunk(event)
                        if let u = delta.usage { usage = u }
                        if let piece = delta.text, !piece.isEmpty {
                            if firstText == nil { firstText = seconds(since: started) }
                            text += piece
                            onText?(piece)
                        }
                    }
                }
            } else {
                let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
                received = true
                let decoded = try OpenAIBackend.decodeCompletion(String(buffer: bytes))
                text = decoded.text
                usage = decoded.usage
                firstText = seconds(since: started)
                onText?(text)
            }
        } catch let e as ModelBackendError {
            throw Failure(error: e, retryable: false)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // A broken connection before any byte is worth another try; after, the text seen so
            // far was already shown, so the failure is reported.
            throw Failure(error: ModelBackendError("the model server's reply broke off: \(error)"), retryable: !received)
        }
        return ModelReply(
            text: text, timings: ModelTimings(firstText: firstText, total: seconds(since: started)),
            promptTokens: usage.prompt, completionTokens: usage.completion, reusedPromptTokens: usage.cached)
    }

    /// `error.message` of an OpenAI-style error body, else the body itself (shortened).
    static func serverMessage(_ body: String) -> String {
        if let data = body.data(using: .utf8),
            let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        {
            if let e = obj["error"] as? [String: Any], let m = e["message"] as? String { return m }
            if let m = obj["message"] as? String { return m }
            if let d = obj["detail"] as? String { return d }
        }
        let flat = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if flat.isEmpty { return "(empty body)" }
        return flat.count > 300 ? String(flat.prefix(300)) + "…" : flat
    }

    /// `usage` of a reply: tokens in and out, and the prompt tokens a server's prefix cache
    /// served (`prompt_tokens_details.cached_tokens`).
    struct Usage: Equatable {
        var prompt: Int?
        var completion: Int?
        var cached: Int?

        init(prompt: Int? = nil, completion: Int? = nil, cached: Int? = nil) {
            self.prompt = prompt
            self.completion = completion
            self.cached = cached
        }

        init?(_ object: Any?) {
            guard let u = object as? [String: Any] else { return nil }
            let details = u["prompt_tokens_details"] as? [String: Any]
            self.init(
                prompt: u["prompt_tokens"] as? Int, completion: u["completion_tokens"] as? Int,
                cached: details?["cached_tokens"] as? Int)
        }
    }

    static func decodeChunk(_ json: String) throws(ModelBackendError) -> (text: String?, usage: Usage?) {
        guard let data = json.data(using: .utf8),
            let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else {
            throw ModelBackendError("the model server sent an event that is not JSON: \(json.prefix(200))")
        }
        if let e = obj["error"] as? [String: Any] {
            throw ModelBackendError("the model server reported an error mid-stream: \(e["message"] as? String ?? "\(e)")")
        }
        let choice = (obj["choices"] as? [[String: Any]])?.first
        let delta = choice?["delta"] as? [String: Any]
        return (delta?["content"] as? String, Usage(obj["usage"]))
    }

    static func decodeCompletion(_ json: String) throws(ModelBackendError) -> (text: String, usage: Usage) {
        guard let data = json.data(using: .utf8),
            let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else {
            throw ModelBackendError("the model server's reply is not JSON: \(json.prefix(200))")
        }
        guard let choice = (obj["choices"] as? [[String: Any]])?.first,
            let message = choice["message"] as? [String: Any],
            let content = message["content"] as? String
        else {
            throw ModelBackendError("the model server's reply has no choices[0].message.content: \(json.prefix(200))")
        }
        return (content, Usage(obj["usage"]) ?? Usage())
    }
}
