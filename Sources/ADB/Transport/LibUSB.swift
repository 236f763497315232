internal import CLibUSB
import Foundation
import Synchronization

/// A libusb context and the ADB interfaces it can see.
public final class LibUSB: @unchecked Sendable {
    // libusb contexts are thread-safe; the pointer is never changed after init.
    let context: OpaquePointer

    public init() throws(ADBError) {
        var context: OpaquePointer?
        let rc = libusb_init(&context)
        guard rc == 0, let context else { throw .usb("libusb_init failed: \(Self.errorName(rc))") }
        self.context = context
    }

    deinit { libusb_exit(context) }

    /// An ADB interface found on the bus (class 0xff, subclass 0x42, protocol 0x01).
    public struct Candidate: Sendable, Equatable {
        public var serial: String
        /// `usb:BUS-PORT.PORT…`, adb's devpath label.
        public var path: String
        public var vendorId: UInt16
        public var productId: UInt16
        public var interfaceNumber: Int32
        public var inEndpoint: UInt8
        public var outEndpoint: UInt8
        public var maxPacketSize: Int
        /// Why it cannot be opened, when it cannot (permissions).
        public var problem: String?
    }

    static func errorName(_ code: Int32) -> String {
        String(cString: libusb_error_name(code))
    }

    /// Every ADB interface on the bus. The device class is not filtered (composite devices
    /// with 0xEF count); every interface of the active configuration is checked.
    public func candidates() -> [Candidate] {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(context, &list)
        guard count > 0, let list else { return [] }
        defer { libusb_free_device_list(list, 1) }
        var found: [Candidate] = []
        for index in 0..<Int(count) {
            guard let device = list[index], var candidate = Self.adbInterface(of: device) else { continue }
            candidate.path = Self.path(of: device)
            var handle: OpaquePointer?
            let rc = libusb_open(device, &handle)
            if rc == 0, let handle {
                candidate.serial = Self.serial(of: device, handle: handle) ?? Self.sysfsSerial(path: candidate.path) ?? "unknown"
                libusb_close(handle)
            } else {
                candidate.serial = Self.sysfsSerial(path: candidate.path) ?? "unknown"
                candidate.problem =
                    rc == LIBUSB_ERROR_ACCESS.rawValue
                    ? "no permissions (user is not in the plugdev group, or the udev rules are missing for vendor 0x\(String(candidate.vendorId, radix: 16)))"
                    : "cannot open: \(Self.errorName(rc))"
            }
            found.append(candidate)
        }
        return found
    }

    static func adbInterface(of device: OpaquePointer) -> Candidate? {
        var descriptor = libusb_device_descriptor()
        guard libusb_get_device_descriptor(device, &descriptor) == 0 else { return nil }
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        guard libusb_get_active_config_descriptor(device, &config) == 0, let config else { return nil }
        defer { libusb_free_config_descriptor(config) }
        for i in 0..<Int(config.pointee.bNumInterfaces) {
            let interface = config.pointee.interface[i]
            for a in 0..<Int(interface.num_altsetting) {
                let alt = interface.altsetting[a]
                guard alt.bInterfaceClass == 0xff, alt.bInterfaceSubClass == 0x42, alt.bInterfaceProtocol == 0x01 else { continue }
                var inEndpoint: UInt8?, outEndpoint: UInt8?
                var packetSize = 512
                for e in 0..<Int(alt.bNumEndpoints) {
                    let endpoint = alt.endpoint[e]
                    guard endpoint.bmAttributes & 3 == UInt8(LIBUSB_TRANSFER_TYPE_BULK.rawValue) else { continue }
                    if endpoint.bEndpointAddress & 0x80 != 0 {
                        if inEndpoint == nil { inEndpoint = endpoint.bEndpointAddress }
                    } else if outEndpoint == nil {
                        outEndpoint = endpoint.bEndpointAddress
                        packetSize = Int(endpoint.wMaxPacketSize)
                    }
                }
                guard let inEndpoint, let outEndpoint else { continue }
                return Candidate(
                    serial: "", path: "", vendorId: descriptor.idVendor, productId: descriptor.idProduct,
                    interfaceNumber: Int32(alt.bInterfaceNumber), inEndpoint: inEndpoint, outEndpoint: outEndpoint,
                    maxPacketSize: max(1, packetSize), problem: nil)
            }
        }
        return nil
    }

    static func path(of device: OpaquePointer) -> String {
        var ports = [UInt8](repeating: 0, count: 8)
        let count = libusb_get_port_numbers(device, &ports, Int32(ports.count))
        let bus = libusb_get_bus_number(device)
        guard count > 0 else { return "usb:\(bus)" }
        return "usb:\(bus)-" + ports.prefix(Int(count)).map(String.init).joined(separator: ".")
    }

    static func serial(of device: OpaquePointer, handle: OpaquePointer) -> String? {
        var descriptor = libusb_device_descriptor()
        guard libusb_get_device_descriptor(device, &descriptor) == 0, descriptor.iSerialNumber != 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = libusb_get_string_descriptor_ascii(handle, descriptor.iSerialNumber, &buffer, Int32(buffer.count))
        guard n > 0 else { return nil }
        return String(decoding: buffer.prefix(Int(n)), as: UTF8.self)
    }

    /// When the device cannot be opened, its serial is still readable from sysfs.
    static func sysfsSerial(path: String) -> String? {
        let name = path.hasPrefix("usb:") ? String(path.dropFirst(4)) : path
        return (try? String(contentsOfFile: "/sys/bus/usb/devices/\(name)/serial", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Opens and claims the ADB interface of the device with `serial` (or the only one).
    public func open(serial: String?) throws(ADBError) -> LibUSBBulkPipe {
        let all = candidates()
        let matching = all.filter { serial == nil || $0.serial == serial }
        guard let candidate = matching.first else {
            throw .deviceSelection(serial.map { "no USB device with serial \($0)" } ?? "no USB device with USB debugging enabled")
        }
        guard matching.count == 1 else {
            throw .deviceSelection("more than one USB device: \(matching.map(\.serial).joined(separator: ", ")); choose one with -s SERIAL")
        }
        if let problem = candidate.problem { throw .usb("\(candidate.serial): \(problem)") }
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(context, &list)
        guard count > 0, let list else { throw .usb("the device list is empty") }
        defer { libusb_free_device_list(list, 1) }
        for index in 0..<Int(count) {
            guard let device = list[index], Self.path(of: device) == candidate.path else { continue }
            var handle: OpaquePointer?
            let rc = libusb_open(device, &handle)
            guard rc == 0, let handle else { throw .usb("cannot open \(candidate.serial): \(Self.errorName(rc))") }
            _ = libusb_set_auto_detach_kernel_driver(handle, 1)
            let claim = libusb_claim_interface(handle, candidate.interfaceNumber)
            guard claim == 0 else {
                libusb_close(handle)
                if claim == LIBUSB_ERROR_BUSY.rawValue || claim == LIBUSB_ERROR_ACCESS.rawValue {
                    throw .usb(
                        "\(candidate.serial) is held by another program, most likely a running adb server. "
                            + "Use it through the server (--server 5037), or stop it with `adb kill-server`")
                }
                throw .usb("cannot claim the ADB interface of \(candidate.serial): \(Self.errorName(claim))")
            }
            // Resynchronise a device that a previous process left mid-transfer.
            _ = libusb_clear_halt(handle, candidate.inEndpoint)
            _ = libusb_clear_halt(handle, candidate.outEndpoint)
            return LibUSBBulkPipe(usb: self, handle: handle, candidate: candidate)
        }
        throw .usb("\(candidate.serial) disappeared")
    }
}

/// The bulk endpoints of one claimed ADB interface.
public final class LibUSBBulkPipe: USBBulkPipe, @unchecked Sendable {
    private let usb: LibUSB  // keeps the context alive
    private let handle: OpaquePointer
    public let candidate: LibUSB.Candidate
    private let closed = Mutex(false)

    init(usb: LibUSB, handle: OpaquePointer, candidate: LibUSB.Candidate) {
        self.usb = usb
        self.handle = handle
        self.candidate = candidate
    }

    public var maxPacketSize: Int { candidate.maxPacketSize }
    public var description: String { "\(candidate.serial) (\(candidate.path))" }

    public func bulkWrite(_ bytes: [UInt8], timeoutMilliseconds: UInt32) throws(ADBError) {
        var copy = bytes
        var transferred: Int32 = 0
        let rc = copy.withUnsafeMutableBufferPointer {
            libusb_bulk_transfer(handle, candidate.outEndpoint, $0.baseAddress, Int32($0.count), &transferred, timeoutMilliseconds)
        }
        guard rc == 0, Int(transferred) == bytes.count else {
            throw rc == LIBUSB_ERROR_NO_DEVICE.rawValue
                ? .connectionClosed("\(description) was unplugged")
                : .usb("write to \(description) failed: \(LibUSB.errorName(rc))")
        }
    }

    public func bulkRead(maxLength: Int, timeoutMilliseconds: UInt32) throws(ADBError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: maxLength)
        var transferred: Int32 = 0
        let rc = buffer.withUnsafeMutableBufferPointer {
            libusb_bulk_transfer(handle, candidate.inEndpoint, $0.baseAddress, Int32($0.count), &transferred, timeoutMilliseconds)
        }
        if rc == LIBUSB_ERROR_TIMEOUT.rawValue || rc == 0 {
            return Array(buffer.prefix(Int(transferred)))
        }
        if rc == LIBUSB_ERROR_NO_DEVICE.rawValue { throw .connectionClosed("\(description) was unplugged") }
        if rc == LIBUSB_ERROR_OVERFLOW.rawValue { throw .malformedPacket("\(description) sent more than was asked for") }
        throw .usb("read from \(description) failed: \(LibUSB.errorName(rc))")
    }

    public func close() {
        let first = closed.withLock { closed -> Bool in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        libusb_release_interface(handle, candidate.interfaceNumber)
        libusb_close(handle)
    }
}
