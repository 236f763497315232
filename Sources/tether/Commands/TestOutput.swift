import Flows
import Foundation

/// What `tether test` prints: a line per flow as it starts and ends, then the totals.
enum TestOutput {
    static func print(_ event: FlowEvent) {
        switch event {
        case .started(let flow, let device, let attempt):
            say("▶ \(flow) on \(device)\(attempt > 1 ? " (attempt \(attempt))" : "")")
        case .finished(let r):
            let time = String(format: "%.2f s", r.seconds)
            switch r.status {
            case .passed: say("✓ \(r.name)  \(time)")
            case .flaky: say("~ \(r.name)  \(time)  flaky: passed on attempt \(r.attempts)")
            case .skipped: say("- \(r.name)  skipped (tags)")
            case .failed:
                say("✗ \(r.name)  \(time)  \(r.failure?.summary ?? "failed")")
                if let f = r.failure {
                    if !f.screen.isEmpty { say("    on screen: " + f.screen.prefix(12).map { "\"\($0)\"" }.joined(separator: ", ")) }
                    if let s = f.screenshot { say("    screenshot: \(s)") }
                    if let t = f.uiTree { say("    UI tree: \(t)") }
                }
            }
        case .phoneLost(let device, let reason):
            warn("\(device) is lost (\(reason)); no more flows run on it")
        }
    }

    static func summary(_ results: [FlowResult]) {
        func n(_ s: FlowResult.Status) -> Int { results.filter { $0.status == s }.count }
        say("\(results.count) flow\(results.count == 1 ? "" : "s"): \(n(.passed)) passed, \(n(.flaky)) flaky, \(n(.failed)) failed, \(n(.skipped)) skipped")
    }
}
