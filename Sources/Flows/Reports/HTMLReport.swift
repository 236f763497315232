import Basics
import Foundation

/// One HTML file that needs nothing else: every flow with its status, duration and device, its
/// steps with small screenshots, and the failing step highlighted with its screenshot and what
/// was on the screen. No scripts; pictures are inline JPEG.
public enum HTMLReport {
    public static func html(_ results: [FlowResult], title: String = "tether test", generated: Date = Date()) -> String {
        let passed = results.filter { $0.status == .passed }.count
        let flaky = results.filter { $0.status == .flaky }.count
        let failed = results.filter { $0.status == .failed }.count
        let skipped = results.filter { $0.status == .skipped }.count
        let stamp = ISO8601DateFormatter().string(from: generated)
        var out = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(title))</title>
            <style>\(style)</style></head><body>
            <header><h1>\(e(title))</h1>
            <p class="totals"><span class="passed">\(passed) passed</span> <span class="flaky">\(flaky) flaky</span> <span class="failed">\(failed) failed</span> <span class="skipped">\(skipped) skipped</span> <span class="when">\(e(stamp))</span></p></header>
            <main>

            """
        for (i, r) in results.enumerated() { out += flow(r, index: i) }
        out += "</main></body></html>\n"
        return out
    }

    static func e(_ s: String) -> String { Markup.escape(s) }

    static func flow(_ r: FlowResult, index: Int) -> String {
        let device = r.device.map { " on \($0.serial)\($0.model.map { " (\($0))" } ?? "")" } ?? ""
        var out = "<details class=\"flow \(r.status.rawValue)\" id=\"flow-\(index)\"\(r.status == .failed ? " open" : "")>\n"
        out += "<summary><span class=\"badge \(r.status.rawValue)\">\(r.status.rawValue)</span> <b>\(e(r.name))</b> <span class=\"file\">\(e(r.file))</span>"
        out += " <span class=\"time\">\(String(format: "%.2f", r.seconds)) s\(r.attempts > 1 ? ", \(r.attempts) attempts" : "")\(e(device))</span></summary>\n"
        if let f = r.failure {
            out += "<section class=\"failure\"><h3>\(e(f.summary))</h3>\n"
            if !f.screen.isEmpty, !f.message.contains("the screen shows") { out += "<p>On screen: " + f.screen.map { "<q>\(e($0))</q>" }.joined(separator: ", ") + "</p>\n" }
            if let image = f.image { out += "<img class=\"shot\" alt=\"the screen at the failure\" src=\"data:image/jpeg;base64,\(image)\">\n" }
            var files: [String] = []
            if let s = f.screenshot { files.append("screenshot <code>\(e(s))</code>") }
            if let t = f.uiTree { files.append("UI tree <code>\(e(t))</code>") }
            if !files.isEmpty { out += "<p class=\"files\">" + files.joined(separator: " · ") + "</p>\n" }
            out += "</section>\n"
        }
        if !r.earlierFailures.isEmpty {
            out += "<section class=\"earlier\"><h4>Earlier attempts failed</h4><ul>"
            out += r.earlierFailures.map { "<li>\(e($0.summary))</li>" }.joined()
            out += "</ul></section>\n"
        }
        if !r.steps.isEmpty {
            out += "<ol class=\"steps\">\n"
            for s in r.steps {
                out += "<li class=\"step \(s.status.rawValue)\" style=\"margin-left:\(Double(s.depth) * 1.5)em\">"
                if let t = s.thumbnail { out += "<img class=\"thumb\" alt=\"\" src=\"data:image/jpeg;base64,\(t)\">" }
                out += "<div><span class=\"badge \(s.status.rawValue)\">\(s.status.rawValue)</span> <code>\(e(s.text))</code>"
                out += " <span class=\"where\">\(s.location.line):\(s.location.column)</span> <span class=\"time\">\(String(format: "%.2f", s.seconds)) s</span>"
                out += "<div class=\"message\">\(e(s.message))</div></div></li>\n"
            }
            out += "</ol>\n"
        }
        if !r.episodes.isEmpty { out += "<p class=\"files\">Episodes: " + r.episodes.map { "<code>\(e($0))</code>" }.joined(separator: " ") + "</p>\n" }
        out += "</details>\n"
        return out
    }

    static let style = """
        body{font:14px/1.45 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d232b}
        header{padding:16px 24px;background:#1d232b;color:#fff}h1{margin:0 0 6px;font-size:20px}
        .totals span{margin-right:12px}.when{opacity:.7}
        main{padding:16px 24px;max-width:1100px}
        details.flow{background:#fff;border:1px solid #d8dde3;border-left:6px solid #2e7d32;border-radius:6px;margin:0 0 12px;padding:8px 12px}
        details.flow.failed{border-left-color:#c62828}details.flow.flaky{border-left-color:#ef6c00}details.flow.skipped{border-left-color:#9e9e9e}
        summary{cursor:pointer}.file,.where,.time{color:#5f6b7a;font-size:12px}
        .badge{display:inline-block;min-width:52px;text-align:center;border-radius:10px;padding:0 6px;font-size:12px;color:#fff;background:#2e7d32}
        .badge.failed{background:#c62828}.badge.flaky,.badge.warned{background:#ef6c00}.badge.skipped{background:#9e9e9e}
        .failure{background:#fdecea;border:1px solid #f5c2c0;border-radius:6px;padding:8px 12px;margin:8px 0}
        .failure h3{margin:0 0 6px;font-size:14px;color:#8e1b1b;word-break:break-word}
        img.shot{max-width:360px;border:1px solid #ccc;border-radius:4px}
        ol.steps{list-style:none;padding:0;margin:8px 0}
        li.step{display:flex;gap:10px;align-items:flex-start;padding:4px 0;border-top:1px solid #eef0f3}
        li.step.failed{background:#fdecea}li.step.warned{background:#fff4e5}
        img.thumb{width:60px;border:1px solid #ddd;border-radius:3px}
        .message{color:#3d4754;font-size:12px;word-break:break-word}
        code{font-size:12px}
        """
}
