import Trajectory
import Foundation
import Imaging

/// One message of a request, backend-neutral. Only a user message carries an image, and in an
/// agent request only the newest one does.
public struct ModelMessage: Sendable {
    public enum Role: String, Sendable, Codable { case system, user, assistant }

    public var role: Role
    public var text: String
    /// Placed before the text, as the model was trained.
    public var image: Image?

    public init(role: Role, text: String, image: Image? = nil) {
        self.role = role
        self.text = text
        self.image = image
    }
}

public struct ModelRequest: Sendable {
    public var messages: [ModelMessage]
    public var sampling: SamplingOptions

    public init(messages: [ModelMessage], sampling: SamplingOptions = .autoGLM) {
        self.messages = messages
        self.sampling = sampling
    }
}

/// Where the time of one model call went, in seconds.
public struct ModelTimings: Sendable, Equatable, Codable {
    /// From sending the request to the first piece of text (nil if none came).
    public var firstText: Double?
    public var total: Double

    public init(firstText: Double? = nil, total: Double = 0) {
        self.firstText = firstText
        self.total = total
    }
}

public struct ModelReply: Sendable {
    public var text: String
    public var timings: ModelTimings
    /// Tokens in and out when the backend knows them.
    public var promptTokens: Int?
    public var completionTokens: Int?
    /// Leading prompt tokens the backend did not have to run because an earlier request's KV
    /// cache held them (the in-process backend's prefix cache, a server's prefix cache), when it
    /// says.
    public var reusedPromptTokens: Int?

    public init(
        text: String, timings: ModelTimings, promptTokens: Int? = nil, completionTokens: Int? = nil,
        reusedPromptTokens: Int? = nil
    ) {
        self.text = text
        self.timings = timings
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.reusedPromptTokens = reusedPromptTokens
    }
}

/// Something that turns a request into the model's reply: the in-process engine, an
/// OpenAI-compatible server, or a script.
public protocol ModelBackend: Sendable {
    /// A short, honest name for logs and episode files ("scripted (3 replies)",
    /// "openai-compatible http://…/v1 model autoglm-phone-9b", "in-process /models/…").
    var description: String { get }

    /// Produces one reply. `onText` receives the text as it grows, piece by piece. Cancelling
    /// the calling task cancels the request.
    func complete(_ request: ModelRequest, onText: (@Sendable (String) -> Void)?) async throws -> ModelReply

    /// Tokens the model can attend to, prompt and reply together, when the backend knows it
    /// (the in-process engine reads it from the checkpoint); nil when it does not.
    var contextLength: Int? { get }
}

extension ModelBackend {
    public var contextLength: Int? { nil }
}

/// Backend failures that are not the transport's own.
public struct ModelBackendError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Replies from a list, in order: for tests and demonstrations of the loop without a model.
/// It never claims to be a model (see `description`).
public actor ScriptedBackend: ModelBackend {
    private var replies: [String]
    private var next = 0
    /// Every request received, for tests to inspect.
    public private(set) var requests: [ModelRequest] = []

    public nonisolated let description: String

    public init(replies: [String]) {
        self.replies = replies
        description = "scripted (\(replies.count) prepared replies, no model)"
    }

    public func complete(_ request: ModelRequest, onText: (@Sendable (String) -> Void)?) async throws -> ModelReply {
        try Task.checkCancellation()
        requests.append(request)
        guard next < replies.count else {
            throw ModelBackendError("the scripted backend has no reply left (it had \(replies.count))")
        }
        let text = replies[next]
        next += 1
        onText?(text)
        return ModelReply(text: text, timings: ModelTimings(firstText: 0, total: 0))
    }

    public var remaining: Int { replies.count - next }
}
