import ArgumentParser
import Foundation

/// `tether run --daemon URL "TASK"`: the same run, queued on a tetherd and followed step by step.
extension RunCommand {
    func runOnDaemon(_ url: String) async throws {
        let unsupported = [
            ("--record", record), ("--task", taskID), ("--system-prompt", systemPrompt), ("--tokenizer", tokenizer),
            ("--connect", device.connect), ("--server", device.server), ("--max-pixels", backend.maxPixels.map(String.init))
        ].filter { $0.1 != nil }.map(\.0)
        guard unsupported.isEmpty else {
            throw ValidationError("with --daemon, \(unsupported.joined(separator: ", ")) cannot be used: the daemon records every job under its state directory, picks phones by serial (-s) and runs a checkpoint with its own image budget")
        }
        guard let task else { throw ValidationError("say what to do: tether run --daemon URL \"TASK\"") }
        var backend: [String: Any] = [:]
        if let endpoint = self.backend.endpoint {
            backend = ["endpoint": endpoint, "model": self.backend.modelName]
            if let key = self.backend.apiKey ?? ProcessInfo.processInfo.environment["TETHER_API_KEY"] { backend["api_key"] = key }
        } else if let model = self.backend.model {
            backend = ["model_dir": model]
        }
        var job: [String: Any] = [
            "task": task, "backend": backend, "lang": lang.rawValue, "max_steps": maxSteps,
            "on_sensitive": onSensitive.rawValue
        ]
        if let serial = device.serial { job["device"] = serial }
        let client = DaemonClient.make(url: url)
        let end: [String: Any]
        do {
            let reply = try await client.call(.POST, "/v1/jobs", json: job) as? [String: Any] ?? [:]
            let id = reply["id"] as? String ?? "?"
            say("job \(id) queued on \(client.base)")
            say("task: \(task)")
            end = try await client.follow(id, print: say)
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
        say("\(end["status"] as? String ?? "?") after \(end["steps"] as? Int ?? 0) steps: \(end["message"] as? String ?? "")")
        if let episode = end["episode"] as? String { say("episode in the daemon's state directory: \(episode)") }
        if end["status"] as? String != "succeeded" { throw ExitCode(end["status"] as? String == "cancelled" ? 130 : 1) }
    }
}
