import Foundation
import Imaging
import Basics

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
        let W = screenWidth, H = screenHeight
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
                barNode.children.append(
                    UINode(
                        className: "android.widget.ImageButton", package: pkg, bounds: b, contentDesc: "Navigate up",
                        clickable: true, focusable: true, tap: .back))
                x = dp(64)
            }
            let title = text.fit(Template.render(titleTemplate, ctx), size: dp(20), maxWidth: W - x - dp(16))
            ops.append(.text(title, x: x, baseline: bar.midY + dp(7), size: dp(20), color: t.text, bold: false))
            barNode.children.append(
                UINode(
                    className: "android.widget.TextView", package: pkg,
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
        var scrollNode = UINode(
            className: scrollable ? "android.widget.ScrollView" : "android.widget.FrameLayout", package: pkg,
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
            rootChildren.append(
                UINode(
                    className: "android.widget.ImageButton", package: pkg, bounds: r,
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
            ops.append(
                .triangle(
                    [
                        (Double(sx), Double(status.midY - dp(6))), (Double(sx + dp(16)), Double(status.midY - dp(6))),
                        (Double(sx + dp(8)), Double(status.midY + dp(6)))
                    ], statusColor))
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
        return Frame(
            root: root, ops: ops, keys: keys, statusBar: status, navBar: nav, content: viewport,
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
}
