import AndroidPhone

/// `POST /v1/devices/{serial}/input`: exactly one of a tap, a swipe, text or a key.
struct DeviceInput: Decodable {
    var tap: [Int]?
    var swipe: [Int]?
    var ms: Int?
    var text: String?
    var key: String?

    func validate() throws(APIError) {
        let given = [tap != nil, swipe != nil, text != nil, key != nil].filter { $0 }.count
        guard given == 1 else {
            throw .badRequest(#"send exactly one of {"tap":[x,y]}, {"swipe":[x1,y1,x2,y2],"ms":n}, {"text":"…"}, {"key":"HOME"}"#)
        }
        if let tap, tap.count != 2 || tap.contains(where: { $0 < 0 || $0 > 100_000 }) {
            throw .badRequest("\"tap\" must be [x, y] in pixels, both ≥ 0")
        }
        if let swipe, swipe.count != 4 || swipe.contains(where: { $0 < 0 || $0 > 100_000 }) {
            throw .badRequest("\"swipe\" must be [x1, y1, x2, y2] in pixels, all ≥ 0")
        }
        if let ms, !(1...60_000).contains(ms) { throw .badRequest("\"ms\" must be 1…60000") }
        if let text, text.isEmpty || text.count > 10_000 { throw .badRequest("\"text\" must be 1…10000 characters") }
        if let key, key.count > 64 || KeyCode(name: key) == nil {
            throw .badRequest("\"key\" must be a key name such as HOME, BACK or ENTER")
        }
    }

    func perform(on phone: Phone) async throws {
        if let tap { try await phone.tap(x: tap[0], y: tap[1]) }
        if let swipe {
            try await phone.swipe(
                fromX: swipe[0], fromY: swipe[1], toX: swipe[2], toY: swipe[3],
                duration: .milliseconds(ms ?? 300))
        }
        if let text { _ = try await phone.type(text) }
        if let key { try await phone.key(named: key) }
    }

    var summary: String {
        if let tap { return "tap \(tap)" }
        if let swipe { return "swipe \(swipe)" }
        if text != nil { return "text" }
        return "key \(key ?? "")"
    }
}
