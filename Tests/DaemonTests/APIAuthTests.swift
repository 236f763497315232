import Foundation
import Testing
@testable import Daemon

/// Every route answers 401 with a JSON message without the right token; /healthz is open.
@Suite struct APIAuthTests {
    static let routes: [(String, String)] = [
        ("GET", "/v1/devices"), ("POST", "/v1/devices"), ("GET", "/v1/devices/127.0.0.1:5555"),
        ("GET", "/v1/devices/127.0.0.1:5555/screenshot"), ("POST", "/v1/devices/127.0.0.1:5555/input"),
        ("GET", "/v1/jobs"), ("POST", "/v1/jobs"), ("GET", "/v1/jobs/x"), ("POST", "/v1/jobs/x/cancel"),
        ("GET", "/v1/jobs/x/steps"), ("GET", "/v1/jobs/x/questions"), ("POST", "/v1/jobs/x/questions/q"),
        ("GET", "/v1/jobs/x/events"), ("GET", "/metrics"),
        ("GET", "/v1/devices/127.0.0.1:5555/live")
    ]

    @Test func everyRouteButHealthzNeedsTheToken() async throws {
        try await withDaemon { daemon, api in
            let health = try await api.call(.GET, "/healthz", auth: .none)
            #expect(health.status == 200 && health.json?["status"] as? String == "ok")
            for (method, path) in Self.routes {
                for auth in [APIClient.Auth.none, .wrong] {
                    let reply = try await api.call(.init(rawValue: method), path, body: Data("{}".utf8), auth: auth)
                    #expect(reply.status == 401, "\(method) \(path) with \(auth)")
                    #expect(reply.error?.contains("token") == true, "\(method) \(path): \(reply.text)")
                }
            }
            // With the token the same routes answer, never 401 or 5xx.
            for (method, path) in Self.routes where !path.hasSuffix("/events") && !path.hasSuffix("/live") {
                let reply = try await api.call(.init(rawValue: method), path, body: Data("{}".utf8))
                #expect(reply.status != 401 && reply.status < 500, "\(method) \(path): \(reply.status) \(reply.text)")
                if reply.status >= 400 { #expect(reply.error?.isEmpty == false, "\(method) \(path) says what is wrong") }
            }
            #expect(try await api.call(.GET, "/v1/jobs").status == 200)
        }
    }

    @Test func theTokenFileIsPrivateAndStable() async throws {
        try await withDaemon { daemon, _ in
            let file = APIToken.file(in: daemon.stateDirectory)
            let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            #expect(try APIToken.loadOrCreate(in: daemon.stateDirectory) == daemon.token)
            #expect(daemon.token.count == 64)
        }
    }
}
