import Hummingbird

/// Lets a request through only with `Authorization: Bearer <token>`; `/healthz` is open so that
/// a supervisor can probe the daemon without the token.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String
    var openPaths: Set<String> = ["/healthz"]

    func handle(
        _ request: Request, context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if openPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "missing Authorization header: send Authorization: Bearer <token> (the token is in <state-dir>/token)")
        }
        guard header.hasPrefix("Bearer "), Self.constantTimeEqual(String(header.dropFirst(7)), token) else {
            throw APIError(.unauthorized, "wrong bearer token: use the one in <state-dir>/token")
        }
        return try await next(request, context)
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
