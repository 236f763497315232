import Basics
import Foundation

/// JUnit XML as Jenkins, GitLab and GitHub's test reporters read it: `<testsuites>`, one
/// `<testsuite>` per flow file with the devices as properties, one `<testcase>` per flow, a
/// `<failure>` with the message (file:line:column, the command, why) and a body with what was on
/// the screen, and attachments as `[[ATTACHMENT|path]]` lines in `<system-out>`.
public enum JUnitReport {
    public static func xml(_ results: [FlowResult], suiteName: String = "tether test", timestamp: Date = Date(), hostname: String? = nil) -> String {
        let host = Markup.escape(hostname ?? ProcessInfo.processInfo.hostName)
        let stamp = ISO8601DateFormatter.string(from: timestamp, timeZone: TimeZone(identifier: "UTC") ?? .current, formatOptions: [.withInternetDateTime])
            .replacingOccurrences(of: "Z", with: "")
        var files: [String] = []
        var byFile: [String: [FlowResult]] = [:]
        for r in results {
            if byFile[r.file] == nil { files.append(r.file) }
            byFile[r.file, default: []].append(r)
        }
        func count(_ rs: [FlowResult]) -> (tests: Int, failures: Int, skipped: Int, time: Double) {
            (rs.count, rs.filter { $0.status == .failed }.count, rs.filter { $0.status == .skipped }.count, rs.reduce(0) { $0 + $1.seconds })
        }
        let all = count(results)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"\(Markup.escape(suiteName))\" tests=\"\(all.tests)\" failures=\"\(all.failures)\" errors=\"0\" skipped=\"\(all.skipped)\" time=\"\(seconds(all.time))\">\n"
        for (i, file) in files.enumerated() {
            let rs = byFile[file] ?? []
            let c = count(rs)
            out += "  <testsuite name=\"\(Markup.escape(file))\" id=\"\(i)\" package=\"\(Markup.escape(packageName(file)))\" tests=\"\(c.tests)\" failures=\"\(c.failures)\" errors=\"0\" skipped=\"\(c.skipped)\" time=\"\(seconds(c.time))\" timestamp=\"\(stamp)\" hostname=\"\(host)\">\n"
            out += "    <properties>\n"
            var devices: [FlowDevice] = []
            for r in rs { if let d = r.device, !devices.contains(d) { devices.append(d) } }
            for d in devices {
                out += property("device", d.serial)
                if let model = d.model { out += property("device.\(d.serial).model", model) }
                if let version = d.androidVersion { out += property("device.\(d.serial).android", version) }
            }
            out += "    </properties>\n"
            for r in rs { out += testcase(r) }
            out += "    <system-out></system-out>\n    <system-err></system-err>\n"
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    static func property(_ name: String, _ value: String) -> String {
        "      <property name=\"\(Markup.escape(name))\" value=\"\(Markup.escape(value))\"/>\n"
    }

    static func seconds(_ s: Double) -> String { String(format: "%.3f", s) }

    /// `flows/login.yaml` → `flows.login` (the class name reporters group by).
    static func packageName(_ file: String) -> String {
        var name = file
        for suffix in [".yaml", ".yml"] where name.hasSuffix(suffix) { name = String(name.dropLast(suffix.count)) }
        while name.hasPrefix("./") { name.removeFirst(2) }
        return name.replacingOccurrences(of: "/", with: ".")
    }

    static func testcase(_ r: FlowResult) -> String {
        var out = "    <testcase name=\"\(Markup.escape(r.name))\" classname=\"\(Markup.escape(packageName(r.file)))\" time=\"\(seconds(r.seconds))\""
        var body = ""
        switch r.status {
        case .skipped:
            body += "      <skipped message=\"left out by the tags\"/>\n"
        case .failed:
            let f = r.failure
            let message = f?.summary ?? "failed"
            var text = message + "\n"
            if let f {
                if !f.screen.isEmpty { text += "\nOn screen: " + f.screen.map { "\"\($0)\"" }.joined(separator: ", ") + "\n" }
                if let s = f.screenshot { text += "Screenshot: \(s)\n" }
                if let t = f.uiTree { text += "UI tree: \(t)\n" }
            }
            text += "\nSteps:\n" + r.steps.map { stepLine($0) }.joined(separator: "\n")
            body += "      <failure message=\"\(Markup.escape(message))\" type=\"\(f?.phoneLost == true ? "PhoneLost" : "FlowFailure")\">\(Markup.escape(text))</failure>\n"
        case .passed, .flaky:
            break
        }
        var lines: [String] = []
        if r.status == .flaky {
            lines.append("FLAKY: passed on attempt \(r.attempts) of \(r.attempts); earlier failures:")
            lines += r.earlierFailures.map { "  " + $0.summary }
        }
        if let d = r.device { lines.append("device: \(d.serial)\(d.model.map { " (\($0))" } ?? "")") }
        lines += r.steps.map { stepLine($0) }
        for e in r.episodes { lines.append("episode: \(e)") }
        var attachments = r.screenshots
        if let f = r.failure {
            if let s = f.screenshot { attachments.append(s) }
            if let t = f.uiTree { attachments.append(t) }
        }
        lines += attachments.map { "[[ATTACHMENT|\($0)]]" }
        if !lines.isEmpty { body += "      <system-out>\(Markup.escape(lines.joined(separator: "\n")))</system-out>\n" }
        return body.isEmpty
            ? out + "/>\n"
            : {
                out += ">\n" + body + "    </testcase>\n"; return out
            }()
    }

    static func stepLine(_ s: StepReport) -> String {
        let mark = ["passed": "✓", "failed": "✗", "warned": "!", "skipped": "-"][s.status.rawValue] ?? "?"
        return String(repeating: "  ", count: s.depth) + "\(mark) \(s.location.line):\(s.location.column) \(s.text) — \(s.message) (\(String(format: "%.2f", s.seconds)) s)"
    }
}
