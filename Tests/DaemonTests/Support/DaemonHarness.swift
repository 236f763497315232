import AsyncHTTPClient
import Daemon
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import TetherTestSupport
import Testing

/// A reply of the daemon's API.
struct APIReply: Sendable {
    var status: Int
    var body: Data
    var headers: HTTPHeaders = [:]
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    var array: [[String: Any]]? { (try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]] }
    var error: String? { json?["error"] as? String }
}

/// Talks HTTP to a daemon on 127.0.0.1.
struct APIClient: Sendable {
    let http: HTTPClient
    let port: Int
    let token: String

    enum Auth: Sendable { case token, none, wrong }

    func call(_ method: HTTPMethod, _ path: String, body: Data? = nil, auth: Auth = .token) async throws -> APIReply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        switch auth {
        case .token: request.headers.add(name: "Authorization", value: "Bearer \(token)")
        case .wrong: request.headers.add(name: "Authorization", value: "Bearer not-the-token")
        case .none: break
        }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        return APIReply(status: Int(response.status.code), body: Data(buffer.readableBytesView), headers: response.headers)
    }

    func call(_ method: HTTPMethod, _ path: String, json: [String: Any]) async throws -> APIReply {
        try await call(method, path, body: try JSONSerialization.data(withJSONObject: json))
    }

    /// Polls a job until `done` says so (or 200 polls of 100 ms: a bound, not a timing).
    func job(_ id: String, until done: ([String: Any]) -> Bool) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        for _ in 0..<300 {
            last = try await call(.GET, "/v1/jobs/\(id)").json ?? [:]
            if done(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("job \(id) never reached the expected state; last: \(last)")
        return last
    }

    func waitForDevice(_ serial: String, state: String = "online") async throws {
        for _ in 0..<300 {
            if try await call(.GET, "/v1/devices/\(serial)").json?["state"] as? String == state { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("device \(serial) never became \(state)")
    }
}

/// Runs a daemon in this process (its services in one ServiceGroup, the API on a free port)
/// with a fresh state directory, and always stops it and the HTTP client.
func withDaemon<T: Sendable>(devices: [String] = [], options: TetherDaemon.Options = .init(), _ body: (TetherDaemon, APIClient) async throws -> T) async throws -> T {
    let scratch = TemporaryDirectory()
    let daemon = try await TetherDaemon(
        stateDirectory: scratch.url.appendingPathComponent("state"), host: "127.0.0.1", port: 0,
        options: {
            var o = options; o.devices += devices; return o
        }())
    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    let group = ServiceGroup(services: daemon.services(onListening: { portSink.yield($0) }), logger: Logger(label: "test.daemon"))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            await group.triggerGracefulShutdown()
            throw CancellationError()
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let client = APIClient(http: http, port: port, token: daemon.token)
        do {
            let value = try await body(daemon, client)
            try await http.shutdown()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return value
        } catch {
            try? await http.shutdown()
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
    }
}

/// Replies a scripted backend gives, in the model's grammar.
enum Replies {
    static let home = "<think>I go to the home screen first.</think>\n<answer>do(action=\"Home\")</answer>"
    static let finish = "<think>Done.</think>\n<answer>finish(message=\"All done.\")</answer>"
    static let sensitiveTap = "<think>Sending cannot be undone, so I ask.</think>\n<answer>do(action=\"Tap\", element=[500,500], message=\"Send the message\")</answer>"

    static func job(_ replies: [String], device: String? = nil, extra: [String: Any] = [:]) -> [String: Any] {
        var job: [String: Any] = ["task": "Go home", "lang": "en", "backend": ["scripted": replies], "max_steps": 10]
        if let device { job["device"] = device }
        for (k, v) in extra { job[k] = v }
        return job
    }
}
