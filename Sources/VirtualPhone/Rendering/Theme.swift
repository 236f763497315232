import Imaging

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


extension Color {
    init(hex: String) {
        var s = hex
        if s.hasPrefix("#") { s.removeFirst() }
        let v = UInt32(s, radix: 16) ?? 0x888888
        self.init(r: UInt8((v >> 16) & 0xff), g: UInt8((v >> 8) & 0xff), b: UInt8(v & 0xff))
    }
}
