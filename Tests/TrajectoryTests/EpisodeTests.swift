import Foundation
import Imaging
import TetherTestSupport
import Testing
@testable import Trajectory

@Suite struct EpisodeTests {
    @Test func writesTheDocumentedLayoutAndReadsItBack() async throws {
        let scratch = TemporaryDirectory()
        let dir = scratch.url.appendingPathComponent("episode")
        defer { try? FileManager.default.removeItem(at: dir) }
        let start = Date(timeIntervalSince1970: 1_772_700_000.25)
        let info = EpisodeInfo(
            task: "Open Wi-Fi settings", startedAt: start, language: .english,
            backend: "scripted (2 prepared replies, no model)", sampling: .autoGLM,
            device: .init(serial: "emulator-5554"), systemPrompt: "SYS")
        let rec = try EpisodeWriter(directory: dir, info: info)
        let screen = try Image(width: 10, height: 20, fill: .green)
        let written = try await rec.record(
            StepRecord(
                step: 1, startedAt: start, currentApp: "System Home",
                modelText: "<think>t</think><answer>do(action=\"Shortcut\", name=\"wifi_settings\")</answer>", thinking: "t",
                action: .shortcut(name: "wifi_settings", arguments: [:]), result: .init(ok: true, message: "started"),
                timings: StepTimings(capture: 0.1, model: 2, firstText: 0.5, act: 0.2, settle: 0.3)), screen: screen)
        #expect(written.screen == "screens/step-0001.png")
        try await rec.record(
            StepRecord(
                step: 2, startedAt: start, currentApp: "Settings", modelText: "garbage",
                parseError: "no action"), screen: nil)
        try await rec.finish(Outcome(status: .finished, message: "done", steps: 2), at: start.addingTimeInterval(5))

        // The files a person or another tool reads.
        let episode = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("episode.json"))) as? [String: Any]
        #expect(episode?["format"] as? Int == 2)
        #expect((episode?["sampling"] as? [String: Any])?["max_tokens"] as? Int == 3000)
        #expect((episode?["sampling"] as? [String: Any])?["top_p"] as? Double == 0.85)
        #expect(episode?["started_at"] as? String == "2026-03-05T08:40:00.250Z")
        #expect((episode?["outcome"] as? [String: Any])?["status"] as? String == "finished")
        let lines = try String(contentsOf: dir.appendingPathComponent("steps.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["action"] as? String == #"do(action="Shortcut", name="wifi_settings")"#)
        #expect(first?["action_name"] as? String == "Shortcut")
        #expect(first?["screen"] as? String == "screens/step-0001.png")
        #expect((first?["timings"] as? [String: Any])?["first_text"] as? Double == 0.5)
        let png = try Image(encodedData: [UInt8](Data(contentsOf: dir.appendingPathComponent("screens/step-0001.png"))))
        #expect(png == screen)

        let back = try Episode(contentsOf: dir)
        #expect(back.info.outcome == Outcome(status: .finished, message: "done", steps: 2))
        #expect(back.steps.count == 2)
        #expect(back.steps[1].parseError == "no action")
        // The recorded action line reads back to the action.
        #expect(try ActionParser.parse(back.steps[0].action ?? "").action == .shortcut(name: "wifi_settings", arguments: [:]))
    }

    @Test func refusesAFolderInUse() throws {
        let scratch = TemporaryDirectory()
        let dir = scratch.url.appendingPathComponent("episode")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: dir.appendingPathComponent("other"))
        let info = EpisodeInfo(task: "t", startedAt: Date(), language: .chinese, backend: "b", sampling: .autoGLM, systemPrompt: "")
        #expect(throws: EpisodeError.self) { try EpisodeWriter(directory: dir, info: info) }
    }

    /// A format-1 folder as Tether wrote it before format 2 (camel-case sampling keys) reads back.
    @Test func readsFormatOne() throws {
        let scratch = TemporaryDirectory()
        let dir = scratch.url.appendingPathComponent("episode")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(
            #"""
            {"backend":"scripted","format":1,"language":"en","outcome":{"message":"done","status":"finished","steps":1},
             "sampling":{"frequencyPenalty":0.2,"maxTokens":1234,"temperature":0,"topP":0.85,"seed":7},
             "started_at":"2026-03-05T08:40:00.250Z","ended_at":"2026-03-05T08:40:05Z","system_prompt":"SYS","task":"t"}
            """#.utf8
        ).write(to: dir.appendingPathComponent("episode.json"))
        try Data(
            #"""
            {"action":"do(action=\"Back\")","action_name":"Back","current_app":"Settings","model_text":"x","started_at":"2026-03-05T08:40:01.000Z","step":1,"timings":{"act":0.1,"capture":0.2,"model":1,"settle":0}}

            """#.utf8
        ).write(to: dir.appendingPathComponent("steps.jsonl"))
        let episode = try Episode(contentsOf: dir)
        #expect(episode.info.format == 1)
        #expect(episode.info.sampling == SamplingOptions(maxTokens: 1234, temperature: 0, topP: 0.85, frequencyPenalty: 0.2, seed: 7))
        #expect(episode.info.endedAt == Date(timeIntervalSince1970: 1_772_700_005))
        #expect(episode.steps.map(\.actionName) == [.back])
    }

    @Test func refusesUnknownFormatsAndNamesTheBadLine() throws {
        let scratch = TemporaryDirectory()
        let dir = scratch.url.appendingPathComponent("episode")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let info = EpisodeInfo(
            task: "t", startedAt: Date(timeIntervalSince1970: 0), language: .english, backend: "b",
            sampling: .autoGLM, systemPrompt: "")
        var future = info
        future.format = 3
        try EpisodeJSON.encoder(pretty: true).encode(future).write(to: dir.appendingPathComponent("episode.json"))
        try Data().write(to: dir.appendingPathComponent("steps.jsonl"))
        #expect { try Episode(contentsOf: dir) } throws: { error in
            "\(error)".contains("episode format 3 is not supported")
        }
        try EpisodeJSON.encoder(pretty: true).encode(info).write(to: dir.appendingPathComponent("episode.json"))
        try Data("{\"step\":1}\n{not json\n".utf8).write(to: dir.appendingPathComponent("steps.jsonl"))
        #expect { try Episode(contentsOf: dir) } throws: { error in
            "\(error)".contains("steps.jsonl, line 1: missing")
        }
        #expect { try Episode(contentsOf: dir.appendingPathComponent("absent")) } throws: { error in
            "\(error)".contains("is absent an episode folder") || "\(error)".contains("episode folder?")
        }
    }
}
