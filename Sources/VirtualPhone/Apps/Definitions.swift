import Foundation
import Basics

/// A phone model: Devices/profiles/NAME.json.
public struct DeviceProfile: Sendable, Codable, Equatable {
    public var format: Int
    public var name: String
    /// Screen size in pixels, natural (portrait) orientation.
    public var width: Int
    public var height: Int
    public var density: Int
    /// ro.product.* and ro.build.* properties that `getprop` prints and the banner carries.
    public var properties: [String: String]
    /// App packages (from Devices/apps) installed on this phone, in launcher order.
    public var apps: [String]
    /// Packages with no app definition that `pm list packages` also lists.
    public var systemPackages: [String]?
    /// The raw range of the touchscreen's ABS_MT_POSITION_X/Y (defaults to the pixel size minus one).
    public var touchMaxX: Int?
    public var touchMaxY: Int?
}

/// A launcher icon: a coloured disc with a short glyph.
public struct AppIcon: Sendable, Codable, Equatable {
    public var color: String
    public var glyph: String
}

/// One app: Devices/apps/NAME.json. Screens and widgets are data; state is JSON persisted to
/// /data/data/PACKAGE/state.json.
public struct AppDefinition: Sendable, Codable {
    public var format: Int
    public var package: String
    public var label: String
    /// The label in other locales, by resource qualifier (`zh-rCN`, `fr`): the virtual phone's
    /// APK for the app carries them as localized `@string/app_name` values.
    public var localizedLabels: [String: String]?
    public var icon: AppIcon
    /// The launcher activity, e.g. ".Settings" (relative to the package) or a full class name.
    public var activity: String
    /// The screen the launcher activity opens.
    public var launchScreen: String
    public var state: JSON
    public var screens: [ScreenDefinition]
    public var intents: [IntentFilter]?
    /// Filler records made from the phone's seed (so lists are long enough to scroll).
    public var filler: [Filler]?

    public func screen(_ id: String) -> ScreenDefinition? { screens.first { $0.id == id } }
}

public struct Filler: Sendable, Codable {
    /// The array in state that receives the records.
    public var collection: String
    public var count: Int
    /// "person" (name + phone + email) is the only kind.
    public var kind: String
}

/// Where an intent lands: matched by action, data scheme and MIME type; `params` are templates over
/// `data` (the URI), `ssp` (its scheme-specific part), `host`, `path`, `type` and `extra.NAME`.
public struct IntentFilter: Sendable, Codable {
    public var action: String
    public var scheme: String?
    public var host: String?
    public var type: String?
    public var screen: String
    public var params: [String: String]?
    /// Actions run instead of (or before) opening the screen.
    public var actions: [Action]?
}

public struct ScreenDefinition: Sendable, Codable {
    public var id: String
    /// Activity class for dumpsys; defaults to the app's launcher activity.
    public var activity: String?
    /// App bar title (a template); no app bar when nil.
    public var title: String?
    /// Show the up arrow in the app bar.
    public var up: Bool?
    /// Objects looked up by key when the screen is shown: name → where.
    public var bindings: [String: Binding]?
    public var widgets: [Widget]
    /// A floating action button.
    public var fab: Widget?
    /// Run on a swipe up (the launcher opens its drawer).
    public var onSwipeUp: [Action]?
    /// Background colour (e.g. the launcher's wallpaper).
    public var background: String?
}

public struct Binding: Sendable, Codable {
    /// An array in the app state (a path).
    public var collection: String
    /// The field to match (default "id").
    public var key: String?
    /// A template giving the value to match.
    public var equals: String
}

public enum WidgetType: String, Sendable, Codable {
    case text, title, caption, button, toggle, slider, field, list, row, divider, apps, image, chips, spacer
}

public struct Widget: Sendable, Codable {
    public var type: WidgetType
    public var id: String?
    public var text: String?
    public var subtitle: String?
    public var trailing: String?
    public var hint: String?
    /// A state path (template) a toggle or slider shows and changes.
    public var bind: String?
    /// The form field a text field edits.
    public var field: String?
    /// A field's first value (a template).
    public var value: String?
    public var multiline: Bool?
    public var password: Bool?
    public var min: Double?
    public var max: Double?
    /// A list's items: a path in the context (state, bindings, params).
    public var source: String?
    public var filter: ListFilter?
    public var sort: String?
    public var descending: Bool?
    /// Show only the first item for each value of this field (message threads).
    public var distinct: String?
    public var item: ItemTemplate?
    /// Shown when a list is empty.
    public var empty: String?
    public var actions: [Action]?
    /// A field's actions on Enter.
    public var submit: [Action]?
    /// Only shown when this template is truthy.
    public var when: String?
    /// "primary", "danger", "secondary".
    public var style: String?
    /// Apps grid: "home" (the launcher's `home` list) or "all".
    public var apps: String?
    /// Chips: labels and their actions.
    public var chips: [Chip]?
    public var color: String?
    public var height: Double?
}

public struct Chip: Sendable, Codable {
    public var text: String
    public var actions: [Action]
}

public struct ListFilter: Sendable, Codable {
    /// Fields searched (any of them); template values.
    public var fields: [String]
    public var contains: String?
    public var equals: String?
}

public struct ItemTemplate: Sendable, Codable {
    public var id: String?
    public var title: String
    public var subtitle: String?
    public var trailing: String?
    /// A state path template toggled by a switch at the end of the row.
    public var toggle: String?
    public var avatar: Bool?
    /// Chat bubbles: a template that is truthy for outgoing items.
    public var outgoing: String?
    public var actions: [Action]?
    public var longPress: [Action]?
}

/// What an `intent` action starts (templates in action and data and extras).
public struct IntentSpec: Sendable, Codable, Equatable {
    public var action: String?
    public var data: String?
    public var type: String?
    public var component: String?
    public var extras: [String: String]?
}
