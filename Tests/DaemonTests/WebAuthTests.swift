import Foundation
import Testing
@testable import Daemon

/// The web view's sign-in, session cookie, security headers and cross-site refusals, over real
/// HTTP against a daemon in this process.
@Suite struct WebAuthTests {
    @Test func signingInSetsAnHttpOnlyStrictCookieThatOpensTheAPIAndThePages() async throws {
        try await withDaemon { _, api in
            try await withWebClient(port: api.port) { web in
                let page = try await web.call(.GET, "/signin")
                #expect(page.status == 200 && page.text.contains(#"action="/signin""#))

                let wrong = try await web.call(.POST, "/signin", headers: [("Origin", web.origin)], form: "token=nope")
                #expect(wrong.status == 401 && wrong.text.contains("signin-error"))
                #expect(wrong.header("Set-Cookie") == nil)

                let signedIn = try await web.call(.POST, "/signin", headers: [("Origin", web.origin)], form: "token=\(api.token)")
                #expect(signedIn.status == 303 && signedIn.header("Location") == "/")
                let cookie = try #require(signedIn.header("Set-Cookie"))
                #expect(cookie.hasPrefix("tether_session=\(api.token);"))
                for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] { #expect(cookie.contains(attribute), "\(cookie)") }

                let session = ("Cookie", "tether_session=\(api.token)")
                let devices = try await web.call(.GET, "/v1/devices", headers: [session])
                #expect(devices.status == 200 && devices.json is [Any])
                let app = try await web.call(.GET, "/", headers: [session, ("Accept", "text/html")])
                #expect(app.status == 200 && app.text.contains(#"<script src="/web/app.js""#))
                let script = try await web.call(.GET, "/web/app.js", headers: [session])
                #expect(script.status == 200 && script.header("Content-Type")?.hasPrefix("text/javascript") == true)
                #expect(script.text.contains("function liveScreen"))

                let out = try await web.call(.POST, "/signout", headers: [session, ("Origin", web.origin)])
                #expect(out.status == 303 && out.header("Location") == "/signin")
                #expect(out.header("Set-Cookie")?.contains("Max-Age=0") == true)
            }
        }
    }

    @Test func withoutTheTokenABrowserIsSentToSignInAndAScriptGets401() async throws {
        try await withDaemon { _, api in
            try await withWebClient(port: api.port) { web in
                let page = try await web.call(.GET, "/", headers: [("Accept", "text/html,application/xhtml+xml")])
                #expect(page.status == 303 && page.header("Location") == "/signin")
                let stale = try await web.call(.GET, "/#/jobs", headers: [("Accept", "text/html"), ("Cookie", "tether_session=old")])
                #expect(stale.status == 303 && stale.header("Location") == "/signin")
                let script = try await web.call(.GET, "/web/app.js")
                #expect(script.status == 401)
                let json = try await web.call(.GET, "/v1/devices", headers: [("Cookie", "tether_session=\(String(repeating: "0", count: 64))")])
                #expect(json.status == 401 && (json.json as? [String: Any])?["error"] != nil)
                // The sign-in page's stylesheet and /healthz are open.
                #expect(try await web.call(.GET, "/web/style.css").status == 200)
                #expect(try await web.call(.GET, "/healthz").status == 200)
            }
        }
    }

    @Test func everyAnswerForbidsFramingAndLimitsWhatPagesLoad() async throws {
        try await withDaemon { _, api in
            try await withWebClient(port: api.port) { web in
                let session = ("Cookie", "tether_session=\(api.token)")
                for reply in [
                    try await web.call(.GET, "/signin"), try await web.call(.GET, "/", headers: [session]),
                    try await web.call(.GET, "/v1/devices"), try await web.call(.GET, "/v1/nothing", headers: [session])
                ] {
                    let policy = reply.header("Content-Security-Policy") ?? ""
                    #expect(policy.contains("frame-ancestors 'none'") && policy.contains("script-src 'self'"), "\(reply.status): \(policy)")
                    #expect(!policy.contains("unsafe-inline"))
                    #expect(reply.header("X-Frame-Options") == "DENY")
                    #expect(reply.header("X-Content-Type-Options") == "nosniff")
                }
            }
        }
    }

    @Test func changesMadeWithTheCookieFromAnotherSiteAreRefused() async throws {
        try await withDaemon { _, api in
            try await withWebClient(port: api.port) { web in
                let session = ("Cookie", "tether_session=\(api.token)")
                let body = try JSONSerialization.data(withJSONObject: ["task": "Go home", "backend": ["scripted": ["x"]]])
                let crossSite: [[(String, String)]] = [
                    [session, ("Origin", "http://evil.example")],
                    [session, ("Origin", "null")],
                    [session, ("Origin", "http://127.0.0.1:\(api.port + 1)")],
                    [session, ("Sec-Fetch-Site", "cross-site")],
                    [session, ("Sec-Fetch-Site", "same-site"), ("Origin", web.origin)],
                    [session]
                ]
                for headers in crossSite {
                    let reply = try await web.call(.POST, "/v1/jobs", headers: headers, json: body)
                    #expect(reply.status == 403, "\(headers): \(reply.text)")
                    #expect(reply.text.contains("web session cookie"))
                }
                #expect(try await api.call(.GET, "/v1/jobs").array?.isEmpty == true, "nothing was queued")
                // The same change from the daemon's own page goes through.
                let own = try await web.call(.POST, "/v1/jobs", headers: [session, ("Origin", web.origin), ("Sec-Fetch-Site", "same-origin")], json: body)
                #expect(own.status == 201, "\(own.text)")
                // A bearer-token client is not asked where it comes from.
                let bearer = try await web.call(.POST, "/v1/jobs", headers: [("Authorization", "Bearer \(api.token)"), ("Origin", "http://evil.example")], json: body)
                #expect(bearer.status == 201, "\(bearer.text)")
                // Signing in from another site's form is refused too.
                let signIn = try await web.call(.POST, "/signin", headers: [("Origin", "http://evil.example")], form: "token=\(api.token)")
                #expect(signIn.status == 403 && signIn.header("Set-Cookie") == nil)
                // Reading is not a change: a cross-site GET is left to SameSite.
                #expect(try await web.call(.GET, "/v1/jobs", headers: [session, ("Sec-Fetch-Site", "cross-site")]).status == 200)
            }
        }
    }

    @Test func aWebSocketOpensWithTheCookieOnlyFromTheDaemonsOwnPages() async throws {
        try await withDaemon { _, api in
            let job = try await api.call(.POST, "/v1/jobs", json: Replies.job([Replies.finish]))
            let id = try #require(job.json?["id"] as? String)
            func handshake(_ headers: [String]) throws -> String {
                try rawStatusLine(
                    port: api.port,
                    request: [
                        "GET /v1/jobs/\(id)/events HTTP/1.1", "Host: 127.0.0.1:\(api.port)", "Upgrade: websocket", "Connection: Upgrade",
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"
                    ] + headers)
            }
            // A refused upgrade is answered 4xx (Hummingbird's WebSocket upgrade says 400 for any refusal).
            func refused(_ line: String) -> Bool { line.hasPrefix("HTTP/1.1 4") }
            let session = "Cookie: tether_session=\(api.token)"
            #expect(try handshake([session, "Origin: http://127.0.0.1:\(api.port)"]).contains(" 101 "))
            #expect(refused(try handshake([session, "Origin: http://evil.example"])))
            #expect(refused(try handshake([session, "Origin: http://127.0.0.1:\(api.port)", "Origin: http://evil.example"])))
            #expect(refused(try handshake([session])), "a cookie-only upgrade that says nothing of where it comes from")
            #expect(try handshake(["Authorization: Bearer \(api.token)", "Origin: http://evil.example"]).contains(" 101 "))
            #expect(refused(try handshake([])))
        }
    }
}
