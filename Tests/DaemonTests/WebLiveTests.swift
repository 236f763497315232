import Basics
import Foundation
import HummingbirdWSClient
import Logging
import PhoneRig
import Testing
@testable import Daemon

/// The live socket the web page draws from: JPEG frames out, input messages in, each answered.
@Suite(.serialized) struct WebLiveTests {
    @Test func theLiveSocketSendsFramesAndTakesInputMessages() async throws {
        try await withPhoneRig { rig in
            let serial = "127.0.0.1:\(rig.port)"
            try await withDaemon(devices: [serial]) { _, api in
                try await api.waitForDevice(serial)
                let frames = Locked(0)
                let firstBytes = Locked<[UInt8]>([])
                let replies = Locked<[String]>([])
                let closed = try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(api.port)/v1/devices/\(serial)/live?fps=10",
                    configuration: .init(maxFrameSize: 1 << 24, additionalHeaders: [.authorization: "Bearer \(api.token)"]),
                    logger: Logger(label: "test.ws")
                ) { inbound, outbound, _ in
                    var sent = false
                    for try await message in inbound.messages(maxSize: 1 << 24) {
                        switch message {
                        case .binary(let buffer):
                            frames.withLock { $0 += 1 }
                            if firstBytes.value.isEmpty { firstBytes.set(Array(buffer.readableBytesView.prefix(3))) }
                            if !sent {
                                sent = true
                                try await outbound.write(.text(#"{"key": "HOME"}"#))
                                try await outbound.write(.text(#"{"tap": [1]}"#))
                                try await outbound.write(.text("not json"))
                            }
                        case .text(let text):
                            replies.withLock { $0.append(text) }
                        }
                        if replies.value.count == 3 { break }
                    }
                }
                #expect(frames.value >= 1, "closed: \(String(describing: closed))")
                #expect(firstBytes.value == [0xFF, 0xD8, 0xFF], "a JPEG")
                let answers = replies.value.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
                #expect(answers.count == 3, "\(replies.value)")
                #expect(answers.first?["done"] == "key HOME")
                #expect(answers.dropFirst().allSatisfy { $0["error"] != nil }, "\(answers)")
                #expect(answers.dropFirst().first?["error"]?.contains("\"tap\" must be [x, y]") == true)
            }
        }
    }

    /// With `?ack=1` the client paces the frames: after the first, none comes until it says
    /// `ack`, however long it takes, so nothing can queue between the phone and the page.
    @Test func aPacedLiveSocketSendsTheNextFrameOnlyAfterAnAck() async throws {
        try await withPhoneRig { rig in
            let serial = "127.0.0.1:\(rig.port)"
            try await withDaemon(devices: [serial]) { _, api in
                try await api.waitForDevice(serial)
                let log = Locked<[String]>([])
                try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(api.port)/v1/devices/\(serial)/live?fps=10&ack=1",
                    configuration: .init(maxFrameSize: 1 << 24, additionalHeaders: [.authorization: "Bearer \(api.token)"]),
                    logger: Logger(label: "test.ws")
                ) { inbound, outbound, _ in
                    var messages = inbound.messages(maxSize: 1 << 24).makeAsyncIterator()
                    func next() async throws -> String? {
                        switch try await messages.next() {
                        case .binary?: return "frame"
                        case .text(let text)?: return text
                        case nil: return nil
                        }
                    }
                    let first = try await next() ?? "end"
                    log.withLock { $0.append("first: \(first)") }
                    // At 10 frames a second, an unpaced socket would have sent about ten by now.
                    try await Task.sleep(for: .seconds(1))
                    try await outbound.write(.text(#"{"key": "HOME"}"#))
                    while let message = try await next() {
                        log.withLock { $0.append(message) }
                        if message != "frame" { break }
                    }
                    try await outbound.write(.text("ack"))
                    let afterAck = try await next() ?? "end"
                    log.withLock { $0.append("after ack: \(afterAck)") }
                }
                #expect(log.value == ["first: frame", #"{"done":"key HOME"}"#, "after ack: frame"], "\(log.value)")
            }
        }
    }
}
