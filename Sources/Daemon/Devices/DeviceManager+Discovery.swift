import ADB
import Foundation

/// Where the daemon looks for phones besides the TCP addresses it is given.
public struct DeviceDiscovery: Sendable {
    /// Watch USB (libusb hotplug) for phones with USB debugging on.
    public var usb: Bool
    /// A running adb server whose phones to take (nil: none). A server that is not running is
    /// retried every few seconds, so the daemon picks its phones up whenever it starts.
    public var server: ADBServerClient?

    public init(usb: Bool = true, server: ADBServerClient? = ADBServerClient.fromEnvironment()) {
        self.usb = usb
        self.server = server
    }
}

extension DeviceManager {
    /// Follows USB hotplug and the adb server's device list until the daemon stops, adding the
    /// phones they report and taking away those that leave.
    func discover(_ discovery: DeviceDiscovery) async {
        var usb: LibUSB?
        if discovery.usb {
            do { usb = try LibUSB() } catch {
                logger.warning("USB discovery is off: libusb cannot start here", metadata: ["error": "\(error)"])
            }
        }
        guard usb != nil || discovery.server != nil else { return }
        for await event in DeviceMonitor.events(usb: usb, server: discovery.server) {
            await seen(event, server: discovery.server)
        }
    }

    /// One discovery event. A phone that is also a TCP phone of ours (an adb server that was
    /// told `adb connect` to it) stays ours: the daemon talks to it directly. A phone both on
    /// USB and on the adb server is reached through the server, which holds its USB interface.
    func seen(_ event: DeviceEvent, server: ADBServerClient?) async {
        let device = event.device
        let serial = device.serial
        if let existing = entries[serial], case .tcp = existing.route { return }
        let route: Route
        switch device.transport {
        case .usb: route = .usb
        case .server, .tcp:
            guard let server else { return }
            route = .server(server)
        }
        if event.kind == .left {
            guard var e = entries[serial], Self.sameKind(e.route, route) else { return }
            let phone = e.phone, target = e.target
            e.present = false
            e.phone = nil
            e.target = nil
            e.state = .offline
            e.message = "\(Self.describe(route)) no longer lists it (unplugged?)"
            entries[serial] = e
            logger.warning("device left", metadata: ["serial": "\(serial)", "via": "\(Self.describe(route))"])
            try? await store.updateDevice(serial: serial, state: .offline, model: nil)
            await Self.close(phone: phone, target: target)
            return
        }
        var e = entries[serial] ?? Entry(address: Self.address(of: device, route: route))
        if case .usb = e.route, case .server = route {
            // The server has taken the phone's USB interface: go through it from now on.
            e.address = Self.address(of: device, route: route)
        } else if entries[serial] != nil, case .server = e.route, case .usb = route {
            return
        }
        e.route = route
        switch device.state {
        case "device":
            e.present = true
            if e.phone == nil { e.nextAttempt = .now }
            if e.state == .unauthorized {
                e.state = .offline
                e.message = nil
            }
        case "unauthorized":
            e.present = false
            e.state = .unauthorized
            e.message = "the phone has not allowed this computer: accept the \"Allow USB debugging?\" prompt on its screen"
        default:
            e.present = false
            e.state = .offline
            e.message = "\(Self.describe(route)) reports it \(device.state)"
        }
        entries[serial] = e
        logger.info("device seen", metadata: ["serial": "\(serial)", "state": "\(device.state)", "via": "\(Self.describe(route))"])
    }

    static func sameKind(_ a: Route, _ b: Route) -> Bool {
        switch (a, b) {
        case (.tcp, .tcp), (.usb, .usb), (.server, .server): return true
        default: return false
        }
    }

    static func describe(_ route: Route) -> String {
        switch route {
        case .tcp: return "TCP"
        case .usb: return "USB"
        case .server(let server): return server.description
        }
    }

    /// What the API shows as a discovered phone's address.
    static func address(of device: ADBDeviceInfo, route: Route) -> String {
        switch route {
        case .tcp: return device.serial
        case .usb: return "usb:\(device.path ?? device.serial)"
        case .server(let server): return "adb-server:\(server.host):\(server.port)/\(device.serial)"
        }
    }
}
