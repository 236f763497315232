import Foundation

/// The result of `tether bench tasks`: one run per task × seed, success decided by the task's
/// state check (never by the agent's claim), and the totals with 95 % Wilson intervals.
/// `results.json` is this encoded; `results.md` is `markdown`.
public struct TaskBenchReport: Codable, Sendable, Equatable {
    public struct Run: Codable, Sendable, Equatable {
        public var task: String
        public var seed: UInt64
        public var level: String
        public var success: Bool
        public var steps: Int
        public var seconds: Double
        /// Prompt and completion tokens of the run's model calls, as far as the backend reported them.
        public var tokens: Int
        /// How the agent's run ended and what the check said.
        public var reason: String

        public init(task: String, seed: UInt64, level: String, success: Bool, steps: Int, seconds: Double, tokens: Int, reason: String) {
            self.task = task
            self.seed = seed
            self.level = level
            self.success = success
            self.steps = steps
            self.seconds = seconds
            self.tokens = tokens
            self.reason = reason
        }
    }

    /// Successes out of runs, with the rate's 95 % Wilson score interval.
    public struct Rate: Codable, Sendable, Equatable {
        public var runs: Int
        public var successes: Int
        public var rate: Double
        public var low: Double
        public var high: Double

        public init(successes: Int, runs: Int) {
            self.runs = runs
            self.successes = successes
            rate = runs == 0 ? 0 : Double(successes) / Double(runs)
            (low, high) = Self.wilson(successes: successes, runs: runs)
        }

        /// The 95 % Wilson score interval (z = 1.96) of a binomial proportion.
        public static func wilson(successes: Int, runs: Int, z: Double = 1.959964) -> (low: Double, high: Double) {
            guard runs > 0 else { return (0, 1) }
            let n = Double(runs), p = Double(successes) / n, z2 = z * z
            let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
            let half = z * ((p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()) / (1 + z2 / n)
            return (max(0, centre - half), min(1, centre + half))
        }
    }

    public struct Totals: Codable, Sendable, Equatable {
        public var all: Rate
        public var byLevel: [String: Rate]
        enum CodingKeys: String, CodingKey {
            case all
            case byLevel = "by_level"
        }
    }

    public var backend: String
    public var command: String
    public var runs: [Run]
    public var totals: Totals

    public init(backend: String, command: String, runs: [Run]) {
        self.backend = backend
        self.command = command
        self.runs = runs.sorted { ($0.task, $0.seed) < ($1.task, $1.seed) }
        var levels: [String: (Int, Int)] = [:]
        for run in runs { levels[run.level, default: (0, 0)].0 += run.success ? 1 : 0; levels[run.level, default: (0, 0)].1 += 1 }
        totals = Totals(
            all: Rate(successes: runs.filter(\.success).count, runs: runs.count),
            byLevel: levels.mapValues { Rate(successes: $0.0, runs: $0.1) })
    }

    /// Success by level and by task (with intervals); steps, seconds and tokens per task (means).
    public var markdown: String {
        func pct(_ r: Rate) -> String { String(format: "%.0f %% [%.0f–%.0f]", r.rate * 100, r.low * 100, r.high * 100) }
        var out = "# Task success\n\nBackend: \(backend)  \nCommand: `\(command)`\n\n"
        out += "| level | runs | successes | success (95 % CI) |\n|---|---|---|---|\n"
        for level in ["easy", "medium", "hard"] + totals.byLevel.keys.filter({ !["easy", "medium", "hard"].contains($0) }).sorted() {
            guard let r = totals.byLevel[level] else { continue }
            out += "| \(level) | \(r.runs) | \(r.successes) | \(pct(r)) |\n"
        }
        out += "| **all** | \(totals.all.runs) | \(totals.all.successes) | \(pct(totals.all)) |\n\n"
        out += "| task | level | runs | success (95 % CI) | steps | seconds | tokens |\n|---|---|---|---|---|---|---|\n"
        let byTask = Dictionary(grouping: runs, by: \.task)
        for task in byTask.keys.sorted() {
            let rs = byTask[task] ?? []
            let rate = Rate(successes: rs.filter(\.success).count, runs: rs.count)
            let n = Double(max(rs.count, 1))
            let means = String(
                format: "%.1f | %.1f | %.0f", Double(rs.map(\.steps).reduce(0, +)) / n, rs.map(\.seconds).reduce(0, +) / n,
                Double(rs.map(\.tokens).reduce(0, +)) / n)
            out += "| \(task) | \(rs.first?.level ?? "") | \(rs.count) | \(pct(rate)) | \(means) |\n"
        }
        return out
    }
}
