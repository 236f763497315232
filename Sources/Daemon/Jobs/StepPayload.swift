import Agent

/// A step of a job as its event carries it (and the WebSocket sends it).
enum StepPayload {
    static func make(_ e: StepEvent) -> [String: any Sendable] {
        var payload: [String: any Sendable] = [
            "step": e.step,
            "app": e.currentApp,
            "timings": ["capture": e.timings.capture, "settle": e.timings.settle, "model": e.timings.model, "act": e.timings.act]
        ]
        if let action = e.action { payload["action"] = action.description }
        if let parseError = e.parseError { payload["parse_error"] = parseError }
        if let outcome = e.outcome { payload["outcome"] = ["ok": outcome.ok, "message": outcome.message] as [String: any Sendable] }
        return payload
    }
}
