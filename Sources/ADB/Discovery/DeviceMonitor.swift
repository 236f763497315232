internal import CLibUSB
import Foundation
import Synchronization

/// A device appearing, changing state (e.g. `unauthorized` → `device`) or going away.
public struct DeviceEvent: Sendable, Equatable {
    public enum Kind: String, Sendable { case arrived, changed, left }
    public var kind: Kind
    public var device: ADBDeviceInfo
}

/// USB hotplug (libusb) and the adb server's track-devices, as one sequence of events.
public enum DeviceMonitor {
    /// The events that turn `old` into `new`, keyed by transport and serial.
    public static func diff(old: [ADBDeviceInfo], new: [ADBDeviceInfo]) -> [DeviceEvent] {
        func key(_ d: ADBDeviceInfo) -> String { "\(d.transport.rawValue)/\(d.serial)" }
        let before = Dictionary(old.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(new.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        var events: [DeviceEvent] = []
        for device in new {
            if let previous = before[key(device)] {
                if previous.state != device.state { events.append(DeviceEvent(kind: .changed, device: device)) }
            } else {
                events.append(DeviceEvent(kind: .arrived, device: device))
            }
        }
        for device in old where after[key(device)] == nil {
            events.append(DeviceEvent(kind: .left, device: device))
        }
        return events
    }

    /// Watches USB (when `usb` is given) and the adb server (when `server` is given) until the
    /// consumer stops. USB is rescanned on every libusb hotplug event, and once a second where
    /// hotplug is unavailable; a server that is not running is retried every few seconds.
    public static func events(usb: LibUSB?, server: ADBServerClient?) -> AsyncStream<DeviceEvent> {
        AsyncStream { continuation in
            let state = MonitorState()
            var tasks: [Task<Void, Never>] = []
            if let usb {
                let hotplug = USBHotplug(usb: usb)
                tasks.append(
                    Task {
                        var known: [ADBDeviceInfo] = []
                        while !Task.isCancelled {
                            let now = usb.candidates().map {
                                ADBDeviceInfo(serial: $0.serial, state: $0.problem ?? "device", path: $0.path, transport: .usb)
                            }
                            for event in diff(old: known, new: now) { continuation.yield(event) }
                            known = now
                            await hotplug.wait(upTo: .seconds(1))
                        }
                        for event in diff(old: known, new: []) { continuation.yield(event) }
                        hotplug.stop()
                    })
            }
            if let server {
                tasks.append(
                    Task {
                        var known: [ADBDeviceInfo] = []
                        while !Task.isCancelled {
                            do {
                                for try await list in server.trackDevices() {
                                    for event in diff(old: known, new: list) { continuation.yield(event) }
                                    known = list
                                }
                            } catch {}
                            // The server went away: its devices did too.
                            for event in diff(old: known, new: []) { continuation.yield(event) }
                            known = []
                            try? await Task.sleep(for: .seconds(2))
                        }
                    })
            }
            state.tasks = tasks
            continuation.onTermination = { _ in state.cancel() }
            if tasks.isEmpty { continuation.finish() }
        }
    }
}

/// The watching tasks of one event stream, cancelled when its consumer stops.
private final class MonitorState: Sendable {
    private let watchers = Mutex<[Task<Void, Never>]>([])
    var tasks: [Task<Void, Never>] {
        get { watchers.withLock { $0 } }
        set { watchers.withLock { $0 = newValue } }
    }
    func cancel() { for task in tasks { task.cancel() } }
}

/// libusb hotplug callbacks, turned into wake-ups for the USB scan. Opening a device inside the
/// callback is not allowed, so the callback only signals.
final class USBHotplug: @unchecked Sendable {
    private let usb: LibUSB
    private struct Shared {
        var pending = false
        var stopped = false
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let shared = Mutex(Shared())
    private var handle: libusb_hotplug_callback_handle = 0
    private var thread: Thread?
    let available: Bool

    init(usb: LibUSB) {
        self.usb = usb
        available = libusb_has_capability(UInt32(LIBUSB_CAP_HAS_HOTPLUG.rawValue)) != 0
        guard available else { return }
        let callback: libusb_hotplug_callback_fn = { _, _, _, userData in
            guard let userData else { return 0 }
            Unmanaged<USBHotplug>.fromOpaque(userData).takeUnretainedValue().signal()
            return 0
        }
        let events = Int32(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED.rawValue | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT.rawValue)
        let rc = libusb_hotplug_register_callback(
            usb.context, events, 0, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
            callback, Unmanaged.passUnretained(self).toOpaque(), &handle)
        guard rc == 0 else { return }
        let thread = Thread { [weak self] in
            var timeout = timeval(tv_sec: 0, tv_usec: 250_000)
            while let self, !self.isStopped {
                libusb_handle_events_timeout_completed(self.usb.context, &timeout, nil)
            }
        }
        thread.name = "tether.usb.hotplug"
        self.thread = thread
        thread.start()
    }

    private var isStopped: Bool { shared.withLock { $0.stopped } }

    func signal() {
        let waiter = shared.withLock { shared -> CheckedContinuation<Void, Never>? in
            shared.pending = true
            defer { shared.waiter = nil }
            return shared.waiter
        }
        waiter?.resume()
    }

    /// Returns on a hotplug event or after `duration`, whichever is first.
    func wait(upTo duration: Duration) async {
        let timer = Task { [weak self] in
            try? await Task.sleep(for: duration)
            self?.signal()
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = shared.withLock { shared -> Bool in
                if shared.pending { shared.pending = false; return true }
                shared.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
        shared.withLock { $0.pending = false }
        timer.cancel()
    }

    func stop() {
        shared.withLock { $0.stopped = true }
        if available, handle != 0 { libusb_hotplug_deregister_callback(usb.context, handle) }
    }
}
