import Basics
import Foundation

/// A self-contained HTML page of an episode (`tether episode view`): the run's task, backend and
/// outcome, then per step the screenshot with its action drawn on it, the element under a
/// person's touch, the model's thinking and answer, the result, the timings and the tokens.
/// Screenshots are inlined as `data:` URIs and the style sits in the page, so it loads nothing.
public struct EpisodePage: Sendable {
    public var episode: Episode
    /// What a step's action touched (a person's recording names the element), when known.
    public var element: @Sendable (StepRecord) -> String?

    public init(episode: Episode, element: @escaping @Sendable (StepRecord) -> String? = { $0.element?.summary }) {
        self.episode = episode
        self.element = element
    }

    /// The page. Fails only when a screenshot the episode names cannot be read.
    public func html() throws(ExportError) -> String {
        let info = episode.info
        var out = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Markup.escape("Episode: " + info.task))</title>
            <style>\(EpisodePage.style)</style>
            </head><body>
            <header><h1>\(Markup.escape(info.task))</h1>
            <dl class="facts">
            """
        var facts: [(String, String)] = [
            ("outcome", "\(info.outcome.status.rawValue): \(info.outcome.message)"),
            ("steps", String(episode.steps.count)),
            ("backend", info.backend),
            ("started", EpisodePage.time(info.startedAt))
        ]
        if let ended = info.endedAt { facts.append(("ended", EpisodePage.time(ended))) }
        if let device = info.device { facts.append(("device", [device.model, device.serial].compactMap { $0 }.joined(separator: " · "))) }
        out += facts.map { "<dt>\($0.0)</dt><dd>\(Markup.escape($0.1))</dd>" }.joined()
        out += "</dl></header>\n<main>\n"
        for step in episode.steps { out += try section(step) }
        out += "</main></body></html>\n"
        return out
    }

    func section(_ step: StepRecord) throws(ExportError) -> String {
        let action = step.action.flatMap { try? ActionParser.parse($0).action }
        var out = "<section class=\"step\" id=\"step-\(step.step)\">\n<div class=\"shot\">"
        if let screen = step.screen {
            let url = episode.directory.appendingPathComponent(screen)
            let data: Data
            do { data = try Data(contentsOf: url) } catch {
                throw ExportError("cannot read the screenshot \(url.path): \(error.localizedDescription)")
            }
            let w = step.screenWidth ?? 0
            let h = step.screenHeight ?? 0
            out += "<img class=\"screen\" alt=\"screen at step \(step.step)\" src=\"\(HTMLText.dataURI(data))\""
            if w > 0, h > 0 { out += " width=\"\(w)\" height=\"\(h)\"" }
            out += ">"
            if let action, w > 0, h > 0 {
                let path = step.gesture?.path?.map { (x: $0.x, y: $0.y) } ?? []
                out += ActionOverlay(action: action, width: w, height: h, id: "arrow-\(step.step)", path: path).svg
            }
        } else {
            out += "<p class=\"none\">no screenshot</p>"
        }
        out += "</div>\n<div class=\"about\">\n"
        let source = StepSource(step, of: episode.info)
        out += "<h2>Step \(step.step) <span class=\"app\">\(Markup.escape(step.currentApp))</span>"
        out += " <span class=\"source \(source.rawValue)\">\(source == .agent ? "model" : source == .human ? "person" : "replay")</span></h2>\n"
        if let text = step.action {
            out += "<p class=\"action\"><code>\(Markup.escape(text))</code></p>\n"
        } else if let error = step.parseError {
            out += "<p class=\"action bad\">no action: \(Markup.escape(error))</p>\n"
        }
        if let element = element(step) { out += "<p class=\"element\">on \(Markup.escape(element))</p>\n" }
        if let result = step.result {
            out += "<p class=\"result \(result.ok ? "ok" : "bad")\">\(result.ok ? "→" : "✗") \(Markup.escape(result.message))</p>\n"
        }
        if let feedback = step.feedback { out += "<p class=\"feedback\">told: \(Markup.escape(feedback))</p>\n" }
        if let thinking = step.thinking, !thinking.isEmpty {
            out += "<blockquote class=\"thinking\">\(Markup.escape(thinking))</blockquote>\n"
        }
        if !step.modelText.isEmpty {
            out += "<details><summary>model text</summary><pre>\(Markup.escape(step.modelText))</pre></details>\n"
        }
        out += "<p class=\"timings\">\(EpisodePage.timings(step, source: source))</p>\n"
        out += "</div></section>\n"
        return out
    }

    static func timings(_ step: StepRecord, source: StepSource) -> String {
        let t = step.timings
        if source != .agent {
            // A person's step has no capture or model call: how long the gesture took.
            return step.gesture.map { String(format: "gesture %.0f ms", $0.duration * 1000) } ?? ""
        }
        var parts = ["capture \(HTMLText.seconds(t.capture)) (settle \(HTMLText.seconds(t.settle)))", "model \(HTMLText.seconds(t.model))"]
        if let first = t.firstText { parts.append("first text \(HTMLText.seconds(first))") }
        parts.append("act \(HTMLText.seconds(t.act))")
        if let tokens = step.tokens {
            var text: [String] = []
            if let p = tokens.prompt { text.append("\(p) in") }
            if let c = tokens.completion { text.append("\(c) out") }
            if let r = tokens.reused { text.append("\(r) reused") }
            if !text.isEmpty { parts.append("tokens " + text.joined(separator: ", ")) }
        }
        return parts.joined(separator: " · ")
    }

    static func time(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    static let style = """
        body{font:14px/1.45 system-ui,sans-serif;margin:0;background:#f4f4f6;color:#1c1c1e}
        header{padding:16px 24px;background:#fff;border-bottom:1px solid #ddd}
        h1{font-size:20px;margin:0 0 8px}
        .facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
        .facts dt{color:#666}.facts dd{margin:0}
        main{padding:16px 24px;display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:14px;align-items:start}
        .step{display:flex;gap:16px;background:#fff;border-radius:10px;padding:14px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
        .shot{position:relative;flex:0 0 auto;width:200px;line-height:0}
        .shot .screen{width:100%;height:auto;border-radius:6px;border:1px solid #ccc}
        .shot .overlay{position:absolute;left:0;top:0;width:100%;height:100%}
        .about{flex:1 1 auto;min-width:0}
        h2{font-size:16px;margin:0 0 6px}
        .app{color:#555;font-weight:normal}
        .source{font-size:11px;font-weight:normal;padding:1px 6px;border-radius:8px;background:#e5e5ea}
        .source.human{background:#d1f2d9}
        .source.replay{background:#dfe7fb}
        .action code{background:#f0f0f3;padding:2px 4px;border-radius:4px;overflow-wrap:anywhere}
        .ok{color:#1a7f37}.bad{color:#c62828}
        .thinking{margin:8px 0;padding:6px 10px;border-left:3px solid #0a84ff;background:#f5f9ff;white-space:pre-wrap}
        .timings,.feedback,.element{color:#555}
        pre{white-space:pre-wrap;background:#f6f6f6;padding:6px}
        """
}
