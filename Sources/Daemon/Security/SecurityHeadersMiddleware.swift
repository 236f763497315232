import Hummingbird

/// Headers on every answer, errors included: the pages may not be framed by any other page
/// (`frame-ancestors 'none'`, `X-Frame-Options: DENY`), load nothing but the daemon's own
/// scripts, styles, images and sockets, and send the URL in a Referer only to the daemon itself (`no-referrer` would make
/// browsers send `Origin: null` with the page's own forms, which `CrossSiteCheck` refuses).
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var contentSecurityPolicy: String {
        [
            "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' blob: data:",
            "connect-src 'self'", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'"
        ].joined(separator: "; ")
    }

    func handle(
        _ request: Request, context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        for (name, value) in SecurityHeaders.namedElsewhere { response.headers[name] = value }
        return response
    }
}

/// Header names the HTTP types have no constant for.
enum SecurityHeaders {
    typealias Name = HTTPFields.Element.Name
    static let namedElsewhere: [(Name, String)] = [("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin")]
        .compactMap { name, value in Name(name).map { ($0, value) } }
}
