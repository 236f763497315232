import Foundation

/// What a person did with a finger or a key, in pixels of the screen as it was turned: the
/// recorder's input (AndroidPhone's gesture recognizer reads it from `getevent`) and, stored on
/// a human step, the `"gesture"` object of `steps.jsonl`.
public struct HumanGesture: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case tap, longPress = "long_press", doubleTap = "double_tap", swipe, pinch, key
    }

    /// A point of the finger's path: seconds since the gesture began, and pixels.
    public struct PathPoint: Sendable, Equatable, Codable {
        public var t: Double
        public var x: Int
        public var y: Int
        public init(t: Double, x: Int, y: Int) {
            self.t = t
            self.x = x
            self.y = y
        }
    }

    public var kind: Kind
    /// Device seconds (CLOCK_MONOTONIC) when the finger went down or the key was pressed.
    public var time: Double
    public var duration: Double
    /// Where the (first) finger went down and came up; nil for keys.
    public var x: Int?
    public var y: Int?
    public var endX: Int?
    public var endY: Int?
    /// The first finger's path (swipes and pinches).
    public var path: [PathPoint]?
    public var fingers: Int?
    /// The key's Linux name, `KEY_BACK`, `KEY_VOLUMEUP` … (keys only).
    public var key: String?
    /// The display's rotation in quarter turns when it happened.
    public var rotation: Int?
    /// The host's time when it began (not stored: the step's `started_at` says it).
    public var startedAt: Date

    public init(
        kind: Kind, time: Double, duration: Double, x: Int? = nil, y: Int? = nil, endX: Int? = nil, endY: Int? = nil,
        path: [PathPoint]? = nil, fingers: Int? = nil, key: String? = nil, rotation: Int? = nil, startedAt: Date = Date()
    ) {
        self.kind = kind
        self.time = time
        self.duration = duration
        self.x = x
        self.y = y
        self.endX = endX
        self.endY = endY
        self.path = path
        self.fingers = fingers
        self.key = key
        self.rotation = rotation
        self.startedAt = startedAt
    }

    /// When the finger came up (or the key was released), in device seconds.
    public var endTime: Double { time + duration }

    enum CodingKeys: String, CodingKey {
        case kind, time, duration, x, y, path, fingers, key, rotation
        case endX = "end_x", endY = "end_y"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        time = try c.decode(Double.self, forKey: .time)
        duration = try c.decode(Double.self, forKey: .duration)
        x = try c.decodeIfPresent(Int.self, forKey: .x)
        y = try c.decodeIfPresent(Int.self, forKey: .y)
        endX = try c.decodeIfPresent(Int.self, forKey: .endX)
        endY = try c.decodeIfPresent(Int.self, forKey: .endY)
        path = try c.decodeIfPresent([PathPoint].self, forKey: .path)
        fingers = try c.decodeIfPresent(Int.self, forKey: .fingers)
        key = try c.decodeIfPresent(String.self, forKey: .key)
        rotation = try c.decodeIfPresent(Int.self, forKey: .rotation)
        startedAt = Date(timeIntervalSince1970: 0)
    }
}
