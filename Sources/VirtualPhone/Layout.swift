import Foundation
import Imaging

struct Rect: Sendable, Equatable {
    var x0: Int, y0: Int, x1: Int, y1: Int
    var width: Int { x1 - x0 }
    var height: Int { y1 - y0 }
    var midX: Int { (x0 + x1) / 2 }
    var midY: Int { (y0 + y1) / 2 }
    func contains(_ x: Int, _ y: Int) -> Bool { x >= x0 && x < x1 && y >= y0 && y < y1 }
    func intersection(_ o: Rect) -> Rect? {
        let r = Rect(x0: max(x0, o.x0), y0: max(y0, o.y0), x1: min(x1, o.x1), y1: min(y1, o.y1))
        return r.x0 < r.x1 && r.y0 < r.y1 ? r : nil
    }
    func inset(_ d: Int) -> Rect { Rect(x0: x0 + d, y0: y0 + d, x1: x1 - d, y1: y1 - d) }
}

/// What touching a node does.
enum TapTarget: Sendable {
    case actions([Action], JSON, package: String)
    case focus(String)
    case toggle(String, package: String)
    case slider(String, min: Double, max: Double, track: Rect, package: String)
    case launch(String)
    case back
    case closeShade
}

/// One node of the accessibility tree: what `uiautomator dump` prints and what taps hit.
struct UINode: Sendable {
    var className: String
    var package: String
    var bounds: Rect
    var text = ""
    var resourceId = ""
    var contentDesc = ""
    var clickable = false
    var longClickable = false
    var checkable = false
    var checked = false
    var focusable = false
    var focused = false
    var scrollable = false
    var password = false
    var selected = false
    var children: [UINode] = []
    var tap: TapTarget?
    var longPress: TapTarget?
}

enum DrawOp: Sendable {
    case rect(Rect, Color, radius: Int)
    /// A rounded rectangle partly scrolled out of view: drawn only inside `clip`.
    case clippedRect(Rect, Color, radius: Int, clip: Rect)
    case ring(Rect, Color, thickness: Int, radius: Int)
    case text(String, x: Int, baseline: Int, size: Int, color: Color, bold: Bool)
    case line(Double, Double, Double, Double, Color, thickness: Double)
    case triangle([(Double, Double)], Color)
}

struct Theme {
    var background, surface, text, secondary, accent, onAccent, divider, appBar, danger: Color
    static let light = Theme(
        background: Color(r: 255, g: 255, b: 255), surface: Color(r: 241, g: 243, b: 244), text: Color(r: 32, g: 33, b: 36),
        secondary: Color(r: 95, g: 99, b: 104), accent: Color(r: 26, g: 115, b: 232), onAccent: .white,
        divider: Color(r: 218, g: 220, b: 224), appBar: Color(r: 248, g: 249, b: 250), danger: Color(r: 217, g: 48, b: 37))
    static let dark = Theme(
        background: Color(r: 18, g: 18, b: 20), surface: Color(r: 41, g: 42, b: 45), text: Color(r: 232, g: 234, b: 237),
        secondary: Color(r: 154, g: 160, b: 166), accent: Color(r: 138, g: 180, b: 248), onAccent: Color(r: 32, g: 33, b: 36),
        divider: Color(r: 60, g: 64, b: 67), appBar: Color(r: 32, g: 33, b: 36), danger: Color(r: 242, g: 139, b: 130))
}

/// A laid-out screen: the tree, the drawing and where the system areas are.
struct Frame {
    var root: UINode
    var ops: [DrawOp] = []
    var keys: [(Rect, String)] = []
    var statusBar: Rect
    var navBar: Rect
    var content: Rect
    var contentHeight = 0
    var keyboard: Rect?
}

extension Color {
    init(hex: String) {
        var s = hex
        if s.hasPrefix("#") { s.removeFirst() }
        let v = UInt32(s, radix: 16) ?? 0x888888
        self.init(r: UInt8((v >> 16) & 0xff), g: UInt8((v >> 8) & 0xff), b: UInt8(v & 0xff))
    }
}

extension VirtualPhone {
    func dp(_ v: Double) -> Int { Int((v * scale).rounded()) }
    var theme: Theme { darkMode ? .dark : .light }

    // MARK: - Layout

    /// The screen's layout, computed again only after something changed (like the frame).
    func layout() -> Frame {
        if let cached = layoutCache, cached.version == version { return cached.frame }
        let frame = !awake || keyguardShowing ? layoutLocked() : layoutUnlocked()
        layoutCache = (version, frame)
        return frame
    }

    func layoutUnlocked() -> Frame {
        let W = profile.width, H = profile.height
        let t = theme
        let status = Rect(x0: 0, y0: 0, x1: W, y1: dp(28))
        let nav = Rect(x0: 0, y0: H - dp(48), x1: W, y1: H)
        let entry = topEntry
        let pkg = entry?.package ?? Self.launcherPackage
        let app = catalog.apps[pkg]
        let screen = entry.flatMap { e in app?.screen(e.screen) }
        // The template context, built once for the title, the content and the button.
        let screenContext: JSON? = entry.flatMap { e in app.map { context(for: e, app: $0) } }
        var ops: [DrawOp] = []
        var keys: [(Rect, String)] = []
        let background = screen?.background.map(Color.init(hex:)) ?? t.background
        ops.append(.rect(Rect(x0: 0, y0: 0, x1: W, y1: H), background, radius: 0))

        // Keyboard or the ADB Keyboard bar while a field has focus.
        var bottom = nav.y0
        var keyboardRect: Rect?
        if entry?.focus != nil {
            let height = adbKeyboardActive ? dp(44) : dp(232)
            let kb = Rect(x0: 0, y0: bottom - height, x1: W, y1: bottom)
            keyboardRect = kb
            bottom = kb.y0
        }

        var top = status.y1
        var rootChildren: [UINode] = []
        if let screen, let ctx = screenContext, let titleTemplate = screen.title {
            let bar = Rect(x0: 0, y0: top, x1: W, y1: top + dp(64))
            ops.append(.rect(bar, t.appBar, radius: 0))
            var barNode = UINode(className: "android.view.ViewGroup", package: pkg, bounds: bar, resourceId: "\(pkg):id/toolbar")
            var x = dp(16)
            if screen.up ?? false {
                let b = Rect(x0: 0, y0: bar.y0, x1: dp(56), y1: bar.y1)
                let cx = Double(b.midX), cy = Double(b.midY), a = Double(dp(8))
                ops.append(.line(cx - a, cy, cx + a, cy, t.text, thickness: Double(dp(2))))
                ops.append(.line(cx - a, cy, cx - a / 4, cy - a * 0.75, t.text, thickness: Double(dp(2))))
                ops.append(.line(cx - a, cy, cx - a / 4, cy + a * 0.75, t.text, thickness: Double(dp(2))))
                barNode.children.append(UINode(className: "android.widget.ImageButton", package: pkg, bounds: b, contentDesc: "Navigate up",
                                               clickable: true, focusable: true, tap: .back))
                x = dp(64)
            }
            let title = text.fit(Template.render(titleTemplate, ctx), size: dp(20), maxWidth: W - x - dp(16))
            ops.append(.text(title, x: x, baseline: bar.midY + dp(7), size: dp(20), color: t.text, bold: false))
            barNode.children.append(UINode(className: "android.widget.TextView", package: pkg,
                                           bounds: Rect(x0: x, y0: bar.y0 + dp(18), x1: x + text.width(title, size: dp(20)), y1: bar.y1 - dp(18)), text: title))
            rootChildren.append(barNode)
            top = bar.y1
        }
        let viewport = Rect(x0: 0, y0: top, x1: W, y1: bottom)
        var contentOps: [DrawOp] = []
        var contentNodes: [UINode] = []
        var contentHeight = 0
        if let screen, let app, let entry {
            let ctx = screenContext ?? .null
            var y = viewport.y0 + dp(8) - entry.scroll
            for widget in screen.widgets {
                layoutWidget(widget, app: app, entry: entry, ctx: ctx, y: &y, ops: &contentOps, nodes: &contentNodes)
            }
            contentHeight = y + entry.scroll + dp(88) - viewport.y0
        }
        // Clip content to the viewport.
        ops.append(contentsOf: contentOps.compactMap { clip($0, to: viewport) })
        let visible = contentNodes.compactMap { clip($0, to: viewport) }
        let scrollable = contentHeight > viewport.height
        var scrollNode = UINode(className: scrollable ? "android.widget.ScrollView" : "android.widget.FrameLayout", package: pkg,
                                bounds: viewport, resourceId: "\(pkg):id/content", focusable: scrollable, scrollable: scrollable)
        scrollNode.children = visible
        rootChildren.append(scrollNode)

        if let screen, let ctx = screenContext, let fab = screen.fab {
            let size = dp(56)
            let r = Rect(x0: W - dp(16) - size, y0: viewport.y1 - dp(16) - size, x1: W - dp(16), y1: viewport.y1 - dp(16))
            ops.append(.rect(r, t.accent, radius: dp(16)))
            let plus = Double(dp(10))
            ops.append(.line(Double(r.midX) - plus, Double(r.midY), Double(r.midX) + plus, Double(r.midY), t.onAccent, thickness: Double(dp(3))))
            ops.append(.line(Double(r.midX), Double(r.midY) - plus, Double(r.midX), Double(r.midY) + plus, t.onAccent, thickness: Double(dp(3))))
            let label = Template.render(fab.text ?? "Add", ctx)
            rootChildren.append(UINode(className: "android.widget.ImageButton", package: pkg, bounds: r,
                                       resourceId: "\(pkg):id/\(fab.id ?? "fab")", contentDesc: label, clickable: true, focusable: true,
                                       tap: .actions(fab.actions ?? [], ctx, package: pkg)))
        }

        // Keyboard.
        if let kb = keyboardRect {
            if adbKeyboardActive {
                ops.append(.rect(kb, Color(r: 48, g: 48, b: 48), radius: 0))
                let label = "ADB Keyboard {ON}"
                let w = text.width(label, size: dp(16))
                ops.append(.text(label, x: (W - w) / 2, baseline: kb.midY + dp(6), size: dp(16), color: .white, bold: false))
            } else {
                layoutKeyboard(kb, ops: &ops, keys: &keys)
            }
        }

        // Toast.
        if let toast {
            let size = dp(14)
            let w = min(text.width(toast, size: size) + dp(32), W - dp(32))
            let r = Rect(x0: (W - w) / 2, y0: bottom - dp(96), x1: (W + w) / 2, y1: bottom - dp(56))
            ops.append(.rect(r, Color(r: 50, g: 50, b: 50, a: 235), radius: dp(20)))
            ops.append(.text(text.fit(toast, size: size, maxWidth: w - dp(32)), x: r.x0 + dp(16), baseline: r.midY + dp(5), size: size, color: .white, bold: false))
        }

        // Status bar.
        let statusColor = screen?.background != nil ? Color.white : t.text
        let time = Self.clockText(now)
        ops.append(.text(time, x: dp(16), baseline: status.midY + dp(5), size: dp(14), color: statusColor, bold: true))
        let battery = "\(batteryLevel)%"
        let bw = text.width(battery, size: dp(13))
        ops.append(.text(battery, x: W - dp(12) - bw, baseline: status.midY + dp(5), size: dp(13), color: statusColor, bold: false))
        let bx = W - dp(16) - bw - dp(14)
        ops.append(.ring(Rect(x0: bx, y0: status.midY - dp(6), x1: bx + dp(10), y1: status.midY + dp(7)), statusColor, thickness: max(1, dp(1)), radius: dp(1)))
        let level = dp(13) * batteryLevel / 100
        ops.append(.rect(Rect(x0: bx + dp(2), y0: status.midY + dp(7) - level, x1: bx + dp(8), y1: status.midY + dp(5)), statusColor, radius: 0))
        var sx = bx - dp(22)
        for i in 0..<4 {
            let h = dp(3 + 3 * Double(i))
            ops.append(.rect(Rect(x0: sx + i * dp(4), y0: status.midY + dp(6) - h, x1: sx + i * dp(4) + dp(3), y1: status.midY + dp(6)), statusColor, radius: 0))
        }
        if states["com.android.settings"]?["wifi"]?.truthy ?? false {
            sx -= dp(20)
            ops.append(.triangle([(Double(sx), Double(status.midY - dp(6))), (Double(sx + dp(16)), Double(status.midY - dp(6))),
                                  (Double(sx + dp(8)), Double(status.midY + dp(6)))], statusColor))
        }
        if states["com.android.settings"]?["bluetooth"]?.truthy ?? false {
            sx -= dp(16)
            ops.append(.text("ᛒ", x: sx, baseline: status.midY + dp(6), size: dp(14), color: statusColor, bold: true))
        }

        // Notification shade over everything but the nav bar.
        var shadeNode: UINode?
        if shadeOpen { shadeNode = layoutShade(ops: &ops) }

        // Navigation bar.
        let navBackground = screen?.background != nil ? Color(r: 0, g: 0, b: 0, a: 60) : t.appBar
        ops.append(.rect(nav, navBackground, radius: 0))
        let navColor = screen?.background != nil ? Color.white : t.text
        let third = W / 3
        let cy = Double(nav.midY)
        let s = Double(dp(8))
        let bxc = Double(third / 2)
        ops.append(.triangle([(bxc + s, cy - s), (bxc + s, cy + s), (bxc - s, cy)], navColor))
        ops.append(.ring(Rect(x0: W / 2 - dp(9), y0: nav.midY - dp(9), x1: W / 2 + dp(9), y1: nav.midY + dp(9)), navColor, thickness: dp(2), radius: dp(9)))
        let rx = W - third / 2
        ops.append(.ring(Rect(x0: rx - dp(8), y0: nav.midY - dp(8), x1: rx + dp(8), y1: nav.midY + dp(8)), navColor, thickness: dp(2), radius: dp(2)))

        var root = UINode(className: "android.widget.FrameLayout", package: pkg, bounds: Rect(x0: 0, y0: 0, x1: W, y1: H))
        var decor = UINode(className: "android.widget.LinearLayout", package: pkg, bounds: Rect(x0: 0, y0: status.y1, x1: W, y1: nav.y0))
        decor.children = rootChildren
        root.children = [decor]
        if let shadeNode { root = shadeNode }
        return Frame(root: root, ops: ops, keys: keys, statusBar: status, navBar: nav, content: viewport,
                     contentHeight: contentHeight, keyboard: keyboardRect)
    }

    var batteryLevel: Int { 40 + Int(seed % 56) }

    static func clockText(_ seconds: Double) -> String {
        let s = Int(seconds) % 86400
        return String(format: "%02d:%02d", s / 3600, (s / 60) % 60)
    }

    func clip(_ op: DrawOp, to r: Rect) -> DrawOp? {
        switch op {
        case .rect(let b, let c, let radius):
            guard let i = b.intersection(r) else { return nil }
            if i == b || radius == 0 { return .rect(i, c, radius: radius) }
            return .clippedRect(b, c, radius: radius, clip: i)
        case .clippedRect: return op
        case .ring(let b, _, _, _): return b.intersection(r) == b ? op : nil
        case .text(_, _, let baseline, let size, _, _):
            return baseline - size >= r.y0 - size / 3 && baseline + size / 4 <= r.y1 ? op : nil
        case .line(_, let y0, _, let y1, _, _): return min(y0, y1) >= Double(r.y0) && max(y0, y1) <= Double(r.y1) ? op : nil
        case .triangle(let pts, _): return pts.allSatisfy { $0.1 >= Double(r.y0) && $0.1 <= Double(r.y1) } ? op : nil
        }
    }

    func clip(_ node: UINode, to r: Rect) -> UINode? {
        guard let b = node.bounds.intersection(r) else { return nil }
        var n = node
        n.bounds = b
        n.children = node.children.compactMap { clip($0, to: b) }
        return n
    }

    // MARK: - Widgets

    func items(for widget: Widget, ctx: JSON) -> [JSON] {
        var items = widget.source.flatMap { ctx.value(at: $0)?.arrayValue } ?? []
        if let filter = widget.filter {
            if let c = filter.contains.map({ Template.render($0, ctx) }), !c.isEmpty {
                let needle = c.lowercased()
                items = items.filter { item in filter.fields.contains { (item.value(at: $0)?.text ?? "").lowercased().contains(needle) } }
            }
            if let e = filter.equals.map({ Template.render($0, ctx) }) {
                items = items.filter { item in filter.fields.contains { item.value(at: $0)?.text == e } }
            }
        }
        if let key = widget.sort {
            items.sort { a, b in
                let x = a.value(at: key), y = b.value(at: key)
                if let p = x?.numberValue, let q = y?.numberValue, x?.stringValue == nil || y?.stringValue == nil { return p < q }
                return (x?.text ?? "").localizedCaseInsensitiveCompare(y?.text ?? "") == .orderedAscending
            }
            if widget.descending == true { items.reverse() }
        }
        if let key = widget.distinct {
            var seen = Set<String>()
            items = items.filter { seen.insert(TaskCheck.normalized($0.value(at: key)?.text ?? "")).inserted }
        }
        return items
    }

    func itemContext(_ item: JSON, _ ctx: JSON) -> JSON {
        guard case .object(var base) = ctx else { return ctx }
        for (k, v) in item.objectValue ?? [:] { base[k] = v }
        base["item"] = item
        return .object(base)
    }

    func layoutWidget(_ w: Widget, app: AppDefinition, entry: ActivityEntry, ctx: JSON, y: inout Int,
                      ops: inout [DrawOp], nodes: inout [UINode]) {
        if let cond = w.when, !(Template.evaluate(cond, ctx)?.truthy ?? false) { return }
        let W = profile.width
        let pad = dp(16)
        let t = theme
        let pkg = app.package
        let rid = w.id.map { "\(pkg):id/\($0)" } ?? ""
        switch w.type {
        case .spacer:
            y += dp(w.height ?? 16)
        case .divider:
            y += dp(8)
            ops.append(.rect(Rect(x0: pad, y0: y, x1: W - pad, y1: y + max(1, dp(1))), t.divider, radius: 0))
            y += dp(8)
        case .title, .text, .caption:
            let size = w.type == .title ? dp(24) : w.type == .caption ? dp(14) : dp(16)
            let lineHeight = Int(Double(size) * 1.45)
            let bold = w.type == .title
            let color = w.color.map(Color.init(hex:)) ?? (w.type == .caption ? t.secondary : t.text)
            let content = Template.render(w.text ?? "", ctx)
            let lines = text.wrap(content, size: size, maxWidth: W - 2 * pad, bold: bold)
            let top = y + dp(4)
            for (i, line) in lines.enumerated() {
                ops.append(.text(line, x: pad, baseline: top + i * lineHeight + Int(Double(size) * 1.1), size: size, color: color, bold: bold))
            }
            let height = lines.count * lineHeight + dp(8)
            let widest = lines.map { text.width($0, size: size, bold: bold) }.max() ?? 0
            nodes.append(UINode(className: "android.widget.TextView", package: pkg, bounds: Rect(x0: pad, y0: top, x1: pad + max(widest, 1), y1: top + lines.count * lineHeight),
                                text: content, resourceId: rid, clickable: w.actions != nil,
                                tap: w.actions.map { .actions($0, ctx, package: pkg) }))
            y += height
        case .button:
            let r = Rect(x0: pad, y0: y + dp(8), x1: W - pad, y1: y + dp(56))
            let label = Template.render(w.text ?? "", ctx)
            let style = w.style ?? "primary"
            let fill = style == "danger" ? t.danger : style == "secondary" ? t.background : t.accent
            let fg = style == "secondary" ? t.accent : t.onAccent
            ops.append(.rect(r, fill, radius: r.height / 2))
            if style == "secondary" { ops.append(.ring(r, t.divider, thickness: max(1, dp(1)), radius: r.height / 2)) }
            let size = dp(16)
            let tw = text.width(label, size: size, bold: true)
            ops.append(.text(label, x: r.midX - tw / 2, baseline: r.midY + dp(6), size: size, color: fg, bold: true))
            nodes.append(UINode(className: "android.widget.Button", package: pkg, bounds: r, text: label, resourceId: rid,
                                clickable: true, focusable: true, tap: .actions(w.actions ?? [], ctx, package: pkg)))
            y = r.y1 + dp(8)
        case .toggle:
            let path = Template.render(w.bind ?? "", ctx)
            let on = states[pkg]?.value(at: path)?.truthy ?? false
            let label = Template.render(w.text ?? "", ctx)
            let sub = w.subtitle.map { Template.render($0, ctx) }
            let h = dp(sub == nil ? 64 : 76)
            let row = Rect(x0: 0, y0: y, x1: W, y1: y + h)
            var node = UINode(className: "android.widget.LinearLayout", package: pkg, bounds: row, resourceId: rid, clickable: true, focusable: true,
                              tap: .toggle(path, package: pkg))
            let titleBase = sub == nil ? row.midY + dp(6) : row.y0 + dp(32)
            ops.append(.text(text.fit(label, size: dp(18), maxWidth: W - dp(110)), x: pad, baseline: titleBase, size: dp(18), color: t.text, bold: false))
            node.children.append(UINode(className: "android.widget.TextView", package: pkg,
                                        bounds: Rect(x0: pad, y0: titleBase - dp(18), x1: pad + text.width(label, size: dp(18)), y1: titleBase + dp(5)),
                                        text: label, resourceId: "android:id/title"))
            if let sub {
                ops.append(.text(text.fit(sub, size: dp(14), maxWidth: W - dp(110)), x: pad, baseline: row.y0 + dp(56), size: dp(14), color: t.secondary, bold: false))
                node.children.append(UINode(className: "android.widget.TextView", package: pkg,
                                            bounds: Rect(x0: pad, y0: row.y0 + dp(42), x1: pad + text.width(sub, size: dp(14)), y1: row.y0 + dp(60)),
                                            text: sub, resourceId: "android:id/summary"))
            }
            let sw = switchRect(row)
            drawSwitch(sw, on: on, ops: &ops)
            node.children.append(UINode(className: "android.widget.Switch", package: pkg, bounds: sw, text: on ? "ON" : "OFF",
                                        resourceId: "android:id/switch_widget", checkable: true, checked: on, focusable: true))
            nodes.append(node)
            y = row.y1
        case .slider:
            let path = Template.render(w.bind ?? "", ctx)
            let lo = w.min ?? 0, hi = w.max ?? 100
            let value = states[pkg]?.value(at: path)?.numberValue ?? lo
            let label = Template.render(w.text ?? "", ctx)
            ops.append(.text(label, x: pad, baseline: y + dp(28), size: dp(18), color: t.text, bold: false))
            let valueText = JSON.format(value.rounded())
            let vw = text.width(valueText, size: dp(16))
            ops.append(.text(valueText, x: W - pad - vw, baseline: y + dp(28), size: dp(16), color: t.secondary, bold: false))
            let track = Rect(x0: pad + dp(8), y0: y + dp(52), x1: W - pad - dp(8), y1: y + dp(56))
            let fraction = hi > lo ? min(max((value - lo) / (hi - lo), 0), 1) : 0
            let knobX = track.x0 + Int(Double(track.width) * fraction)
            ops.append(.rect(track, t.divider, radius: dp(2)))
            ops.append(.rect(Rect(x0: track.x0, y0: track.y0, x1: knobX, y1: track.y1), t.accent, radius: dp(2)))
            ops.append(.rect(Rect(x0: knobX - dp(10), y0: track.midY - dp(10), x1: knobX + dp(10), y1: track.midY + dp(10)), t.accent, radius: dp(10)))
            let bounds = Rect(x0: pad, y0: y + dp(40), x1: W - pad, y1: y + dp(68))
            nodes.append(UINode(className: "android.widget.TextView", package: pkg, bounds: Rect(x0: pad, y0: y + dp(10), x1: pad + text.width(label, size: dp(18)), y1: y + dp(34)), text: label))
            nodes.append(UINode(className: "android.widget.SeekBar", package: pkg, bounds: bounds, text: valueText, resourceId: rid,
                                clickable: true, focusable: true, scrollable: false,
                                tap: .slider(path, min: lo, max: hi, track: Rect(x0: track.x0, y0: bounds.y0, x1: track.x1, y1: bounds.y1), package: pkg)))
            y += dp(76)
        case .field:
            let field = w.field ?? w.id ?? "text"
            let value = entry.form[field] ?? ""
            let focused = entry.focus == field
            let h = dp(w.multiline == true ? 132 : 56)
            let r = Rect(x0: pad, y0: y + dp(8), x1: W - pad, y1: y + dp(8) + h)
            ops.append(.rect(r, t.surface, radius: dp(8)))
            ops.append(.ring(r, focused ? t.accent : t.divider, thickness: focused ? dp(2) : max(1, dp(1)), radius: dp(8)))
            let hint = Template.render(w.hint ?? "", ctx)
            let size = dp(17)
            let shown = w.password == true ? String(repeating: "•", count: value.count) : value
            var caretX = r.x0 + dp(14)
            var caretBase = r.y0 + dp(35)
            if shown.isEmpty {
                ops.append(.text(text.fit(hint, size: size, maxWidth: r.width - dp(28)), x: r.x0 + dp(14), baseline: r.y0 + dp(35), size: size, color: t.secondary, bold: false))
            } else if w.multiline == true {
                let lines = text.wrap(shown, size: size, maxWidth: r.width - dp(28)).suffix(5)
                for (i, line) in lines.enumerated() {
                    ops.append(.text(line, x: r.x0 + dp(14), baseline: r.y0 + dp(30) + i * dp(24), size: size, color: t.text, bold: false))
                }
                caretX = r.x0 + dp(14) + text.width(lines.last ?? "", size: size)
                caretBase = r.y0 + dp(30) + (lines.count - 1) * dp(24)
            } else {
                var visible = shown
                while text.width(visible, size: size) > r.width - dp(30), !visible.isEmpty { visible.removeFirst() }
                ops.append(.text(visible, x: r.x0 + dp(14), baseline: r.y0 + dp(35), size: size, color: t.text, bold: false))
                caretX = r.x0 + dp(14) + text.width(visible, size: size)
            }
            if focused {
                ops.append(.rect(Rect(x0: caretX + 1, y0: caretBase - dp(18), x1: caretX + 1 + max(2, dp(1.5)), y1: caretBase + dp(4)), t.accent, radius: 0))
            }
            nodes.append(UINode(className: "android.widget.EditText", package: pkg, bounds: r, text: value.isEmpty ? hint : shown,
                                resourceId: rid.isEmpty ? "\(pkg):id/\(field)" : rid, clickable: true, longClickable: true,
                                focusable: true, focused: focused, password: w.password == true, tap: .focus(field)))
            y = r.y1 + dp(8)
        case .row:
            let item = ItemTemplate(id: w.id, title: w.text ?? "", subtitle: w.subtitle, trailing: w.trailing, toggle: w.bind,
                                    avatar: nil, outgoing: nil, actions: w.actions, longPress: nil)
            layoutItem(item, ctx: ctx, pkg: pkg, rid: rid, y: &y, ops: &ops, nodes: &nodes)
        case .list:
            let list = items(for: w, ctx: ctx)
            let top = y
            var children: [UINode] = []
            if list.isEmpty, let empty = w.empty {
                ops.append(.text(Template.render(empty, ctx), x: pad, baseline: y + dp(40), size: dp(16), color: t.secondary, bold: false))
                y += dp(64)
            }
            for (i, item) in list.enumerated() {
                guard let template = w.item else { break }
                let ictx = itemContext(item, ctx)
                let itemId = template.id.map { Template.render($0, ictx) } ?? String(i)
                if let outgoing = template.outgoing {
                    layoutBubble(Template.render(template.title, ictx), outgoing: Template.evaluate(outgoing, ictx)?.truthy ?? false,
                                 caption: template.subtitle.map { Template.render($0, ictx) }, pkg: pkg, y: &y, ops: &ops, nodes: &children)
                } else {
                    layoutItem(template, ctx: ictx, pkg: pkg, rid: "\(pkg):id/\(w.id ?? "item")_\(itemId)", y: &y, ops: &ops, nodes: &children)
                }
            }
            nodes.append(UINode(className: "androidx.recyclerview.widget.RecyclerView", package: pkg,
                                bounds: Rect(x0: 0, y0: top, x1: W, y1: max(y, top + 1)), resourceId: rid, focusable: true, children: children))
        case .apps:
            let packages: [String]
            if w.apps == "home" {
                packages = (states[pkg]?["home"]?.arrayValue?.compactMap(\.stringValue) ?? []).filter { profile.apps.contains($0) }
            } else {
                packages = profile.apps.filter { $0 != Self.launcherPackage }
                    .sorted { (catalog.apps[$0]?.label ?? $0) < (catalog.apps[$1]?.label ?? $1) }
            }
            let columns = 4
            let cellW = W / columns, cellH = dp(104)
            for (i, p) in packages.enumerated() {
                guard let target = catalog.apps[p] else { continue }
                let col = i % columns, row = i / columns
                let cell = Rect(x0: col * cellW, y0: y + row * cellH, x1: (col + 1) * cellW, y1: y + (row + 1) * cellH)
                let icon = Rect(x0: cell.midX - dp(28), y0: cell.y0 + dp(8), x1: cell.midX + dp(28), y1: cell.y0 + dp(64))
                ops.append(.rect(icon, Color(hex: target.icon.color), radius: dp(28)))
                let gsize = dp(26)
                let gw = text.width(target.icon.glyph, size: gsize, bold: true)
                ops.append(.text(target.icon.glyph, x: icon.midX - gw / 2, baseline: icon.midY + dp(9), size: gsize, color: .white, bold: true))
                let labelColor = (catalog.apps[pkg]?.screen(entry.screen)?.background != nil) ? Color.white : t.text
                let label = text.fit(target.label, size: dp(13), maxWidth: cellW - dp(8))
                let lw = text.width(label, size: dp(13))
                ops.append(.text(label, x: cell.midX - lw / 2, baseline: cell.y0 + dp(86), size: dp(13), color: labelColor, bold: false))
                nodes.append(UINode(className: "android.widget.TextView", package: pkg,
                                    bounds: Rect(x0: cell.x0 + dp(4), y0: cell.y0 + dp(4), x1: cell.x1 - dp(4), y1: cell.y1 - dp(4)),
                                    text: target.label, contentDesc: target.label, clickable: true, longClickable: true, focusable: true,
                                    tap: .launch(p)))
            }
            y += ((packages.count + columns - 1) / columns) * cellH
        case .image:
            let h = dp(w.height ?? 160)
            let r = Rect(x0: pad, y0: y + dp(8), x1: W - pad, y1: y + dp(8) + h)
            ops.append(.rect(r, Color(hex: Template.render(w.color ?? "#B0BEC5", ctx)), radius: dp(12)))
            let label = Template.render(w.text ?? "", ctx)
            let size = dp(44)
            let lw = text.width(label, size: size, bold: true)
            ops.append(.text(label, x: r.midX - lw / 2, baseline: r.midY + dp(16), size: size, color: .white, bold: true))
            nodes.append(UINode(className: "android.widget.ImageView", package: pkg, bounds: r, resourceId: rid, contentDesc: Template.render(w.hint ?? label, ctx)))
            y = r.y1 + dp(8)
        case .chips:
            var x = pad
            var rowY = y + dp(8)
            for chip in w.chips ?? [] {
                let label = Template.render(chip.text, ctx)
                let cw = text.width(label, size: dp(14)) + dp(32)
                if x + cw > W - pad { x = pad; rowY += dp(44) }
                let r = Rect(x0: x, y0: rowY, x1: x + cw, y1: rowY + dp(34))
                ops.append(.rect(r, t.surface, radius: dp(17)))
                ops.append(.ring(r, t.divider, thickness: max(1, dp(1)), radius: dp(17)))
                ops.append(.text(label, x: r.x0 + dp(16), baseline: r.midY + dp(5), size: dp(14), color: t.text, bold: false))
                nodes.append(UINode(className: "android.widget.Button", package: pkg, bounds: r, text: label, clickable: true, focusable: true,
                                    tap: .actions(chip.actions, ctx, package: pkg)))
                x = r.x1 + dp(8)
            }
            y = rowY + dp(44)
        }
    }

    func switchRect(_ row: Rect) -> Rect {
        Rect(x0: row.x1 - dp(16) - dp(52), y0: row.midY - dp(16), x1: row.x1 - dp(16), y1: row.midY + dp(16))
    }

    func drawSwitch(_ r: Rect, on: Bool, ops: inout [DrawOp]) {
        let t = theme
        ops.append(.rect(r, on ? t.accent : t.divider, radius: r.height / 2))
        let knob = on ? Rect(x0: r.x1 - dp(28), y0: r.y0 + dp(4), x1: r.x1 - dp(4), y1: r.y1 - dp(4))
            : Rect(x0: r.x0 + dp(4), y0: r.y0 + dp(4), x1: r.x0 + dp(28), y1: r.y1 - dp(4))
        ops.append(.rect(knob, on ? t.onAccent : t.secondary, radius: knob.height / 2))
    }

    func layoutItem(_ template: ItemTemplate, ctx: JSON, pkg: String, rid: String, y: inout Int, ops: inout [DrawOp], nodes: inout [UINode]) {
        let W = profile.width
        let t = theme
        let title = Template.render(template.title, ctx)
        let sub = template.subtitle.map { Template.render($0, ctx) }.flatMap { $0.isEmpty ? nil : $0 }
        let trailing = template.trailing.map { Template.render($0, ctx) }
        let h = dp(sub == nil ? 60 : 76)
        let row = Rect(x0: 0, y0: y, x1: W, y1: y + h)
        var x = dp(16)
        var node = UINode(className: "android.view.ViewGroup", package: pkg, bounds: row, resourceId: rid,
                          clickable: template.actions != nil || template.toggle != nil, longClickable: template.longPress != nil,
                          focusable: true)
        if template.avatar == true {
            let a = Rect(x0: x, y0: row.midY - dp(20), x1: x + dp(40), y1: row.midY + dp(20))
            let palette = ["#1A73E8", "#E8710A", "#188038", "#A142F4", "#D93025", "#12B5CB", "#F9AB00"]
            let colour = palette[abs(title.unicodeScalars.reduce(0) { $0 &+ Int($1.value) }) % palette.count]
            ops.append(.rect(a, Color(hex: colour), radius: dp(20)))
            let letter = String(title.prefix(1)).uppercased()
            let lw = text.width(letter, size: dp(18), bold: true)
            ops.append(.text(letter, x: a.midX - lw / 2, baseline: a.midY + dp(7), size: dp(18), color: .white, bold: true))
            x += dp(56)
        }
        var right = W - dp(16)
        if let toggle = template.toggle {
            let path = Template.render(toggle, ctx)
            let on = states[pkg]?.value(at: path)?.truthy ?? false
            let sw = switchRect(row)
            drawSwitch(sw, on: on, ops: &ops)
            node.children.append(UINode(className: "android.widget.Switch", package: pkg, bounds: sw, text: on ? "ON" : "OFF",
                                        clickable: true, checkable: true, checked: on, focusable: true, tap: .toggle(path, package: pkg)))
            right = sw.x0 - dp(12)
            if template.actions == nil { node.tap = .toggle(path, package: pkg) }
        }
        if let trailing, !trailing.isEmpty {
            let tw = text.width(trailing, size: dp(14))
            ops.append(.text(trailing, x: right - tw, baseline: row.y0 + dp(30), size: dp(14), color: t.secondary, bold: false))
            right -= tw + dp(12)
        }
        let titleBase = sub == nil ? row.midY + dp(6) : row.y0 + dp(31)
        let shownTitle = text.fit(title, size: dp(17), maxWidth: right - x)
        ops.append(.text(shownTitle, x: x, baseline: titleBase, size: dp(17), color: t.text, bold: false))
        node.children.append(UINode(className: "android.widget.TextView", package: pkg,
                                    bounds: Rect(x0: x, y0: titleBase - dp(17), x1: x + max(1, text.width(shownTitle, size: dp(17))), y1: titleBase + dp(5)),
                                    text: title))
        if let sub {
            let shown = text.fit(sub.replacingOccurrences(of: "\n", with: " "), size: dp(14), maxWidth: right - x)
            ops.append(.text(shown, x: x, baseline: row.y0 + dp(55), size: dp(14), color: t.secondary, bold: false))
            node.children.append(UINode(className: "android.widget.TextView", package: pkg,
                                        bounds: Rect(x0: x, y0: row.y0 + dp(41), x1: x + max(1, text.width(shown, size: dp(14))), y1: row.y0 + dp(60)),
                                        text: sub))
        }
        if let trailing, !trailing.isEmpty {
            node.children.append(UINode(className: "android.widget.TextView", package: pkg,
                                        bounds: Rect(x0: right + dp(12), y0: row.y0 + dp(14), x1: W - dp(16), y1: row.y0 + dp(36)), text: trailing))
        }
        ops.append(.rect(Rect(x0: x, y0: row.y1 - max(1, dp(0.5)), x1: W, y1: row.y1), t.divider, radius: 0))
        if let actions = template.actions { node.tap = .actions(actions, ctx, package: pkg) }
        if let long = template.longPress { node.longPress = .actions(long, ctx, package: pkg) }
        nodes.append(node)
        y = row.y1
    }

    func layoutBubble(_ body: String, outgoing: Bool, caption: String?, pkg: String, y: inout Int, ops: inout [DrawOp], nodes: inout [UINode]) {
        let W = profile.width
        let t = theme
        let size = dp(16)
        let maxW = W * 3 / 4
        let lines = text.wrap(body, size: size, maxWidth: maxW - dp(28))
        let lineH = dp(22)
        let w = (lines.map { text.width($0, size: size) }.max() ?? 0) + dp(28)
        let h = lines.count * lineH + dp(20)
        let x0 = outgoing ? W - dp(16) - w : dp(16)
        let r = Rect(x0: x0, y0: y + dp(6), x1: x0 + w, y1: y + dp(6) + h)
        ops.append(.rect(r, outgoing ? t.accent : t.surface, radius: dp(18)))
        for (i, line) in lines.enumerated() {
            ops.append(.text(line, x: r.x0 + dp(14), baseline: r.y0 + dp(26) + i * lineH, size: size, color: outgoing ? t.onAccent : t.text, bold: false))
        }
        nodes.append(UINode(className: "android.widget.TextView", package: pkg, bounds: r, text: body, resourceId: "\(pkg):id/message_text"))
        y = r.y1
        if let caption, !caption.isEmpty {
            let cw = text.width(caption, size: dp(12))
            ops.append(.text(caption, x: outgoing ? r.x1 - cw : r.x0, baseline: y + dp(16), size: dp(12), color: t.secondary, bold: false))
            y += dp(20)
        }
        y += dp(4)
    }

    static let keyboardRows = ["qwertyuiop", "asdfghjkl", "⇧zxcvbnm⌫", " "]

    func layoutKeyboard(_ kb: Rect, ops: inout [DrawOp], keys: inout [(Rect, String)]) {
        let dark = darkMode
        ops.append(.rect(kb, dark ? Color(r: 38, g: 39, b: 42) : Color(r: 232, g: 234, b: 237), radius: 0))
        let W = profile.width
        let rowH = (kb.height - dp(8)) / 4
        let keyW = W / 10
        let keyColor = dark ? Color(r: 70, g: 72, b: 76) : .white
        let fg = dark ? Color.white : Color(r: 32, g: 33, b: 36)
        for (r, row) in Self.keyboardRows.enumerated() {
            let y0 = kb.y0 + dp(4) + r * rowH
            var specs: [(String, Int)] = []
            if r == 3 {
                specs = [("?123", keyW * 3 / 2), (",", keyW), (" ", keyW * 4), (".", keyW), ("⏎", keyW * 3 / 2 + W - keyW * 10)]
            } else {
                specs = row.map { c -> (String, Int) in (String(c), (c == "⇧" || c == "⌫") ? keyW * 3 / 2 : keyW) }
            }
            let total = specs.reduce(0) { $0 + $1.1 }
            var x = (W - total) / 2
            for (label, width) in specs {
                let rect = Rect(x0: x + dp(3), y0: y0 + dp(4), x1: x + width - dp(3), y1: y0 + rowH - dp(4))
                let special = label.count > 1 || "⇧⌫⏎".contains(label)
                ops.append(.rect(rect, special ? (dark ? Color(r: 95, g: 99, b: 104) : Color(r: 189, g: 193, b: 198)) : keyColor, radius: dp(6)))
                var shown = label
                if shifted, label.count == 1, label.first?.isLetter == true { shown = label.uppercased() }
                if label == " " { shown = "space" }
                let size = label.count > 1 && label != " " ? dp(15) : dp(21)
                let lw = text.width(shown, size: label == " " ? dp(14) : size)
                ops.append(.text(shown, x: rect.midX - lw / 2, baseline: rect.midY + dp(7), size: label == " " ? dp(14) : size, color: fg, bold: false))
                keys.append((rect, label))
                x += width
            }
        }
    }

    func layoutShade(ops: inout [DrawOp]) -> UINode {
        let W = profile.width
        let t = Theme.dark
        let panel = Rect(x0: 0, y0: 0, x1: W, y1: dp(380))
        ops.append(.rect(Rect(x0: 0, y0: 0, x1: W, y1: profile.height), Color(r: 0, g: 0, b: 0, a: 110), radius: 0))
        ops.append(.rect(panel, Color(r: 32, g: 33, b: 36), radius: dp(24)))
        ops.append(.text(Self.clockText(now), x: dp(24), baseline: dp(64), size: dp(32), color: t.text, bold: false))
        let s = states["com.android.settings"]
        let tiles: [(String, String)] = [("Wi-Fi", "wifi"), ("Bluetooth", "bluetooth"), ("Dark theme", "dark_mode"), ("Airplane mode", "airplane_mode")]
        var children: [UINode] = []
        let tileW = (W - dp(48) - dp(12)) / 2
        for (i, (label, key)) in tiles.enumerated() {
            let col = i % 2, row = i / 2
            let r = Rect(x0: dp(24) + col * (tileW + dp(12)), y0: dp(96) + row * dp(80), x1: dp(24) + col * (tileW + dp(12)) + tileW, y1: dp(96) + row * dp(80) + dp(68))
            let on = s?[key]?.truthy ?? false
            ops.append(.rect(r, on ? t.accent : t.surface, radius: dp(20)))
            ops.append(.text(text.fit(label, size: dp(16), maxWidth: r.width - dp(28), bold: true), x: r.x0 + dp(20), baseline: r.y0 + dp(30), size: dp(16), color: on ? t.onAccent : t.text, bold: true))
            ops.append(.text(on ? "On" : "Off", x: r.x0 + dp(20), baseline: r.y0 + dp(52), size: dp(14), color: on ? t.onAccent : t.secondary, bold: false))
            children.append(UINode(className: "android.widget.Switch", package: "com.android.systemui", bounds: r, text: label, contentDesc: label,
                                   clickable: true, checkable: true, checked: on, focusable: true, tap: .toggle(key, package: "com.android.settings")))
        }
        let track = Rect(x0: dp(36), y0: dp(300), x1: W - dp(36), y1: dp(340))
        let brightness = (s?["brightness"]?.numberValue ?? 50) / 100
        ops.append(.rect(track, t.surface, radius: dp(20)))
        ops.append(.rect(Rect(x0: track.x0, y0: track.y0, x1: track.x0 + max(dp(40), Int(Double(track.width) * brightness)), y1: track.y1), t.accent, radius: dp(20)))
        ops.append(.text("Brightness", x: track.x0 + dp(16), baseline: track.midY + dp(5), size: dp(14), color: t.onAccent, bold: false))
        children.append(UINode(className: "android.widget.SeekBar", package: "com.android.systemui", bounds: track, contentDesc: "Display brightness",
                               clickable: true, focusable: true, tap: .slider("brightness", min: 0, max: 100, track: track, package: "com.android.settings")))
        var root = UINode(className: "android.widget.FrameLayout", package: "com.android.systemui", bounds: Rect(x0: 0, y0: 0, x1: W, y1: profile.height),
                          tap: .closeShade)
        root.children = [UINode(className: "android.widget.FrameLayout", package: "com.android.systemui", bounds: panel, resourceId: "com.android.systemui:id/quick_settings_panel", children: children)]
        return root
    }

    // MARK: - Input dispatch

    func hit(_ node: UINode, _ x: Int, _ y: Int, long: Bool) -> TapTarget? {
        guard node.bounds.contains(x, y) else { return nil }
        for child in node.children.reversed() {
            if let t = hit(child, x, y, long: long) { return t }
        }
        return long ? (node.longPress ?? node.tap) : node.tap
    }

    func tap(x: Int, y: Int) {
        let frame = layout()
        if !shadeOpen {
            if frame.navBar.contains(x, y) {
                let third = profile.width / 3
                if x < third { pressBack() } else if x < 2 * third { pressHome() }
                return
            }
            if frame.statusBar.contains(x, y) { return }
            if let kb = frame.keyboard, kb.contains(x, y) {
                if let key = frame.keys.first(where: { $0.0.contains(x, y) })?.1 { keyboardKey(key) }
                return
            }
        }
        guard let target = hit(frame.root, x, y, long: false) else {
            if topEntry?.focus != nil { unfocus() }
            return
        }
        run(target, x: x)
    }

    func longPress(x: Int, y: Int) {
        let frame = layout()
        guard let target = hit(frame.root, x, y, long: true) else { return }
        run(target, x: x)
    }

    func run(_ target: TapTarget, x: Int) {
        switch target {
        case .actions(let actions, let ctx, let pkg):
            unfocus()
            perform(actions, package: pkg, context: ctx)
        case .focus(let field): focus(field)
        case .toggle(let path, let pkg):
            let on = states[pkg]?.value(at: StatePath(path))?.truthy ?? false
            states[pkg, default: .object([:])].set(.bool(!on), at: StatePath(path))
            dirty.insert(pkg)
        case .slider(let path, let lo, let hi, let track, let pkg):
            let f = min(max(Double(x - track.x0) / Double(max(track.width, 1)), 0), 1)
            states[pkg, default: .object([:])].set(.number((lo + f * (hi - lo)).rounded()), at: StatePath(path))
            dirty.insert(pkg)
        case .launch(let pkg): launch(pkg)
        case .back: pressBack()
        case .closeShade: shadeOpen = false
        }
        changed()
    }

    func keyboardKey(_ key: String) {
        switch key {
        case "⇧": shifted.toggle()
        case "⌫": deleteBackward()
        case "⏎": submitFocused()
        case "?123": break
        default:
            type(shifted ? key.uppercased() : key)
            shifted = false
        }
        changed()
    }

    func swipe(fromX x1: Int, fromY y1: Int, toX x2: Int, toY y2: Int) {
        let frame = layout()
        let dy = y2 - y1, dx = x2 - x1
        if shadeOpen {
            if dy < 0 { shadeOpen = false }
            return
        }
        if y1 <= frame.statusBar.y1 + dp(8), dy > dp(40) {
            shadeOpen = true
            unfocus()
            return
        }
        if abs(dy) >= abs(dx) {
            if let entry = topEntry, let app = catalog.apps[entry.package], let screen = app.screen(entry.screen),
                let up = screen.onSwipeUp, dy < -dp(80), frame.contentHeight <= frame.content.height
            {
                perform(up, package: app.package, context: context(for: entry, app: app))
                return
            }
            scroll(by: -dy, frame: frame)
        }
    }

    func scroll(by delta: Int, frame: Frame) {
        guard let last = tasks.indices.last, let e = tasks[last].entries.indices.last else { return }
        let maxScroll = max(0, frame.contentHeight - frame.content.height)
        let current = tasks[last].entries[e].scroll
        tasks[last].entries[e].scroll = min(max(current + delta, 0), maxScroll)
        changed()
    }

    /// An Android key code as `input keyevent` delivers it.
    @discardableResult
    func keyEvent(_ code: Int) -> Bool {
        if let handled = lockScreenKey(code) { return handled }
        switch code {
        case 3: pressHome()
        case 4, 111: pressBack()
        case 66, 160: submitFocused()
        case 67: deleteBackward()
        case 62: type(" ")
        case 61: type("\t")
        case 7...16: type(String(code - 7))
        case 29...54: type(String(UnicodeScalar(UInt8(97 + code - 29))))
        case 55: type(",")
        case 56: type(".")
        case 77: type("@")
        case 81: type("+")
        case 69: type("-")
        case 19, 20:
            let frame = layout()
            scroll(by: code == 20 ? dp(100) : -dp(100), frame: frame)
        case 26, 223, 224, 82, 187, 24, 25, 164, 122, 123: break
        default: return false
        }
        return true
    }
}
