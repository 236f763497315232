import Foundation

/// Writes episodes in AndroidControl's layout (docs/export.md): `episodes.jsonl`, one line per
/// episode with its goal, screenshots, accessibility trees and actions, and the files in a
/// folder per episode. As in AndroidControl, an episode has one screenshot per observation and
/// one action fewer: the action of the last step (usually `finish`) has no screen after it.
public struct AndroidControlExport: Sendable {
    /// One line of `episodes.jsonl`.
    public struct Line: Sendable, Equatable, Codable {
        public var episodeId: Int
        /// The episode's folder name in this export (where its files are).
        public var episodeName: String
        public var goal: String
        public var screenshots: [String]
        public var screenshotWidths: [Int]
        public var screenshotHeights: [Int]
        /// The UI tree (uiautomator XML) captured with each screenshot, or null.
        public var accessibilityTrees: [String?]
        public var actions: [AndroidControlAction]
        /// The Tether step each screenshot comes from.
        public var tetherSteps: [Int]

        enum CodingKeys: String, CodingKey {
            case goal, screenshots, actions
            case episodeId = "episode_id", episodeName = "episode_name", screenshotWidths = "screenshot_widths"
            case screenshotHeights = "screenshot_heights", accessibilityTrees = "accessibility_trees"
            case tetherSteps = "tether_steps"
        }
    }

    /// What an export wrote.
    public struct Summary: Sendable, Equatable {
        public var episodes = 0
        public var actions = 0
        /// Actions with no AndroidControl equivalent, written as `unmapped`.
        public var unmapped = 0
    }

    /// Where a step's UI tree is, relative to the episode folder, when it has one.
    public var uiTree: @Sendable (StepRecord) -> String?

    public init(uiTree: @escaping @Sendable (StepRecord) -> String? = { $0.uiTree }) {
        self.uiTree = uiTree
    }

    /// Exports `episodes` into `folder`.
    public func export(_ episodes: [Episode], to folder: inout ExportFolder) throws(ExportError) -> Summary {
        var lines: [Line] = []
        var summary = Summary()
        for (index, episode) in episodes.enumerated() {
            let name = folder.name(for: episode)
            let line = try self.line(for: episode, id: index, name: name, folder: folder)
            summary.episodes += 1
            summary.actions += line.actions.count
            summary.unmapped += line.actions.filter { $0.actionType == AndroidControlAction.unmapped }.count
            lines.append(line)
        }
        try folder.writeLines(lines, to: "episodes.jsonl")
        return summary
    }

    func line(for episode: Episode, id: Int, name: String, folder: ExportFolder) throws(ExportError) -> Line {
        var line = Line(
            episodeId: id, episodeName: name, goal: episode.info.task, screenshots: [], screenshotWidths: [],
            screenshotHeights: [], accessibilityTrees: [], actions: [], tetherSteps: [])
        let steps = episode.steps.filter { $0.screen != nil }
        for (index, step) in steps.enumerated() {
            guard let screen = step.screen, let width = step.screenWidth, let height = step.screenHeight else { continue }
            let number = String(format: "%04d", index)
            line.screenshots.append(
                try folder.copy(screen, of: episode, to: "\(name)/screenshot-\(number).\(ExportFolder.fileExtension(screen))"))
            line.screenshotWidths.append(width)
            line.screenshotHeights.append(height)
            line.accessibilityTrees.append(
                try uiTree(step).map { tree throws(ExportError) in
                    try folder.copy(tree, of: episode, to: "\(name)/tree-\(number).\(ExportFolder.fileExtension(tree))")
                })
            line.tetherSteps.append(step.step)
            guard index < steps.count - 1 else { break }
            if let text = step.action, let action = try? ActionParser.parse(text).action {
                line.actions.append(AndroidControlAction(action, width: width, height: height))
            } else {
                line.actions.append(AndroidControlAction(actionType: AndroidControlAction.unmapped))
            }
        }
        if line.screenshots.count != steps.count {
            throw ExportError(
                "\(episode.directory.path): a step with a screenshot has no screen_width/screen_height; AndroidControl needs the sizes")
        }
        return line
    }
}
