import ArgumentParser
import Foundation

/// `tether jobs submit|list|show|cancel|watch`: the daemon's job queue.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "Submit and follow jobs on a running tetherd.",
        subcommands: [Submit.self, List.self, Show.self, Cancel.self, Watch.self])

    /// Runs `body` with a client and always shuts it down.
    static func with(_ options: DaemonConnectionOptions, _ body: (DaemonClient) async throws -> Void) async throws {
        let client = options.client()
        do { try await body(client) } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
    }

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue a run job; prints its id (with --watch, follows it).")
        @OptionGroup var connection: DaemonConnectionOptions
        @Argument(help: "What to do, in words.") var task: String
        @Option(help: "Serial of the phone (default: any free one).") var device: String?
        @Option(help: ArgumentHelp("Base URL of an OpenAI-compatible server.", valueName: "url")) var endpoint: String?
        @Option(name: .customLong("model-name"), help: "The model's name on the server.") var modelName = "autoglm-phone-9b"
        @Option(name: .customLong("api-key"), help: "API key for the server.") var apiKey: String?
        @Option(help: ArgumentHelp("A checkpoint directory on the daemon's host, run in-process.", valueName: "dir")) var model: String?
        @Option(help: "Prompt language: zh or en.") var lang = "zh"
        @Option(name: .customLong("max-steps")) var maxSteps = 50
        @Option(name: .customLong("on-sensitive"), help: "ask (answered through the API), deny or allow.") var onSensitive = "ask"
        @Option(help: "Seconds the job may take.") var timeout: Double?
        @Flag(help: "Follow the job and print its steps.") var watch = false

        func validate() throws {
            if (endpoint == nil) == (model == nil) { throw ValidationError("give --endpoint URL or --model DIR (one of them)") }
        }

        func run() async throws {
            var backend: [String: Any] = [:]
            if let endpoint { backend = ["endpoint": endpoint, "model": modelName] }
            if let apiKey { backend["api_key"] = apiKey }
            if let model { backend = ["model_dir": model] }
            var job: [String: Any] = ["task": task, "backend": backend, "lang": lang, "max_steps": maxSteps, "on_sensitive": onSensitive]
            if let device { job["device"] = device }
            if let timeout { job["timeout"] = timeout }
            let watch = self.watch
            try await JobsCommand.with(connection) { client in
                let reply = try await client.call(.POST, "/v1/jobs", json: job) as? [String: Any] ?? [:]
                let id = reply["id"] as? String ?? "?"
                say(id)
                if watch {
                    let end = try await client.follow(id, print: say)
                    say(DaemonClient.jobLine(end))
                    if end["status"] as? String != "succeeded" { throw ExitCode(1) }
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, oldest first.")
        @OptionGroup var connection: DaemonConnectionOptions
        @Option(help: "Only jobs in this state (queued, running, waiting, succeeded, failed, cancelled, interrupted).") var status: String?
        func run() async throws {
            let path = "/v1/jobs" + (status.map { "?status=\($0)" } ?? "")
            try await JobsCommand.with(connection) { client in
                for job in try await client.call(.GET, path) as? [[String: Any]] ?? [] { say(DaemonClient.jobLine(job)) }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a job as JSON.")
        @OptionGroup var connection: DaemonConnectionOptions
        @Argument var id: String
        func run() async throws {
            try await JobsCommand.with(connection) { client in
                let job = try await client.call(.GET, "/v1/jobs/\(id)")
                let data = try JSONSerialization.data(withJSONObject: job, options: [.prettyPrinted, .sortedKeys])
                say(String(decoding: data, as: UTF8.self))
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a job (a running one stops at its next safe point).")
        @OptionGroup var connection: DaemonConnectionOptions
        @Argument var id: String
        func run() async throws {
            try await JobsCommand.with(connection) { client in
                let reply = try await client.call(.POST, "/v1/jobs/\(id)/cancel") as? [String: Any] ?? [:]
                say("\(id) \(reply["status"] as? String ?? "?")")
            }
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a job's steps as they come, until it ends.")
        @OptionGroup var connection: DaemonConnectionOptions
        @Argument var id: String
        func run() async throws {
            try await JobsCommand.with(connection) { client in
                let end = try await client.follow(id, print: say)
                say(DaemonClient.jobLine(end))
                if end["status"] as? String != "succeeded" { throw ExitCode(1) }
            }
        }
    }
}
