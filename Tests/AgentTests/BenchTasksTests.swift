import Foundation
import TetherTestSupport
import Testing

/// `tether bench tasks`, the built executable: the oracle passes every run, counted from the
/// tasks' checks; a script that only claims success is counted as failure; one phone and two
/// give the same runs; results.json and results.md are read back.
@Suite(.serialized) struct BenchTasksTests {
    func bench(_ extra: [String], out: URL) async throws -> (ProcessResult, [String: Any]) {
        var env = ProcessInfo.processInfo.environment
        env["ANDROID_ADB_SERVER_PORT"] = "1"
        let result = try await TetherTestSupport.run(
            [tetherExecutable, "bench", "tasks", "--devices", Paths.root.appendingPathComponent("Devices").path, "--out", out.path] + extra,
            environment: env, timeout: 300)
        let data = FileManager.default.contents(atPath: out.appendingPathComponent("results.json").path) ?? Data()
        return (result, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    static func runs(_ results: [String: Any]) -> [[String: Any]] { results["runs"] as? [[String: Any]] ?? [] }

    @Test func theOracleSucceedsOnEveryRunAndTheSameOnOneOrTwoPhones() async throws {
        guard tetherIsBuilt() else { return }
        let scratch = TemporaryDirectory()
        let args = ["--oracle", "--tasks", "contacts-add-*", "--seeds", "1..2"]
        let (two, results) = try await bench(args + ["--vphones", "2"], out: scratch.url.appendingPathComponent("two"))
        let (one, single) = try await bench(args + ["--vphones", "1"], out: scratch.url.appendingPathComponent("one"))
        #expect(two.status == 0, "\(two.stdoutText)\n\(two.stderrText)")
        #expect(one.status == 0)
        let runs = Self.runs(results)
        #expect(runs.count >= 6, "\(runs.count) runs")
        #expect(runs.allSatisfy { $0["success"] as? Bool == true }, "\(runs)")
        for run in runs {
            for key in ["task", "seed", "level", "success", "steps", "seconds", "tokens", "reason"] { #expect(run[key] != nil, "no \(key)") }
        }
        let all = (results["totals"] as? [String: Any])?["all"] as? [String: Any]
        #expect(all?["runs"] as? Int == runs.count && all?["successes"] as? Int == runs.count)
        func key(_ r: [String: Any]) -> String { "\(r["task"] ?? "") \(r["seed"] ?? "") \(r["success"] ?? "") \(r["steps"] ?? "")" }
        #expect(runs.map(key) == Self.runs(single).map(key))
        let md = try String(contentsOf: scratch.url.appendingPathComponent("two/results.md"), encoding: .utf8)
        for task in Set(runs.compactMap { $0["task"] as? String }) { #expect(md.contains("| \(task) |"), "no row for \(task)") }
        let episodes = try FileManager.default.contentsOfDirectory(atPath: scratch.url.appendingPathComponent("two/episodes").path)
        #expect(episodes.count == runs.count)
    }

    /// A script that says "done" without doing anything: the agent finishes, the check fails,
    /// and the run counts as a failure. (Two tasks chosen by a comma-separated --tasks.)
    @Test func aClaimOfSuccessWithoutTheWorkIsAFailure() async throws {
        guard tetherIsBuilt() else { return }
        let scratch = TemporaryDirectory()
        let script = scratch.url.appendingPathComponent("lie.json")
        try Data(#"["<answer>finish(message=\"All done.\")</answer>"]"#.utf8).write(to: script)
        let (result, results) = try await bench(
            ["--script", script.path, "--tasks", "settings-wifi-off,settings-wifi-on", "--seeds", "1"],
            out: scratch.url.appendingPathComponent("lie"))
        #expect(result.status == 0, "\(result.stderrText)")
        let runs = Self.runs(results)
        #expect(runs.count == 2)
        #expect(runs.allSatisfy { $0["success"] as? Bool == false }, "\(runs)")
        #expect(runs.allSatisfy { ($0["reason"] as? String)?.contains("finished: All done.; check failed") == true }, "\(runs)")
        #expect(result.stdoutText.contains("success 0/2"))
    }

    /// A script that works the phone but touches the wrong switch (Bluetooth for a Wi-Fi task):
    /// every action is carried out, the agent finishes, and the run is still a failure.
    @Test func aScriptThatTapsTheWrongThingIsAFailure() async throws {
        guard tetherIsBuilt() else { return }
        let scratch = TemporaryDirectory()
        let script = scratch.url.appendingPathComponent("wrong.json")
        let replies = [
            #"<answer>do(action="Launch", app="Settings")</answer>"#,
            #"<answer>do(action="Tap", element=[238,219])</answer>"#,  // Connected devices
            #"<answer>do(action="Tap", element=[500,151])</answer>"#,  // the Bluetooth switch
            #"<answer>finish(message="Switched.")</answer>"#
        ]
        try JSONSerialization.data(withJSONObject: replies).write(to: script)
        let (result, results) = try await bench(
            ["--script", script.path, "--tasks", "settings-wifi-*", "--seeds", "1"], out: scratch.url.appendingPathComponent("wrong"))
        #expect(result.status == 0, "\(result.stderrText)")
        let runs = Self.runs(results)
        #expect(runs.count == 2)
        #expect(runs.allSatisfy { $0["success"] as? Bool == false && $0["steps"] as? Int == 4 }, "\(runs)")
        #expect(runs.allSatisfy { ($0["reason"] as? String)?.contains("check failed") == true }, "\(runs)")
        #expect(result.stdoutText.contains("success 0/2"))
    }

    @Test func usageErrorsAreRefused() async throws {
        guard tetherIsBuilt() else { return }
        let scratch = TemporaryDirectory()
        let (none, _) = try await bench(["--tasks", "x"], out: scratch.url.appendingPathComponent("a"))
        #expect(none.status != 0 && none.stderrText.contains("give one backend"), "\(none.stderrText)")
        let (seeds, _) = try await bench(["--oracle", "--seeds", "5..2"], out: scratch.url.appendingPathComponent("b"))
        #expect(seeds.status != 0 && seeds.stderrText.contains("--seeds takes A..B"), "\(seeds.stderrText)")
        let (nothing, _) = try await bench(["--oracle", "--tasks", "no-such-*"], out: scratch.url.appendingPathComponent("c"))
        #expect(nothing.status != 0 && nothing.stderrText.contains("no task matches"), "\(nothing.stderrText)")
    }
}
