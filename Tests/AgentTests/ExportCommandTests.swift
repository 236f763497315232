import Foundation
import TetherTestSupport
import Testing

/// The built `tether export` and `tether episode view` on a recorded demonstration.
@Suite struct ExportCommandTests {
    static let episode = ExportAutoGLMTests.repository.appendingPathComponent("Trajectories/dark-mode").path

    @Test func exportsBothFormatsAndWritesThePage() async throws {
        guard tetherIsBuilt() else { return }
        let scratch = TemporaryDirectory()
        let autoglm = scratch.url.appendingPathComponent("autoglm").path
        let a = try await run([tetherExecutable, "export", Self.episode, "--format", "autoglm", "-o", autoglm])
        #expect(a.status == 0, "\(a.stderrText)")
        #expect(a.stdoutText == "4 sample(s) from 1 episode(s) written to \(autoglm)/samples.jsonl\n")
        let lines = try String(contentsOfFile: autoglm + "/samples.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4)

        let androidcontrol = scratch.url.appendingPathComponent("ac").path
        let c = try await run([tetherExecutable, "export", Self.episode, "--format", "androidcontrol", "-o", androidcontrol])
        #expect(c.status == 0, "\(c.stderrText)")
        #expect(c.stdoutText == "1 episode(s), 3 action(s) written to \(androidcontrol)/episodes.jsonl\n")

        // Again into the same folder: refused, nothing overwritten.
        let again = try await run([tetherExecutable, "export", Self.episode, "--format", "androidcontrol", "-o", androidcontrol])
        #expect(again.status == 1)
        #expect(again.stderrText.contains("is not empty; give a new or empty folder"), "\(again.stderrText)")

        let page = scratch.url.appendingPathComponent("dark-mode.html").path
        let v = try await run([tetherExecutable, "episode", "view", Self.episode, "-o", page])
        #expect(v.status == 0, "\(v.stderrText)")
        #expect(v.stdoutText == "wrote \(page) (4 steps)\n")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.components(separatedBy: "<section class=\"step\"").count - 1 == 4)
    }

    @Test func refusesWhatCannotWork() async throws {
        guard tetherIsBuilt() else { return }
        let scratch = TemporaryDirectory()
        let out = scratch.url.appendingPathComponent("out").path
        let noModel = try await run([tetherExecutable, "export", Self.episode, "--format", "autoglm", "-o", out, "--describe"])
        #expect(noModel.status != 0)
        #expect(noModel.stderrText.contains("--describe needs a model"), "\(noModel.stderrText)")
        let wrongFormat = try await run([
            tetherExecutable, "export", Self.episode, "--format", "androidcontrol", "-o", out, "--describe", "--endpoint", "http://127.0.0.1:9/v1"
        ])
        #expect(wrongFormat.status != 0)
        #expect(wrongFormat.stderrText.contains("--describe goes with --format autoglm"), "\(wrongFormat.stderrText)")
        let noTokenizer = try await run([
            tetherExecutable, "export", Self.episode, "--format", "autoglm", "-o", out, "--tokenizer", scratch.path + "/none"
        ])
        #expect(noTokenizer.status == 1)
        #expect(noTokenizer.stderrText.contains("cannot read the tokenizer in \(scratch.path)/none"), "\(noTokenizer.stderrText)")
        let notEpisode = try await run([tetherExecutable, "export", scratch.path, "--format", "autoglm", "-o", out])
        #expect(notEpisode.status == 1)
        #expect(notEpisode.stderrText.contains("is \(scratch.path) an episode folder?"), "\(notEpisode.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: out), "nothing written when an episode cannot be read")
    }

    /// --describe through an OpenAI-compatible server: each of the person's steps is asked about
    /// once, with its screenshot, and the answers become the thinking.
    @Test func describesAPersonsStepsThroughAServer() async throws {
        guard tetherIsBuilt() else { return }
        let server = try FakeOpenAIServer { _, n in .events(FakeOpenAIServer.chunks("Reason number \(n).")) }
        let scratch = TemporaryDirectory()
        let out = scratch.url.appendingPathComponent("out").path
        let result = try await run([
            tetherExecutable, "export", Self.episode, "--format", "autoglm", "-o", out, "--describe", "--endpoint", server.baseURL
        ])
        try await server.stop()
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stdoutText.contains("4 step(s) of a person described by"), "\(result.stdoutText)")
        let asked = server.requests.filter { $0.uri.hasSuffix("/chat/completions") }
        #expect(asked.count == 4)
        let content = (asked.first?.json?["messages"] as? [[String: Any]])?.last?["content"] as? [[String: Any]]
        #expect(content?.contains { $0["type"] as? String == "image_url" } == true, "the screenshot is shown")
        let lines = try String(contentsOfFile: out + "/samples.jsonl", encoding: .utf8).split(separator: "\n")
        let last = try JSONSerialization.jsonObject(with: Data((lines.last ?? "").utf8)) as? [String: Any]
        let messages = try #require(last?["messages"] as? [[String: String]])
        #expect(messages.last?["content"] == "<think>Reason number 4.</think><answer>do(action=\"Back\")</answer>")
        #expect(messages[2]["content"]?.hasPrefix("<think>Reason number 1.</think>") == true)
    }
}
