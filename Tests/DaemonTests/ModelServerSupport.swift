import AsyncHTTPClient
import Foundation
import Imaging
import Inference
import NIOCore
import NIOHTTP1
import Testing
@testable import Daemon

/// The tiny random-weight checkpoint of the Inference tests, and requests to the model server.
enum ModelServerFixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("InferenceTests/Fixtures/tiny").path
    /// Loaded once: the checkpoint is immutable and safe to share.
    static let model = Result { try GLM4VModel(directory: directory) }

    static func engine(queueLimit: Int = 4, pauseAfterText: Duration? = nil) throws -> ModelEngine {
        ModelEngine(model: try model.get(), queueLimit: queueLimit, pauseAfterText: pauseAfterText)
    }

    static let system = "Act on the phone."
    static let task = "Turn off Wi-Fi"

    /// A screenshot-like picture the tiny model takes in a few image tokens.
    static func screen(_ seed: Int = 1) throws -> Image {
        var bytes: [UInt8] = []
        for y in 0..<112 {
            for x in 0..<64 {
                let v = UInt8(truncatingIfNeeded: (x * 37 + y * 11 * seed) % 251)
                bytes += [v, 255 &- v, UInt8(truncatingIfNeeded: x * 4), 255]
            }
        }
        return try Image(width: 64, height: 112, bytes: bytes)
    }

    static func dataURL(png image: Image) throws -> String {
        "data:image/png;base64," + Data(try image.pngData()).base64EncodedString()
    }

    /// A chat body: system, then a user turn with the image before the text.
    static func body(
        imageURL: String, text: String = task, maxTokens: Int = 6, stream: Bool = false, extra: [String: Any] = [:]
    ) -> [String: Any] {
        var body: [String: Any] = [
            "model": "tiny",
            "messages": [
                ["role": "system", "content": system],
                [
                    "role": "user",
                    "content": [["type": "image_url", "image_url": ["url": imageURL]], ["type": "text", "text": text]]
                ]
            ],
            "max_tokens": maxTokens, "temperature": 0, "top_p": 0.85, "frequency_penalty": 0.2, "stream": stream
        ]
        if stream { body["stream_options"] = ["include_usage": true] }
        for (k, v) in extra { body[k] = v }
        return body
    }

    /// What the engine gives directly, with nothing cached, for the same conversation.
    static func direct(image: Image, text: String = task, maxTokens: Int = 6) async throws -> GenerationResult {
        let model = try model.get()
        let prompt = try model.prompt([.system(system), .user(text, images: 1)], images: [image])
        return try await model.generate(
            prompt, options: GenerationOptions(maxTokens: maxTokens, temperature: 0, topP: 0.85, frequencyPenalty: 0.2))
    }
}

/// A streamed completion, read: the text of its deltas, its finish reason, its usage.
struct StreamedCompletion {
    var text = ""
    var finishReason: String?
    var usage: [String: Any]?
    var done = false
    var comments = 0

    init(_ body: String) throws {
        for event in body.components(separatedBy: "\n\n") where !event.isEmpty {
            if event.hasPrefix(":") {
                comments += 1
                continue
            }
            let data = try #require(event.hasPrefix("data: ") ? String(event.dropFirst(6)) : nil, "not an SSE data event: \(event)")
            if data == "[DONE]" {
                done = true
                continue
            }
            let chunk = try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
            if let u = chunk["usage"] as? [String: Any] { usage = u }
            for choice in chunk["choices"] as? [[String: Any]] ?? [] {
                if let piece = (choice["delta"] as? [String: Any])?["content"] as? String { text += piece }
                if let reason = choice["finish_reason"] as? String { finishReason = reason }
            }
        }
    }
}

extension APIReply {
    /// `error.message` of an OpenAI-shaped error.
    var openAIError: (message: String, type: String)? {
        guard let e = json?["error"] as? [String: Any], let m = e["message"] as? String, let t = e["type"] as? String else { return nil }
        return (m, t)
    }

    var firstChoice: [String: Any]? { (json?["choices"] as? [[String: Any]])?.first }
    var content: String? { (firstChoice?["message"] as? [String: Any])?["content"] as? String }
    var usage: [String: Any]? { json?["usage"] as? [String: Any] }
}

extension APIClient {
    func chat(_ body: [String: Any]) async throws -> APIReply {
        try await call(.POST, "/v1/chat/completions", json: body)
    }

    /// Posts a chat request; the reply and its `Retry-After` header.
    func chatWithHeaders(_ body: Data) async throws -> (reply: APIReply, retryAfter: String?) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/chat/completions")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await http.execute(request, timeout: .seconds(60))
        let buffer = try await response.body.collect(upTo: 1 << 20)
        return (APIReply(status: Int(response.status.code), body: Data(buffer.readableBytesView)), response.headers["Retry-After"].first)
    }

    /// Posts a streamed chat request and hands the body's chunks, as text, to `chunk` until it
    /// returns false; then cancels the request, which closes the connection.
    func chatAbandoning(_ body: Data, until chunk: @escaping @Sendable (String) -> Bool) async throws {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/chat/completions")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await http.execute(request, timeout: .seconds(60))
        for try await buffer in response.body where !chunk(String(buffer: buffer)) { return }
    }
}
