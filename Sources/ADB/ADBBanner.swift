/// The CNXN payload: `"<systemtype>:<serial>:<key=value;key=value;…>"`.
///
/// A device sends `device::ro.product.name=…;ro.product.model=…;ro.product.device=…;features=…`,
/// a host sends `host::features=…`. Items that are not `key=value` pairs are skipped, as adb does.
public struct ADBBanner: Sendable, Equatable {
    public enum SystemType: String, Sendable {
        case device, host, bootloader, recovery, sideload, rescue
    }

    public var systemType: SystemType
    public var serial: String
    /// Every `key=value` item except `features`, in order.
    public var properties: [(key: String, value: String)]
    public var features: [String]

    public init(systemType: SystemType, serial: String = "", properties: [(key: String, value: String)] = [], features: [String] = []) {
        self.systemType = systemType
        self.serial = serial
        self.properties = properties
        self.features = features
    }

    /// Parses a banner as adb does: unknown system types count as `host`.
    public init(parsing text: String) {
        let pieces = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        systemType = SystemType(rawValue: pieces.first ?? "") ?? .host
        serial = pieces.count > 1 ? pieces[1] : ""
        properties = []
        features = []
        guard pieces.count > 2 else { return }
        for item in pieces[2].split(separator: ";") {
            let pair = item.split(separator: "=", omittingEmptySubsequences: false)
            guard pair.count == 2 else { continue }
            let key = String(pair[0]), value = String(pair[1])
            if key == "features" {
                features = value.split(separator: ",").map(String.init)
            } else {
                properties.append((key, value))
            }
        }
    }

    public subscript(property key: String) -> String? {
        properties.first(where: { $0.key == key })?.value
    }

    public var productName: String? { self[property: "ro.product.name"] }
    public var model: String? { self[property: "ro.product.model"] }
    public var device: String? { self[property: "ro.product.device"] }

    /// The wire form, `;`-separated with no trailing NUL (as adbd writes it).
    public var text: String {
        var items = properties.map { "\($0.key)=\($0.value)" }
        items.append("features=" + features.joined(separator: ","))
        return "\(systemType.rawValue):\(serial):" + items.joined(separator: ";")
    }

    public static func == (a: ADBBanner, b: ADBBanner) -> Bool {
        a.systemType == b.systemType && a.serial == b.serial && a.features == b.features
            && a.properties.map(\.key) == b.properties.map(\.key) && a.properties.map(\.value) == b.properties.map(\.value)
    }
}

/// Feature strings from the banners. A feature is usable only when both ends list it.
public enum ADBFeature {
    public static let shellV2 = "shell_v2"
    public static let cmd = "cmd"
    public static let statV2 = "stat_v2"
    public static let lsV2 = "ls_v2"
    public static let fixedPushMkdir = "fixed_push_mkdir"
    public static let apex = "apex"
    public static let abb = "abb"
    public static let abbExec = "abb_exec"
    public static let fixedPushSymlinkTimestamp = "fixed_push_symlink_timestamp"
    public static let remountShell = "remount_shell"
    public static let sendRecvV2 = "sendrecv_v2"

    /// What Tether's host half understands. No `delayed_ack` and no `sendrecv_v2`: we never send
    /// OPEN with a window, and our sync client speaks v1 SEND/RECV with v2 STAT/LIST.
    public static let host: [String] = [
        shellV2, cmd, statV2, lsV2, fixedPushMkdir, apex, abb, fixedPushSymlinkTimestamp, abbExec, remountShell
    ]

    /// What the device endpoint advertises; the set adb 29.0.6 knows.
    public static let device: [String] = host
}
