import Agent
import Foundation
import Trajectory

/// How flows run: timeouts, variables, the model for `goal` and `assertWithAI`, where evidence goes.
public struct FlowRunOptions: Sendable {
    /// How long a selector is looked for before a command fails (Maestro's 7 s for asserts).
    public var lookupTimeout: Duration = .seconds(7)
    /// How long the screen may keep moving before a lookup reads it anyway.
    public var settleTimeout: Duration = .seconds(2)
    /// A whole flow's limit (`--timeout`), nil for none.
    public var flowTimeout: Duration?
    /// `-e KEY=VALUE`: over the flow's own `env`.
    public var variables: [String: String] = [:]
    /// The model for `goal` and `assertWithAI`; nil: those commands fail saying so.
    public var backend: (any ModelBackend)?
    public var shortcuts: ShortcutLibrary = .empty
    public var language: PromptLanguage = .english
    /// Episodes go here, one folder per flow attempt; nil: none written.
    public var episodesDirectory: URL?
    /// Failure screenshots and UI trees, and `takeScreenshot` files, go here.
    public var outputDirectory: URL
    /// Keep a small picture of the screen after every step (for the HTML report).
    public var thumbnails = false

    public init(outputDirectory: URL) { self.outputDirectory = outputDirectory }

    /// What `goal` and `assertWithAI` say without a model.
    public static let needsModel =
        "needs a model: run tether test with --endpoint URL [--model-name NAME] (an OpenAI-compatible server) or --model DIR, as tether run takes"
}
