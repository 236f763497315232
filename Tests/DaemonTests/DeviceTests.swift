import Foundation
import HummingbirdWSClient
import Logging
import PhoneRig
import Testing
@testable import Daemon

/// Phones through the API: added by address, screenshots, input, the lease, a phone that goes away.
@Suite(.serialized) struct DeviceTests {
    @Test func addAPhoneThenScreenshotAndInput() async throws {
        try await withPhoneRig { rig in
            try await withDaemon { _, api in
                let serial = "127.0.0.1:\(rig.port)"
                let added = try await api.call(.POST, "/v1/devices", json: ["address": serial])
                #expect(added.status == 201 && added.json?["serial"] as? String == serial)
                try await api.waitForDevice(serial)
                let list = try await api.call(.GET, "/v1/devices").array ?? []
                #expect(list.count == 1 && list.first?["model"] as? String != nil)

                let png = try await api.call(.GET, "/v1/devices/\(serial)/screenshot")
                #expect(png.status == 200 && png.body.starts(with: [0x89, 0x50, 0x4E, 0x47]))
                let jpeg = try await api.call(.GET, "/v1/devices/\(serial)/screenshot?format=jpeg")
                #expect(jpeg.status == 200 && jpeg.body.starts(with: [0xFF, 0xD8, 0xFF]))
                let gif = try await api.call(.GET, "/v1/devices/\(serial)/screenshot?format=gif")
                #expect(gif.status == 400 && gif.error?.contains("png or jpeg") == true)

                // Input reaches the phone: the virtual phone's shell sees the commands.
                let seen = CommandLog()
                rig.rules.add("input") { line, _ in
                    seen.add(line); return nil
                }
                rig.rules.add("cmd input") { line, _ in
                    seen.add(line); return nil
                }
                #expect(try await api.call(.POST, "/v1/devices/\(serial)/input", json: ["tap": [100, 200]]).status == 200)
                #expect(try await api.call(.POST, "/v1/devices/\(serial)/input", json: ["key": "HOME"]).status == 200)
                #expect(try await api.call(.POST, "/v1/devices/\(serial)/input", json: ["swipe": [10, 500, 10, 100], "ms": 200]).status == 200)
                #expect(seen.all.contains { $0.contains("tap 100 200") }, "\(seen.all)")
                #expect(seen.all.contains { $0.contains("keyevent 3") }, "\(seen.all)")
                #expect(seen.all.contains { $0.contains("swipe 10 500 10 100 200") }, "\(seen.all)")

                let twoThings = try await api.call(.POST, "/v1/devices/\(serial)/input", json: ["tap": [1, 2], "key": "HOME"])
                #expect(twoThings.status == 400 && twoThings.error?.contains("exactly one") == true)
                let badKey = try await api.call(.POST, "/v1/devices/\(serial)/input", json: ["key": "NOT_A_KEY"])
                #expect(badKey.status == 400 && badKey.error?.contains("key") == true)
                let badTap = try await api.call(.POST, "/v1/devices/\(serial)/input", json: ["tap": [1]])
                #expect(badTap.status == 400 && badTap.error?.contains("[x, y]") == true)
                // The live view: JPEG frames over a WebSocket, closed by the client after three.
                let frames = FrameCount()
                let closed = try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(api.port)/v1/devices/\(serial)/live?fps=10",
                    configuration: .init(maxFrameSize: 16 << 20, additionalHeaders: [.authorization: "Bearer \(api.token)"]),
                    logger: Logger(label: "test.ws")
                ) { inbound, outbound, _ in
                    for try await message in inbound.messages(maxSize: 16 << 20) {
                        if case .binary(let buffer) = message, buffer.readableBytesView.starts(with: [0xFF, 0xD8, 0xFF]) {
                            if frames.add() == 3 { try await outbound.close(.normalClosure, reason: nil) }
                        }
                    }
                }
                #expect(frames.count >= 3, "\(String(describing: closed))")
                let again = try await api.call(.POST, "/v1/devices", json: ["address": serial])
                #expect(again.status == 201, "adding the same phone twice finds it")
                #expect(try await api.call(.GET, "/v1/devices").array?.count == 1)
            }
        }
    }

    @Test func aPhoneThatVanishesFailsItsJobAndGoesOffline() async throws {
        let rig = try await PhoneRig.start()
        var stopped = false
        do {
            try await withDaemon(devices: ["127.0.0.1:\(rig.port)"]) { _, api in
                let serial = "127.0.0.1:\(rig.port)"
                try await api.waitForDevice(serial)
                let submitted = try await api.call(
                    .POST, "/v1/jobs",
                    json: Replies.job(
                        [Replies.sensitiveTap, Replies.finish],
                        extra: ["on_sensitive": "ask", "retry": ["device_lost": true]]))
                let id = try #require(submitted.json?["id"] as? String)
                _ = try await api.job(id) { $0["status"] as? String == "waiting" }
                // A phone the job holds takes no direct commands.
                let busy = try await api.call(.GET, "/v1/devices/\(serial)/screenshot")
                #expect(busy.status == 409 && busy.error?.contains(id) == true)
                await rig.stop()
                stopped = true
                let qid = try #require(try await api.call(.GET, "/v1/jobs/\(id)/questions").array?.first?["id"] as? String)
                _ = try await api.call(.POST, "/v1/jobs/\(id)/questions/\(qid)", json: ["answer": "yes"])
                let done = try await api.job(id) { ($0["status"] as? String).map { JobStatus(rawValue: $0)?.isFinal ?? false } ?? false }
                #expect(done["status"] as? String == "failed")
                #expect((done["message"] as? String)?.contains("the phone vanished") == true, "\(done)")
                let device = try await api.call(.GET, "/v1/devices/\(serial)").json ?? [:]
                #expect(device["state"] as? String == "offline", "\(device)")
                // retry.device_lost: the same job is queued again for when the phone is back.
                let queued = try await api.call(.GET, "/v1/jobs?status=queued").array ?? []
                #expect(queued.count == 1 && queued.first?["id"] as? String != id)
            }
        } catch {
            if !stopped { await rig.stop() }
            throw error
        }
        if !stopped { await rig.stop() }
    }

    @Test func aJobPastItsTimeoutFails() async throws {
        try await withPhoneRig { rig in
            try await withDaemon(devices: ["127.0.0.1:\(rig.port)"]) { _, api in
                try await api.waitForDevice("127.0.0.1:\(rig.port)")
                // The question is never answered; the job's timeout ends it.
                let submitted = try await api.call(
                    .POST, "/v1/jobs",
                    json: Replies.job(
                        [Replies.sensitiveTap, Replies.finish],
                        extra: ["on_sensitive": "ask", "timeout": 0.5]))
                let id = try #require(submitted.json?["id"] as? String)
                let done = try await api.job(id) { ($0["status"] as? String).map { JobStatus(rawValue: $0)?.isFinal ?? false } ?? false }
                #expect(done["status"] as? String == "failed")
                #expect((done["message"] as? String)?.contains("timeout") == true, "\(done)")
            }
        }
    }
}

/// Shell command lines seen, in order.
final class CommandLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

/// JPEG frames received.
final class FrameCount: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() -> Int {
        lock.withLock {
            n += 1; return n
        }
    }
    var count: Int { lock.withLock { n } }
}
