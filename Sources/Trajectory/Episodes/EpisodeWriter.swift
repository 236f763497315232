import Foundation
import Imaging

/// Writes an episode folder as the run goes: `episode.json` (rewritten at start and end),
/// `steps.jsonl` (one line appended per step) and `screens/step-NNNN.png`, in the current format.
public actor EpisodeWriter {
    public nonisolated let directory: URL
    private var info: EpisodeInfo
    private var steps: FileHandle?

    /// Creates the folder (it must be empty or absent) and writes `episode.json`.
    public init(directory: URL, info: EpisodeInfo) throws(EpisodeError) {
        self.directory = directory
        var info = info
        info.format = EpisodeInfo.currentFormat
        self.info = info
        let fm = FileManager.default
        if let existing = try? fm.contentsOfDirectory(atPath: directory.path), !existing.isEmpty {
            throw EpisodeError("the episode folder \(directory.path) is not empty; give a new folder")
        }
        do {
            try fm.createDirectory(at: directory.appendingPathComponent("screens"), withIntermediateDirectories: true)
            try Data().write(to: directory.appendingPathComponent("steps.jsonl"))
            steps = try FileHandle(forWritingTo: directory.appendingPathComponent("steps.jsonl"))
            try EpisodeJSON.encoder(pretty: true).encode(info).write(
                to: directory.appendingPathComponent("episode.json"), options: .atomic)
        } catch {
            throw EpisodeError("cannot create the episode folder \(directory.path): \(error.localizedDescription)")
        }
    }

    /// Saves the step's screenshot (if any) and appends its line. Returns the record as written.
    @discardableResult
    public func record(_ step: StepRecord, screen: Image?) throws(EpisodeError) -> StepRecord {
        var step = step
        if let screen {
            let name = String(format: "screens/step-%04d.png", step.step)
            do {
                try Data(try screen.pngData()).write(to: directory.appendingPathComponent(name))
            } catch {
                throw EpisodeError("cannot save \(directory.appendingPathComponent(name).path): \(error.localizedDescription)")
            }
            step.screen = name
            step.screenWidth = screen.width
            step.screenHeight = screen.height
        }
        do {
            var line = try EpisodeJSON.encoder(pretty: false).encode(step)
            line.append(0x0A)
            try steps?.write(contentsOf: line)
        } catch {
            throw EpisodeError("cannot append to \(directory.appendingPathComponent("steps.jsonl").path): \(error.localizedDescription)")
        }
        info.outcome.steps = step.step
        return step
    }

    /// Writes the outcome and closes the files.
    public func finish(_ outcome: Outcome, at date: Date = Date()) throws(EpisodeError) {
        info.outcome = outcome
        info.endedAt = date
        try? steps?.close()
        steps = nil
        do {
            try EpisodeJSON.encoder(pretty: true).encode(info).write(
                to: directory.appendingPathComponent("episode.json"), options: .atomic)
        } catch {
            throw EpisodeError("cannot write \(directory.appendingPathComponent("episode.json").path): \(error.localizedDescription)")
        }
    }
}
