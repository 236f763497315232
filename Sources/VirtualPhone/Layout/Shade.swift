import Foundation
import Imaging

/// The notification shade with quick settings.
extension VirtualPhone {
    func layoutShade(ops: inout [DrawOp]) -> UINode {
        let W = screenWidth
        let t = Theme.dark
        let panel = Rect(x0: 0, y0: 0, x1: W, y1: dp(380))
        ops.append(.rect(Rect(x0: 0, y0: 0, x1: W, y1: screenHeight), Color(r: 0, g: 0, b: 0, a: 110), radius: 0))
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
            children.append(
                UINode(
                    className: "android.widget.Switch", package: "com.android.systemui", bounds: r, text: label, contentDesc: label,
                    clickable: true, checkable: true, checked: on, focusable: true, tap: .toggle(key, package: "com.android.settings")))
        }
        let track = Rect(x0: dp(36), y0: dp(300), x1: W - dp(36), y1: dp(340))
        let brightness = (s?["brightness"]?.numberValue ?? 50) / 100
        ops.append(.rect(track, t.surface, radius: dp(20)))
        ops.append(.rect(Rect(x0: track.x0, y0: track.y0, x1: track.x0 + max(dp(40), Int(Double(track.width) * brightness)), y1: track.y1), t.accent, radius: dp(20)))
        ops.append(.text("Brightness", x: track.x0 + dp(16), baseline: track.midY + dp(5), size: dp(14), color: t.onAccent, bold: false))
        children.append(
            UINode(
                className: "android.widget.SeekBar", package: "com.android.systemui", bounds: track, contentDesc: "Display brightness",
                clickable: true, focusable: true, tap: .slider("brightness", min: 0, max: 100, track: track, package: "com.android.settings")))
        var root = UINode(
            className: "android.widget.FrameLayout", package: "com.android.systemui", bounds: Rect(x0: 0, y0: 0, x1: W, y1: screenHeight),
            tap: .closeShade)
        root.children = [UINode(className: "android.widget.FrameLayout", package: "com.android.systemui", bounds: panel, resourceId: "com.android.systemui:id/quick_settings_panel", children: children)]
        return root
    }
}
