import Foundation

/// One step as it ran, for reports.
public struct StepReport: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case passed, failed
        /// An `optional: true` step that failed; the flow went on.
        case warned
        /// Not run: a `when` that did not hold.
        case skipped
    }

    /// The command's name as written.
    public var command: String
    /// The label, or the command with its arguments in short.
    public var text: String
    public var location: SourceLocation
    /// 0 for the flow's own steps; nested in runFlow, repeat, retry and goal checks below that.
    public var depth: Int
    public var status: Status
    public var seconds: Double
    /// What happened: "tapped "Save" at (540, 1210)", or why it failed.
    public var message: String
    /// A small JPEG of the screen after the step, base64 (for the HTML report), when captured.
    public var thumbnail: String?
}

/// Why a flow failed: the failing command, where it is written, and what the phone showed.
public struct FlowFailure: Sendable, Codable, Equatable {
    public var message: String
    public var command: String?
    public var location: SourceLocation?
    /// The texts on the screen at the failure, top to bottom.
    public var screen: [String]
    /// Paths of the screenshot (PNG) and UI tree (XML) saved at the failure.
    public var screenshot: String?
    public var uiTree: String?
    /// The failure screenshot as a base64 JPEG, for the HTML report.
    public var image: String?
    /// True when the phone went away (the runner stops using it).
    public var phoneLost: Bool

    /// `login.yaml:12:5: tapOn "Sign in": no element matched "Sign in" within 7 s`
    public var summary: String {
        let prefix = location.map { "\($0): " } ?? ""
        let what = command.map { "\($0): " } ?? ""
        return prefix + what + message
    }
}

/// The phone a flow ran on.
public struct FlowDevice: Sendable, Codable, Equatable {
    public var serial: String
    public var model: String?
    public var androidVersion: String?

    public init(serial: String, model: String? = nil, androidVersion: String? = nil) {
        self.serial = serial
        self.model = model
        self.androidVersion = androidVersion
    }
}

/// One flow's result, over all its attempts.
public struct FlowResult: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case passed, failed
        /// Failed, then passed on a retry.
        case flaky
        /// Left out by the tags.
        case skipped
    }

    public var name: String
    public var file: String
    public var tags: [String]
    public var status: Status
    public var seconds: Double
    public var attempts: Int
    /// The steps of the last attempt.
    public var steps: [StepReport]
    /// The last attempt's failure (nil when it passed).
    public var failure: FlowFailure?
    /// Every failed attempt's failure, first to last (a flaky flow's failures too).
    public var earlierFailures: [FlowFailure]
    public var device: FlowDevice?
    /// The episode folders, one per attempt.
    public var episodes: [String]
    /// Files `takeScreenshot` saved.
    public var screenshots: [String]

    public var passed: Bool { status == .passed || status == .flaky || status == .skipped }
}
