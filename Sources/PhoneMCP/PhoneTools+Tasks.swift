import Foundation
import MCP

/// run_task, task_status, answer_question: the phone agent doing a whole task.
extension PhoneTools {
    var taskSpecs: [Spec] { [runTaskSpec, taskStatusSpec, answerQuestionSpec] }

    var runTaskSpec: Spec {
        Spec(
            tool: Tool(
                name: "run_task",
                description: """
                    Hands a whole task in words (\"turn on airplane mode\") to Tether's phone agent, which looks \
                    at the screen and acts step by step until it is done. Waits up to wait_seconds for the end, \
                    then returns the task's status (id, status, steps, message, open questions); follow it with \
                    task_status. Needs a model: tether mcp --endpoint/--model, or the daemon.
                    """,
                inputSchema: JSONSchema.object(
                    [
                        "task": JSONSchema.string("What to do, in words."),
                        "device": JSONSchema.device,
                        "max_steps": JSONSchema.integer("Stop as failed after this many steps (default 50).", minimum: 1, maximum: 500),
                        "lang": JSONSchema.string("The prompt's language (default zh, as the model was trained).", choices: ["zh", "en"]),
                        "on_sensitive": JSONSchema.string(
                            "A sensitive tap (sending, paying, deleting): ask (a question for answer_question), deny or allow.",
                            choices: ["ask", "deny", "allow"]),
                        "wait_seconds": JSONSchema.integer("How long to wait for the end before returning (default 60).", minimum: 0, maximum: 600),
                        "endpoint": JSONSchema.string(
                            "On the daemon: the base URL of an OpenAI-compatible server serving the phone model (e.g. http://127.0.0.1:8000/v1). Not taken by tether mcp, whose model its flags set."),
                        "model": JSONSchema.string("With endpoint: the model's name there (default autoglm-phone-9b).")
                    ], required: ["task"]),
                annotations: .init(destructiveHint: true, openWorldHint: true)),
            run: { tools, arguments in
                let request = TaskRequest(
                    task: try arguments.requiredString("task"), device: try arguments.string("device"),
                    maxSteps: try arguments.int("max_steps", in: 1...500), language: try arguments.choice("lang", ["zh", "en"]),
                    onSensitive: try arguments.choice("on_sensitive", ["ask", "deny", "allow"]),
                    endpoint: try arguments.string("endpoint"), model: try arguments.string("model"))
                let wait = try arguments.int("wait_seconds", in: 0...600) ?? 60
                let started = try await tools.tasks.start(request)
                return [.plain(Self.describe(try await tools.waitForTask(started, seconds: wait)))]
            })
    }

    var taskStatusSpec: Spec {
        Spec(
            tool: Tool(
                name: "task_status",
                description: """
                    A task's status: queued, running, waiting (a question is open: answer it with answer_question), \
                    succeeded, failed, cancelled; its steps, its message, and its open questions. Waits up to \
                    wait_seconds (default 0) for it to end or ask something.
                    """,
                inputSchema: JSONSchema.object(
                    [
                        "id": JSONSchema.string("The task's id, from run_task."),
                        "wait_seconds": JSONSchema.integer("How long to wait for the end or a question.", minimum: 0, maximum: 600)
                    ], required: ["id"]),
                annotations: .init(readOnlyHint: true)),
            run: { tools, arguments in
                let id = try arguments.requiredString("id")
                let wait = try arguments.int("wait_seconds", in: 0...600) ?? 0
                return [.plain(Self.describe(try await tools.waitForTask(try await tools.tasks.status(id), seconds: wait)))]
            })
    }

    var answerQuestionSpec: Spec {
        Spec(
            tool: Tool(
                name: "answer_question",
                description: """
                    Answers a task's open question: for a confirmation, yes (or approve, allow) lets the tap go \
                    ahead and anything else denies it; for a take-over, any text once the person is done; for a \
                    choice, the choice.
                    """,
                inputSchema: JSONSchema.object(
                    [
                        "id": JSONSchema.string("The task's id."),
                        "question": JSONSchema.string("The question's id, from task_status."),
                        "answer": JSONSchema.string("The answer.")
                    ], required: ["id", "question", "answer"]),
                annotations: .init(destructiveHint: true)),
            run: { tools, arguments in
                let state = try await tools.tasks.answer(
                    task: try arguments.requiredString("id"), question: try arguments.requiredString("question"),
                    with: try arguments.string("answer") ?? "")
                return [.plain(Self.describe(state))]
            })
    }

    /// Polls until the task ends, asks something, or `seconds` pass.
    func waitForTask(_ state: TaskState, seconds: Int) async throws -> TaskState {
        var state = state
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !state.isFinal, state.questions.isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            state = try await tasks.status(state.id)
        }
        return state
    }

    static func describe(_ state: TaskState) -> String {
        var lines = [
            "task \(state.id): \(state.status) after \(state.steps) step\(state.steps == 1 ? "" : "s")"
                + (state.device.map { " on \($0)" } ?? "")
        ]
        if !state.message.isEmpty { lines.append("message: \(state.message)") }
        for q in state.questions {
            lines.append("question \(q.id) (\(q.kind)): \(q.prompt)")
        }
        if !state.isFinal, state.questions.isEmpty { lines.append("still going: ask task_status with wait_seconds") }
        return lines.joined(separator: "\n")
    }
}
