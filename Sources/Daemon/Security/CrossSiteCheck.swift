import Hummingbird

/// A browser sends the session cookie with every request to the daemon, including ones another
/// site's page makes it send. `SameSite=Strict` already keeps the cookie off those; this check
/// is the second lock: a request that changes something (any method but GET, HEAD, OPTIONS) or
/// opens a WebSocket, authenticated by the cookie, must say it comes from the daemon's own pages
/// (`Origin` naming this host, or `Sec-Fetch-Site: same-origin`). Bearer-token clients never
/// reach this check.
enum CrossSiteCheck {
    static let secFetchSite = SecurityHeaders.Name("Sec-Fetch-Site")

    static func verify(_ request: Request) throws(APIError) {
        let upgrade = request.headers[.upgrade]?.lowercased() == "websocket"
        let safe = [.get, .head, .options].contains(request.method)
        guard !safe || upgrade else { return }
        try verifySameOrigin(request)
    }

    /// Refuses the request unless its headers place it on this daemon's own pages.
    static func verifySameOrigin(_ request: Request) throws(APIError) {
        var vouched = false
        if let site = secFetchSite.flatMap({ request.headers[$0] }) {
            guard site == "same-origin" || site == "none" else {
                throw refusal("it came from another site (Sec-Fetch-Site: \(site))")
            }
            vouched = true
        }
        let origins = request.headers[values: .origin]
        if !origins.isEmpty {
            let host = request.head.authority ?? ""
            for origin in origins where host.isEmpty || (origin != "http://\(host)" && origin != "https://\(host)") {
                throw refusal("it came from \(origin), not from this daemon's pages")
            }
            vouched = true
        }
        guard vouched else { throw refusal("it says neither where it came from (Origin) nor Sec-Fetch-Site") }
    }

    static func refusal(_ why: String) -> APIError {
        APIError(.forbidden, "refused a change made with the web session cookie: \(why); scripts send Authorization: Bearer <token> instead")
    }
}
