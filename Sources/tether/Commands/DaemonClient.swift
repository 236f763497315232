import AsyncHTTPClient
import Basics
import Foundation
import NIOCore
import NIOHTTP1

/// The CLI's side of the daemon's API: where it is (`--daemon URL`, `$TETHER_DAEMON`, or
/// 127.0.0.1:7464) and its token (`$TETHER_TOKEN`, or `<state-dir>/token`).
struct DaemonClient {
    let base: String
    let token: String?
    let http: HTTPClient

    static func make(url: String?, stateDirectory: String? = nil) -> DaemonClient {
        let environment = ProcessInfo.processInfo.environment
        var base = url ?? environment["TETHER_DAEMON"] ?? "http://127.0.0.1:\(DaemonDefaults.port)"
        while base.hasSuffix("/") { base.removeLast() }
        let token = environment["TETHER_TOKEN"] ?? StateDirectory.readToken(in: StateDirectory.resolve(explicit: stateDirectory))
        return DaemonClient(base: base, token: token, http: HTTPClient(eventLoopGroupProvider: .singleton))
    }

    func shutdown() async { try? await http.shutdown() }

    /// Calls the API; a reply that is not 2xx is thrown with the daemon's own message.
    func call(_ method: HTTPMethod, _ path: String, json: Any? = nil) async throws -> Any {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        }
        let response: HTTPClientResponse
        do { response = try await http.execute(request, timeout: .seconds(30)) } catch {
            throw CommandFailure(description: "cannot reach the daemon at \(base): \(error); is tetherd running? (see docs/daemon.md)")
        }
        let body = Data(try await response.body.collect(upTo: 16 << 20).readableBytesView)
        let value = try? JSONSerialization.jsonObject(with: body)
        guard (200..<300).contains(Int(response.status.code)) else {
            let message = (value as? [String: Any])?["error"] as? String ?? String(decoding: body, as: UTF8.self)
            throw CommandFailure(description: "the daemon answered \(response.status.code): \(message)")
        }
        return value ?? [:]
    }

    /// Prints a job's steps as the daemon pushes them (its `/v1/jobs/{id}/stream`, Server-Sent
    /// Events) and returns the job once it has ended. A dropped stream is picked up again after
    /// the last event seen.
    func follow(_ id: String, print line: (String) -> Void) async throws -> [String: Any] {
        var after: Int64 = 0
        var drops = 0
        while true {
            var request = HTTPClientRequest(url: base + "/v1/jobs/\(id)/stream?after=\(after)")
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            request.headers.add(name: "Accept", value: "text/event-stream")
            do {
                let response = try await http.execute(request, deadline: .distantFuture)
                guard response.status == .ok else {
                    let body = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
                    let message = ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any])?["error"] as? String
                    throw CommandFailure(description: "the daemon answered \(response.status.code): \(message ?? String(decoding: body, as: UTF8.self))")
                }
                var parser = ServerSentEvents()
                for try await chunk in response.body {
                    for data in parser.feed(String(buffer: chunk)) {
                        guard let event = (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] else { continue }
                        if let number = event["id"] as? Int { after = Int64(number) }
                        if event["kind"] as? String == "step" { line(Self.stepLine(event)) }
                    }
                }
                // The stream ends once the job has ended.
                return try await call(.GET, "/v1/jobs/\(id)") as? [String: Any] ?? [:]
            } catch let failure as CommandFailure {
                throw failure
            } catch {
                drops += 1
                if drops > 5 { throw CommandFailure(description: "lost the daemon at \(base) while following job \(id): \(error)") }
                try await Task.sleep(for: .milliseconds(200 * drops))
            }
        }
    }

    static func stepLine(_ event: [String: Any]) -> String {
        let p = event["payload"] as? [String: Any] ?? [:]
        let step = String(p["step"] as? Int ?? 0).leftPadded(to: 3)
        let app = (p["app"] as? String ?? "").padding(toLength: 18, withPad: " ", startingAt: 0)
        var text = "\(step)  \(app)  \(p["action"] as? String ?? "unreadable reply: \(p["parse_error"] as? String ?? "?")")"
        if let outcome = p["outcome"] as? [String: Any], let message = outcome["message"] as? String, !message.isEmpty {
            text += "  \(outcome["ok"] as? Bool == false ? "✗" : "→") \(message.replacingOccurrences(of: "\n", with: " "))"
        }
        return text
    }

    static func jobLine(_ job: [String: Any]) -> String {
        let id = job["id"] as? String ?? "?"
        let status = (job["status"] as? String ?? "?").padding(toLength: 11, withPad: " ", startingAt: 0)
        let device = (job["device"] as? String ?? "-").padding(toLength: 21, withPad: " ", startingAt: 0)
        return "\(id)  \(status)  \(device)  \(job["steps"] as? Int ?? 0) steps  \(job["message"] as? String ?? "")"
    }
}
