import Hummingbird

/// The web view's session: after `/signin` the browser holds the token in a cookie it never
/// shows to scripts (`HttpOnly`) and never sends from another site's page (`SameSite=Strict`).
enum WebSession {
    static let cookieName = "tether_session"
    static let signInPath = "/signin"
    static let signOutPath = "/signout"
    static let stylePath = "/web/style.css"

    /// The session cookie's value, if the request carries one.
    static func cookie(in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == cookieName else { continue }
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    static func setCookie(_ token: String) -> String {
        "\(cookieName)=\(token); HttpOnly; SameSite=Strict; Path=/"
    }

    static let clearCookie = "\(cookieName)=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"

    /// A browser navigating to a page (not a script, not a WebSocket): it gets the sign-in page
    /// instead of a JSON 401.
    static func wantsPage(_ request: Request) -> Bool {
        guard request.method == .get || request.method == .head else { return false }
        guard request.headers[.upgrade] == nil else { return false }
        return request.headers[values: .accept].contains { $0.contains("text/html") }
    }

    static func redirectToSignIn() -> Response {
        redirect(to: signInPath)
    }

    /// `303 See Other`: the browser follows it with a GET.
    static func redirect(to path: String, setting cookie: String? = nil) -> Response {
        var headers: HTTPFields = [.location: path, .cacheControl: "no-store"]
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }
}
