import Foundation
import Imaging

/// Writes an episode folder as the run goes: `episode.json` (rewritten at start and end),
/// `steps.jsonl` (one line appended per step) and `screens/step-NNNN.png` (or `.jpg`), in the
/// current format.
public actor EpisodeWriter {
    /// How screenshots are saved: PNG (lossless, the default) or JPEG at a quality (1–100).
    public enum ScreenFormat: Sendable, Equatable {
        case png
        case jpeg(quality: Int)
    }

    public nonisolated let directory: URL
    public nonisolated let screenFormat: ScreenFormat
    private var info: EpisodeInfo
    private var steps: FileHandle?

    /// Creates the folder (it must be empty or absent) and writes `episode.json`.
    public init(directory: URL, info: EpisodeInfo, screens: ScreenFormat = .png) throws(EpisodeError) {
        self.directory = directory
        self.screenFormat = screens
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

    /// Saves the step's screenshot (if any) and UI tree (if any, as `screens/step-NNNN.xml`) and
    /// appends its line. Returns the record as written.
    @discardableResult
    public func record(_ step: StepRecord, screen: Image?, uiTree: String? = nil) throws(EpisodeError) -> StepRecord {
        var step = step
        if let uiTree {
            let name = String(format: "screens/step-%04d.xml", step.step)
            do { try Data(uiTree.utf8).write(to: directory.appendingPathComponent(name)) } catch {
                throw EpisodeError("cannot save \(directory.appendingPathComponent(name).path): \(error.localizedDescription)")
            }
            step.uiTree = name
        }
        if let screen {
            let name: String
            switch screenFormat {
            case .png: name = String(format: "screens/step-%04d.png", step.step)
            case .jpeg: name = String(format: "screens/step-%04d.jpg", step.step)
            }
            do {
                switch screenFormat {
                case .png: try Data(try screen.pngData()).write(to: directory.appendingPathComponent(name))
                case .jpeg(let quality):
                    try Data(try screen.jpegData(quality: min(max(quality, 1), 100))).write(to: directory.appendingPathComponent(name))
                }
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

    /// The episode's header as it stands.
    public var header: EpisodeInfo { info }

    /// Changes the episode's header (`episode.json`, rewritten at once): a run that takes over an
    /// episode another part began says its backend and system prompt.
    public func amend(_ change: @Sendable (inout EpisodeInfo) -> Void) throws(EpisodeError) {
        change(&info)
        do {
            try EpisodeJSON.encoder(pretty: true).encode(info).write(
                to: directory.appendingPathComponent("episode.json"), options: .atomic)
        } catch {
            throw EpisodeError("cannot write \(directory.appendingPathComponent("episode.json").path): \(error.localizedDescription)")
        }
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
