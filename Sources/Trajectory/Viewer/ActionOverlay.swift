import Basics
import Foundation

/// The action of a step drawn over its screenshot as SVG in the screenshot's own pixels: a ring
/// where a tap landed (two for a double tap, a filled one for a long press), an arrow for a
/// swipe, a banner with typed text, an app launched, or a key.
struct ActionOverlay {
    var action: Action
    var width: Int
    var height: Int
    /// Unique in the page, for the arrow head's marker.
    var id: String
    /// A person's finger path in pixels, drawn under a swipe's arrow when recorded.
    var path: [(x: Int, y: Int)] = []

    var svg: String {
        let unit = Double(max(width, height)) / 100
        var body = ""
        func point(_ p: GridPoint) -> (Double, Double) {
            let px = p.pixel(width: width, height: height)
            return (Double(px.x), Double(px.y))
        }
        func ring(_ p: GridPoint, radius: Double, filled: Bool = false) -> String {
            let (x, y) = point(p)
            let fill = filled ? "rgba(255,59,48,0.35)" : "none"
            return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(f(radius))\" fill=\"\(fill)\" stroke=\"#ff3b30\" stroke-width=\"\(f(unit * 0.6))\"/>"
                + "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(f(unit * 0.6))\" fill=\"#ff3b30\"/>"
        }
        switch action {
        case .tap(let p, _): body = ring(p, radius: unit * 3)
        case .longPress(let p): body = ring(p, radius: unit * 3.5, filled: true)
        case .doubleTap(let p): body = ring(p, radius: unit * 2.5) + ring(p, radius: unit * 4.5)
        case .swipe(let from, let to):
            let (x1, y1) = point(from)
            let (x2, y2) = point(to)
            let trail = path.map { "\($0.x),\($0.y)" }.joined(separator: " ")
            if path.count > 1 {
                body += "<polyline points=\"\(trail)\" fill=\"none\" stroke=\"#ffd60a\" stroke-width=\"\(f(unit * 0.8))\" stroke-dasharray=\"\(f(unit)) \(f(unit))\"/>"
            }
            body += """
                <defs><marker id="\(id)" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="4" markerHeight="4" orient="auto-start-reverse">\
                <path d="M0,0 L10,5 L0,10 z" fill="#0a84ff"/></marker></defs>\
                <circle cx="\(f(x1))" cy="\(f(y1))" r="\(f(unit * 1.5))" fill="#0a84ff"/>\
                <line x1="\(f(x1))" y1="\(f(y1))" x2="\(f(x2))" y2="\(f(y2))" stroke="#0a84ff" stroke-width="\(f(unit * 1))" marker-end="url(#\(id))"/>
                """
        case .type(let text), .typeName(let text): body = banner("⌨ " + text, unit: unit, atBottom: true)
        case .launch(let app): body = banner("Launch " + app, unit: unit, atBottom: false)
        case .back: body = banner("◀ Back", unit: unit, atBottom: true)
        case .home: body = banner("● Home", unit: unit, atBottom: true)
        case .wait(let s): body = banner("Wait \(Action.formatSeconds(s)) s", unit: unit, atBottom: false)
        case .finish: body = banner("✓ finish", unit: unit, atBottom: false)
        case .shortcut(let name, _): body = banner("Shortcut " + name, unit: unit, atBottom: false)
        case .takeOver, .interact, .note, .callAPI: body = banner(action.name, unit: unit, atBottom: false)
        }
        return "<svg class=\"overlay\" viewBox=\"0 0 \(width) \(height)\" preserveAspectRatio=\"none\" aria-hidden=\"true\">\(body)</svg>"
    }

    /// A dark band across the screen with white text in it.
    private func banner(_ text: String, unit: Double, atBottom: Bool) -> String {
        let shown = text.count > 30 ? String(text.prefix(29)) + "…" : text
        let h = unit * 5
        let y = atBottom ? Double(height) - h * 2.2 : h * 1.2
        return "<rect x=\"\(f(unit * 3))\" y=\"\(f(y))\" width=\"\(f(Double(width) - unit * 6))\" height=\"\(f(h))\" rx=\"\(f(unit * 1.5))\" fill=\"rgba(0,0,0,0.72)\"/>"
            + "<text x=\"\(f(Double(width) / 2))\" y=\"\(f(y + h * 0.68))\" font-size=\"\(f(unit * 2.4))\" fill=\"#fff\" text-anchor=\"middle\" font-family=\"sans-serif\">\(Markup.escape(shown))</text>"
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
