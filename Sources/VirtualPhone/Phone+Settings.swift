import Foundation
import Basics

extension VirtualPhone {
    /// `settings get NAMESPACE KEY`: the Settings app's toggles are mapped to their real keys.
    func setting(_ namespace: String, _ key: String) -> String? {
        let s = states["com.android.settings"]
        switch (namespace, key) {
        case ("global", "wifi_on"): return (s?["wifi"]?.truthy ?? false) ? "1" : "0"
        case ("global", "bluetooth_on"): return (s?["bluetooth"]?.truthy ?? false) ? "1" : "0"
        case ("global", "airplane_mode_on"): return (s?["airplane_mode"]?.truthy ?? false) ? "1" : "0"
        case ("secure", "ui_night_mode"): return (s?["dark_mode"]?.truthy ?? false) ? "2" : "1"
        case ("system", "screen_brightness"):
            return String(Int(((s?["brightness"]?.numberValue ?? 50) * 255 / 100).rounded()))
        default: return settings[namespace]?[key]
        }
    }

    func putSetting(_ namespace: String, _ key: String, _ value: String) {
        func setApp(_ field: String, _ v: JSON) {
            states["com.android.settings"]?.set(v, at: StatePath(field))
            dirty.insert("com.android.settings")
        }
        switch (namespace, key) {
        case ("global", "wifi_on"): setApp("wifi", .bool(value == "1"))
        case ("global", "bluetooth_on"): setApp("bluetooth", .bool(value == "1"))
        case ("global", "airplane_mode_on"): setApp("airplane_mode", .bool(value == "1"))
        case ("secure", "ui_night_mode"): setApp("dark_mode", .bool(value == "2"))
        case ("system", "screen_brightness"):
            setApp("brightness", .number(((Double(value) ?? 128) * 100 / 255).rounded()))
        case ("secure", "default_input_method"):
            settings["secure"]?[key] = value
            currentIME = Self.shortIME(value)
        default: settings[namespace, default: [:]][key] = value
        }
        changed()
    }
}
