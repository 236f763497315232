import Hummingbird

/// Lets a request through only with the token, given either as `Authorization: Bearer <token>`
/// (scripts, the CLI, other agents) or as the web view's session cookie (a browser after
/// `/signin`). `/healthz`, the sign-in page and its stylesheet are open. A request that comes
/// with the cookie alone must also pass `CrossSiteCheck`; a browser asking for a page without
/// the token is sent to the sign-in page instead of getting a JSON 401.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String
    var openPaths: Set<String> = ["/healthz", WebSession.signInPath, WebSession.stylePath]

    func handle(
        _ request: Request, context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if openPaths.contains(request.uri.path) { return try await next(request, context) }
        if let header = request.headers[.authorization] {
            guard header.hasPrefix("Bearer "), Self.constantTimeEqual(String(header.dropFirst(7)), token) else {
                throw APIError(.unauthorized, "wrong bearer token: use the one in <state-dir>/token")
            }
            return try await next(request, context)
        }
        if let session = WebSession.cookie(in: request), Self.constantTimeEqual(session, token) {
            try CrossSiteCheck.verify(request)
            return try await next(request, context)
        }
        if WebSession.wantsPage(request) { return WebSession.redirectToSignIn() }
        throw APIError(
            .unauthorized,
            "missing Authorization header: send Authorization: Bearer <token> (the token is in <state-dir>/token), or sign in at /signin")
    }

    /// Compares without stopping at the first difference.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for (p, q) in zip(x, y) { difference |= p ^ q }
        return difference == 0
    }
}
