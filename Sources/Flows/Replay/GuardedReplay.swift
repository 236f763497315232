import Agent
import AndroidPhone
import Foundation
import Trajectory

/// A replay with its guard's consequence: where the screen no longer matches, it stops, or it
/// hands the rest of the task to the agent (the episode's own task text); with a record folder
/// both parts go into one new episode — replayed steps marked `"source": "replay"`, then the
/// agent's steps, numbered on.
public struct GuardedReplay: Sendable {
    public enum OnDivergence: String, Sendable, CaseIterable {
        case stop
        case agent
    }

    public struct Report: Sendable {
        public var replay: Replayer.Result
        /// The agent's outcome when it took over; nil when it did not.
        public var agent: Outcome?
        /// Every step replayed, or the agent finished what replay could not.
        public var completed: Bool { replay.divergence == nil || agent?.status == .finished }
    }

    public var replayer: Replayer
    public var onDivergence: OnDivergence
    /// The agent that takes over (`onDivergence == .agent`); its own record folder is ignored.
    public var agent: Agent?
    /// The new episode's folder (empty or absent); nil: not recorded.
    public var recordDirectory: URL?

    public init(replayer: Replayer, onDivergence: OnDivergence = .stop, agent: Agent? = nil, recordDirectory: URL? = nil) {
        self.replayer = replayer
        self.onDivergence = onDivergence
        self.agent = agent
        self.recordDirectory = recordDirectory
    }

    public func run(
        _ episode: Episode, device: EpisodeInfo.Device? = nil, onStep: @escaping @Sendable (String) -> Void = { _ in }
    )
        async throws -> Report
    {
        var replayer = self.replayer
        var writer: EpisodeWriter?
        if let recordDirectory {
            var info = EpisodeInfo(
                task: episode.info.task, startedAt: Date(), language: episode.info.language,
                backend: "replay of \(episode.directory.lastPathComponent)", sampling: episode.info.sampling, device: device,
                systemPrompt: "")
            info.source = StepSource.replay.rawValue
            writer = try EpisodeWriter(directory: recordDirectory, info: info)
        }
        replayer.recorder = writer
        let result: Replayer.Result
        do { result = try await replayer.run(episode, onStep: onStep) } catch {
            try? await writer?.finish(Outcome(status: .failed, message: "replay failed: \(error)", steps: 0))
            throw error
        }
        guard let divergence = result.divergence else {
            try await writer?.finish(Outcome(status: .finished, message: "replayed all \(result.completed) steps", steps: result.completed))
            return Report(replay: result, agent: nil)
        }
        guard onDivergence == .agent, var agent else {
            try await writer?.finish(
                Outcome(status: .failed, message: "step \(divergence.step) diverged: \(divergence.reason)", steps: result.completed))
            return Report(replay: result, agent: nil)
        }
        onStep("handing over to the agent after \(result.completed) replayed step\(result.completed == 1 ? "" : "s")")
        agent.recordDirectory = nil
        let outcome = await agent.run(
            task: episode.info.task,
            handover: Agent.Handover(
                recorder: writer, stepsDone: result.completed, note: Self.note(result, divergence: divergence)))
        return Report(replay: result, agent: outcome)
    }

    /// What the model is told with its first screen: what was replayed, and why replay stopped.
    static func note(_ result: Replayer.Result, divergence: (step: Int, reason: String)) -> String {
        let done =
            result.actions.isEmpty
            ? "Nothing of the recording could be replayed."
            : "The first \(result.actions.count) step\(result.actions.count == 1 ? " was" : "s were") replayed from a person's recording: "
                + result.actions.joined(separator: "; ") + "."
        return done + " The recording's step \(divergence.step) no longer matched the screen (\(divergence.reason)). Go on with the task from the screen as it is now."
    }
}
