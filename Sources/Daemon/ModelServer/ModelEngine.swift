import Basics
import Foundation
import Inference
import Logging

/// The checkpoint `tetherd --model DIR` loaded, once, for everyone: the OpenAI-compatible routes
/// and (through `EngineBackend`) an agent on the daemon. One generation runs at a time on a
/// compute thread of its own; the others wait in a bounded queue (`GenerationQueue`). One
/// `PrefixCache` serves every request, so a conversation's next request reuses the keys and
/// values of the prefix it shares with an earlier one.
public final class ModelEngine: Sendable {
    public let model: GLM4VModel
    /// The name clients use: the checkpoint directory's last path component.
    public let id: String
    /// Shared by every request; each conversation prefix keeps an entry (`capacity`).
    public let prefixCache: PrefixCache
    let queue: GenerationQueue
    let created: Int
    /// Seconds the last generation took, for `Retry-After`.
    private let lastDuration = Locked<Double>(1)
    /// For tests: a pause after each piece of text, so that a generation lasts long enough to
    /// fill the queue or be abandoned.
    let pauseAfterText: Duration?
    let logger: Logger

    /// Loads the checkpoint in `directory`, multiplying as `compute` says; `queueLimit` requests
    /// may wait while one runs.
    public convenience init(
        directory: String, queueLimit: Int = ModelEngine.defaultQueueLimit, compute: ComputeOptions = ComputeOptions(),
        logger: Logger = Logger(label: "tether.daemon.model")
    ) throws(ModelServerError) {
        let model: GLM4VModel
        do { model = try GLM4VModel(directory: directory, compute: compute) } catch {
            throw ModelServerError("cannot load the model in \(directory): \(error)")
        }
        self.init(model: model, queueLimit: queueLimit, logger: logger)
    }

    public convenience init(
        model: GLM4VModel, queueLimit: Int = ModelEngine.defaultQueueLimit,
        logger: Logger = Logger(label: "tether.daemon.model")
    ) {
        self.init(model: model, queueLimit: queueLimit, pauseAfterText: nil, logger: logger)
    }

    init(model: GLM4VModel, queueLimit: Int, pauseAfterText: Duration?, logger: Logger = Logger(label: "tether.daemon.model")) {
        self.model = model
        let name = URL(fileURLWithPath: model.directory).standardizedFileURL.lastPathComponent
        id = name.isEmpty ? "model" : name
        prefixCache = PrefixCache(capacity: 8)
        queue = GenerationQueue(limit: queueLimit)
        created = Int(Date().timeIntervalSince1970)
        self.pauseAfterText = pauseAfterText
        self.logger = logger
    }

    /// Requests that may wait while one runs, unless told otherwise.
    public static let defaultQueueLimit = 4

    /// The context window: prompt and reply together.
    public var contextLength: Int { model.config.text.maxPositionEmbeddings }

    /// True when `directory` is the checkpoint this engine loaded (the same folder, however
    /// written). Jobs it serves run at its precision (`tetherd --precision`).
    public func serves(directory: String) -> Bool {
        func canonical(_ path: String) -> String {
            URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        }
        return canonical(directory) == canonical(model.directory)
    }

    /// Takes a place in the engine's queue: throws `GenerationQueue.Full` when it is full. A
    /// job's agent (`bounded: false`) is never refused and waits however long the line is.
    func admit(bounded: Bool = true) throws(GenerationQueue.Full) -> GenerationQueue.Ticket {
        try queue.admit(bounded: bounded)
    }

    /// Waits for `ticket`'s turn, generates, and gives the engine to the next in line.
    /// Cancelling the task leaves the line, or stops the generation between tokens.
    func generate(
        _ prompt: Prompt, options: GenerationOptions, ticket: GenerationQueue.Ticket,
        onText: (@Sendable (String) -> Void)? = nil
    ) async throws -> GenerationResult {
        defer { ticket.release() }
        try await queue.wait(ticket)
        let started = ContinuousClock.now
        defer { lastDuration.set((ContinuousClock.now - started) / .seconds(1)) }
        let pause = pauseAfterText
        return try await model.generate(prompt, options: options, prefixCache: prefixCache) { piece in
            onText?(piece)
            if let pause { Thread.sleep(forTimeInterval: pause / .seconds(1)) }
        }
    }

    /// A guess at when a refused request should come back: the last generation's time for the
    /// one running and each waiting, at least a second.
    func retryAfter(waiting: Int) -> Int {
        let seconds = lastDuration.value * Double(waiting + 1)
        return Int(min(max(seconds.rounded(.up), 1), 600))
    }
}
