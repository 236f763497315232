import ADB
import Foundation
import Imaging

/// The display as the phone reports it.
public struct DisplayInfo: Sendable, Equatable, Codable {
    /// The size in the natural (usually portrait) orientation, the override when one is set.
    public var naturalWidth: Int
    public var naturalHeight: Int
    /// Dots per inch (the override when one is set).
    public var density: Int
    /// Quarter turns clockwise from the natural orientation: 0, 1, 2 or 3.
    public var rotation: Int

    public init(naturalWidth: Int, naturalHeight: Int, density: Int, rotation: Int) {
        self.naturalWidth = naturalWidth
        self.naturalHeight = naturalHeight
        self.density = density
        self.rotation = rotation
    }

    /// The size as the screen is turned now (what screenshots and `input` coordinates use).
    public var width: Int { rotation % 2 == 0 ? naturalWidth : naturalHeight }
    public var height: Int { rotation % 2 == 0 ? naturalHeight : naturalWidth }

    /// Parses `wm size`, `wm density` and the orientation lines of `dumpsys input` (or
    /// `dumpsys display`), in any order and mixed together.
    public static func parse(_ text: String) -> DisplayInfo? {
        var physical: (Int, Int)?, override: (Int, Int)?
        var density: Int?, densityOverride: Int?
        var rotation: Int?, viewportRotation: Int?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("Physical size:") {
                physical = size(after: "Physical size:", line)
            } else if line.hasPrefix("Override size:") {
                override = size(after: "Override size:", line)
            } else if line.hasPrefix("Physical density:") {
                density = Int(line.dropFirst("Physical density:".count).trimmingCharacters(in: .whitespaces))
            } else if line.hasPrefix("Override density:") {
                densityOverride = Int(line.dropFirst("Override density:".count).trimmingCharacters(in: .whitespaces))
            } else if line.hasPrefix("SurfaceOrientation:"), rotation == nil {
                rotation = Int(line.dropFirst("SurfaceOrientation:".count).trimmingCharacters(in: .whitespaces))
            } else if viewportRotation == nil, let range = line.range(of: "orientation=") {
                viewportRotation = line[range.upperBound...].first?.wholeNumberValue
            }
        }
        guard let (w, h) = override ?? physical, w > 0, h > 0 else { return nil }
        let turns = rotation ?? viewportRotation ?? 0
        return DisplayInfo(naturalWidth: w, naturalHeight: h, density: densityOverride ?? density ?? 160, rotation: (0...3).contains(turns) ? turns : 0)
    }

    private static func size(after prefix: String, _ line: String) -> (Int, Int)? {
        let parts = line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces).split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]) else { return nil }
        return (w, h)
    }
}

/// Whether the display is on, as `dumpsys power` says.
public enum Wakefulness: String, Sendable, Codable {
    case awake = "Awake", asleep = "Asleep", dozing = "Dozing", dreaming = "Dreaming", unknown

    static func parse(_ text: String) -> Wakefulness {
        guard let range = text.range(of: "mWakefulness=") else { return .unknown }
        let word = text[range.upperBound...].prefix { $0.isLetter }
        return Wakefulness(rawValue: String(word)) ?? .unknown
    }
}

extension Phone {
    // MARK: - Display

    /// Size, density and rotation, in one round trip.
    public func display() async throws -> DisplayInfo {
        let command = "wm size; wm density; dumpsys input | grep -E 'SurfaceOrientation|orientation='"
        let text = try await shell(command).stdoutText
        guard let info = DisplayInfo.parse(text) else { throw PhoneError.unexpectedOutput(command: command, output: text) }
        cachedDisplay = info
        return info
    }

    /// Whether the display is on.
    public func wakefulness() async throws -> Wakefulness {
        Wakefulness.parse(try await shell("dumpsys power | grep mWakefulness=").stdoutText)
    }

    /// Whether the keyguard (lock screen) is showing; nil when the phone does not say.
    public func isLocked() async throws -> Bool? {
        let text = try await shell(
            "dumpsys activity activities | grep -E 'mKeyguardShowing='; dumpsys window policy | grep -E 'mShowingLockscreen=|isStatusBarKeyguard='"
        ).stdoutText
        for key in ["mKeyguardShowing=", "mShowingLockscreen=", "isStatusBarKeyguard="] {
            if let range = text.range(of: key) {
                return text[range.upperBound...].hasPrefix("true")
            }
        }
        return nil
    }

    /// Turns the screen on (no-op when it is on).
    public func wake() async throws {
        try await check("\(try await inputTool()) keyevent KEYCODE_WAKEUP")
    }

    /// Turns the screen on and swipes the lock screen away. Throws `PhoneError.locked` when a
    /// PIN, pattern or password still guards it.
    public func unlock() async throws {
        try await wake()
        guard try await isLocked() == true else { return }
        var d: DisplayInfo
        if let cached = cachedDisplay { d = cached } else { d = try await display() }
        try await swipe(fromX: d.width / 2, fromY: d.height * 85 / 100, toX: d.width / 2, toY: d.height * 25 / 100, duration: .milliseconds(250))
        _ = try? await shell("wm dismiss-keyguard")
        try await Task.sleep(for: .milliseconds(300))
        if try await isLocked() == true { throw PhoneError.locked }
    }

    // MARK: - Screenshots

    /// The screen as an RGBA image, captured raw (`exec:screencap`, no PNG encoding on the phone),
    /// with PNG (`screencap -p`) as the fallback for frames in formats the raw decoder lacks.
    ///
    /// A black frame from an awake phone means a secure window (FLAG_SECURE): that is thrown as
    /// `PhoneError.secureScreen`, never returned as a screen; a sleeping phone gives `.screenOff`.
    /// Pass `rejectBlack: false` to get such frames anyway.
    public func screenshot(rejectBlack: Bool = true) async throws -> Image {
        let timeout = configuration.screenshotTimeout
        let image: Image
        // stderr would land inside exec's bytes (multi-display warnings): send it away.
        let raw = try await rawScreencap(timeout: timeout)
        do {
            image = try raw.image()
        } catch {
            logger.debug("raw screencap unreadable (\(error)); trying PNG")
            let png = try await execBytes("screencap -p 2>/dev/null", timeout: timeout)
            do { image = try Image(pngData: png) } catch {
                let text = String(decoding: png.prefix(200), as: UTF8.self)
                throw PhoneError.badScreenshot("neither the raw frame nor the PNG could be decoded (\(error)); the phone said: \(text)")
            }
        }
        if rejectBlack, Self.isBlackFrame(image) {
            let state = try await wakefulness()
            if state != .awake, state != .unknown { throw PhoneError.screenOff }
            let app = try? await foregroundApp()
            throw PhoneError.secureScreen(foreground: app?.package)
        }
        return image
    }

    /// A raw frame as received: the first 16 bytes apart from the rest, so that an RGBA frame
    /// (most phones) becomes an `Image` without copying its 10 MB again.
    struct ReceivedFrame {
        var head: [UInt8] = []
        var body: [UInt8] = []

        static let headSize = 16

        /// Appends a chunk: the header's bytes first, then the body, whose whole size the header
        /// tells, so it is allocated once.
        mutating func add(_ chunk: [UInt8]) throws {
            var rest = chunk[...]
            if head.count < Self.headSize {
                let taken = rest.prefix(Self.headSize - head.count)
                head += taken
                rest = rest.dropFirst(taken.count)
                if head.count == Self.headSize, let size = Phone.rawScreencapSize(head), size <= Phone.maxExecBytes {
                    body.reserveCapacity(size - Self.headSize)
                }
            }
            body.append(contentsOf: rest)
            if body.count > Phone.maxExecBytes { throw ADBError.protocolViolation("screencap sent more than \(Phone.maxExecBytes) bytes") }
        }

        func image() throws -> Image {
            if head.count == Self.headSize, let size = Phone.rawScreencapSize(head), size - Self.headSize == body.count {
                let width = Int(head[0]) | Int(head[1]) << 8 | Int(head[2]) << 16 | Int(head[3]) << 24
                let height = Int(head[4]) | Int(head[5]) << 8 | Int(head[6]) << 16 | Int(head[7]) << 24
                switch head[8] {
                case 1 where head[9...11].allSatisfy({ $0 == 0 }):  // RGBA_8888: the bytes are the image
                    return try Image(width: width, height: height, bytes: body)
                case 2 where head[9...11].allSatisfy({ $0 == 0 }):  // RGBX_8888: opaque, alpha set here
                    var pixels = body
                    pixels.withUnsafeMutableBytes { bytes in
                        var i = 3
                        while i < bytes.count { bytes[i] = 255; i += 4 }
                    }
                    return try Image(width: width, height: height, bytes: pixels)
                default:
                    break
                }
            }
            // Other formats, and Android 7's 12-byte header: the general decoder.
            return try RawScreencap(decoding: head + body).image
        }
    }

    /// `exec:screencap` received into a `ReceivedFrame`.
    func rawScreencap(timeout: Duration) async throws -> ReceivedFrame {
        try await exec("screencap 2>/dev/null", timeout: timeout, into: ReceivedFrame()) { frame, chunk in
            try frame.add(chunk)
        }
    }

    /// The length of a raw `screencap` from its first bytes (width, height, format; a 16-byte
    /// header since Android 8, 12 before), or nil when they do not look like one.
    static func rawScreencapSize(_ head: [UInt8]) -> Int? {
        guard head.count >= 16 else { return nil }
        func word(_ i: Int) -> Int { Int(head[i]) | Int(head[i + 1]) << 8 | Int(head[i + 2]) << 16 | Int(head[i + 3]) << 24 }
        let (width, height, format) = (word(0), word(4), word(8))
        let bytesPerPixel: Int
        switch format {
        case 1, 2, 5: bytesPerPixel = 4
        case 3: bytesPerPixel = 3
        case 4: bytesPerPixel = 2
        default: return nil
        }
        guard (1...16384).contains(width), (1...16384).contains(height) else { return nil }
        return 16 + width * height * bytesPerPixel
    }

    /// True when the app area of the frame (the middle band, clear of status and navigation
    /// bars, which stay drawn over a secure window) is entirely black.
    public static func isBlackFrame(_ image: Image) -> Bool {
        guard image.width > 0, image.height > 0 else { return true }
        let top = image.height * 12 / 100, bottom = max(top + 1, image.height * 88 / 100)
        let step = max(1, min(image.width, image.height) / 200)
        return image.withUnsafeBytes { bytes in
            var y = top
            while y < bottom {
                let row = y * image.stride
                var x = 0
                while x < image.width {
                    let p = row + x * 4
                    if bytes[p] > 3 || bytes[p + 1] > 3 || bytes[p + 2] > 3 { return false }
                    x += step
                }
                y += step
            }
            return true
        }
    }
}
