import Flows
import Foundation
import Testing

@Suite struct TaskBenchReportTests {
    /// Against the textbook values of the 95 % Wilson score interval.
    @Test func wilsonIntervalsAreTheKnownOnes() {
        let cases: [(Int, Int, Double, Double)] = [(0, 10, 0, 0.27753), (5, 10, 0.23659, 0.76341), (10, 10, 0.72247, 1), (81, 100, 0.72221, 0.87485)]
        for (k, n, low, high) in cases {
            let r = TaskBenchReport.Rate(successes: k, runs: n)
            #expect(abs(r.low - low) < 1e-4 && abs(r.high - high) < 1e-4, "\(k)/\(n): \(r.low)–\(r.high)")
        }
        #expect(TaskBenchReport.Rate(successes: 0, runs: 0).rate == 0)
    }

    @Test func totalsByLevelAndTheMarkdownHaveEveryTask() throws {
        func run(_ task: String, _ seed: UInt64, _ level: String, _ ok: Bool) -> TaskBenchReport.Run {
            .init(task: task, seed: seed, level: level, success: ok, steps: 4, seconds: 1.5, tokens: 100, reason: ok ? "passed" : "failed")
        }
        let report = TaskBenchReport(
            backend: "oracle", command: "tether bench tasks",
            runs: [run("b", 2, "hard", false), run("a", 1, "easy", true), run("a", 2, "easy", true), run("b", 1, "hard", true)])
        #expect(report.runs.map(\.task) == ["a", "a", "b", "b"])
        #expect(report.totals.all.successes == 3 && report.totals.all.runs == 4)
        #expect(report.totals.byLevel["easy"]?.rate == 1)
        #expect(report.totals.byLevel["hard"]?.successes == 1)
        let md = report.markdown
        #expect(md.contains("| a | easy | 2 | 100 %"))
        #expect(md.contains("| b | hard | 2 | 50 %"))
        #expect(md.contains("| **all** | 4 | 3 | 75 %"))
        let json = try JSONEncoder().encode(report)
        let back = try JSONDecoder().decode(TaskBenchReport.self, from: json)
        #expect(back == report)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect((object["totals"] as? [String: Any])?["by_level"] != nil)
    }
}
