import Foundation
import Hummingbird

/// The web live view: the app's page at `/`, its script and stylesheet, and the sign-in and
/// sign-out forms that set and clear the session cookie (docs/web.md).
extension DaemonAPI {
    func addWebRoutes(to router: Router<DaemonRequestContext>) {
        let token = self.token
        router.get("/") { _, _ in WebAsset.html(WebPage.app) }
        router.get("/web/app.js") { _, _ in WebAsset.response(WebScript.source, type: "text/javascript; charset=utf-8") }
        router.get(RouterPath(WebSession.stylePath)) { _, _ in WebAsset.response(WebStyle.source, type: "text/css; charset=utf-8") }
        router.get(RouterPath(WebSession.signInPath)) { _, _ in WebAsset.html(WebPage.signIn(error: nil)) }
        router.post(RouterPath(WebSession.signInPath)) { request, _ in
            try CrossSiteCheck.verifySameOrigin(request)
            let given = try await SignInForm.token(from: request)
            guard BearerAuthMiddleware<DaemonRequestContext>.constantTimeEqual(given, token) else {
                return WebAsset.html(WebPage.signIn(error: "That is not the daemon's token. It is in <state-dir>/token."), status: .unauthorized)
            }
            return WebSession.redirect(to: "/", setting: WebSession.setCookie(token))
        }
        router.post(RouterPath(WebSession.signOutPath)) { _, _ in
            WebSession.redirect(to: WebSession.signInPath, setting: WebSession.clearCookie)
        }
    }
}

/// The page's assets, sent from the strings compiled into the binary.
enum WebAsset {
    static func response(_ text: String, type: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: type, .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        response(text, type: "text/html; charset=utf-8", status: status)
    }
}

/// The sign-in form's body: `token=…`, URL-encoded as browsers send it.
enum SignInForm {
    static func token(from request: Request) async throws(APIError) -> String {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: 16 << 10) } catch {
            throw APIError(.contentTooLarge, "the sign-in form is larger than 16 KiB; send only token=<token>")
        }
        let body = String(decoding: buffer.readableBytesView, as: UTF8.self)
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0] == "token" else { continue }
            let value = parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            return value.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        throw .badRequest("the sign-in form needs a token field: token=<the token in <state-dir>/token>")
    }
}
