import Basics
/// The two HTML pages: the app (everything else is drawn by its script) and the sign-in form,
/// which works without any script.
enum WebPage {
    static let app = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Tether</title>
        <link rel="stylesheet" href="/web/style.css">
        <script src="/web/app.js" defer></script>
        </head>
        <body>
        <header class="bar">
        <a class="brand" href="#/">Tether</a>
        <nav>
        <a href="#/">Devices</a>
        <a href="#/jobs">Jobs</a>
        <a href="#/new">New job</a>
        <a href="#/episodes">Episodes</a>
        </nav>
        <form method="post" action="/signout"><button type="submit" class="quiet" id="signout">Sign out</button></form>
        </header>
        <main id="main"><p class="muted">Loading…</p></main>
        </body>
        </html>
        """

    static func signIn(error: String?) -> String {
        let message = error.map { #"<p class="error" id="signin-error">\#(Markup.escape($0))</p>"# } ?? ""
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Sign in · Tether</title>
            <link rel="stylesheet" href="/web/style.css">
            </head>
            <body class="signin">
            <form method="post" action="/signin" class="card signin-card">
            <h1>Tether</h1>
            <p>Paste the daemon's token. It is in <code>&lt;state-dir&gt;/token</code>
            (by default <code>~/.local/state/tether/token</code>).</p>
            \(message)
            <label for="token">Token</label>
            <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
            <button type="submit" id="signin">Sign in</button>
            </form>
            </body>
            </html>
            """
    }
}
