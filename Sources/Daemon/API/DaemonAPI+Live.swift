import Foundation
import Hummingbird
import HummingbirdWebSocket

/// `/v1/devices/{serial}/live`: a WebSocket of the phone's screen as JPEG frames (binary), as
/// often as `?fps=` asks (1…10, default 2) and the phone can capture. Watching is allowed while
/// a job holds the phone. It ends when the client closes or the phone goes away.
///
/// Frames never queue here: the next screen is captured only once the connection took the last
/// frame (a write waits while the channel is over its high-water mark), so a slow client gets
/// fewer, fresh frames rather than a growing backlog of old ones. With `?ack=1` the client paces
/// the frames itself: after the first, each frame is sent only once the client said `ack` (a text
/// message) for the one before, so no frame waits in any buffer between the phone and the
/// client's screen (the web page does this).
///
/// The client may send input as JSON text messages, each what `POST /v1/devices/{serial}/input`
/// takes (`{"tap": [x, y]}`, …); each is answered with a text message, `{"done": "…"}` or
/// `{"error": "…"}` (refused while a job holds the phone), and the frames go on either way.
extension DaemonAPI {
    func addLiveSocket(to router: Router<DaemonRequestContext>) {
        let devices = self.devices
        router.ws(
            "/v1/devices/:serial/live",
            shouldUpgrade: { request, context in
                let serial = try Self.parameter("serial", context)
                _ = try await devices.phoneForViewing(serial)
                if let fps = request.uri.queryParameters.get("fps"), Int(String(fps)).map({ (1...10).contains($0) }) != true {
                    throw APIError.badRequest("fps must be a whole number 1…10")
                }
                return .upgrade([:])
            },
            onUpgrade: { inbound, outbound, context in
                guard let serial = context.requestContext.parameters.get("serial") else { return }
                let fps = context.request.uri.queryParameters.get("fps").flatMap { Int(String($0)) } ?? 2
                let interval = Duration.milliseconds(1000 / max(1, min(10, fps)))
                let logger = context.logger
                let paced = context.request.uri.queryParameters.get("ack") == "1"
                let (acks, ackSink) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        let clock = ContinuousClock()
                        var waitingForAck = false
                        var ackIterator = acks.makeAsyncIterator()
                        while !Task.isCancelled {
                            if waitingForAck, await ackIterator.next() == nil { break }
                            waitingForAck = paced
                            let started = clock.now
                            let jpeg: [UInt8]
                            do {
                                jpeg = try await devices.phoneForViewing(serial).screenshot().jpegData(quality: 70)
                            } catch {
                                logger.info("live view ended", metadata: ["serial": "\(serial)", "reason": "\(error)"])
                                break
                            }
                            try await outbound.write(.binary(ByteBuffer(bytes: jpeg)))
                            let rest = interval - (clock.now - started)
                            if rest > .zero { try await Task.sleep(for: rest) }
                        }
                    }
                    group.addTask {
                        for try await message in inbound.messages(maxSize: RequestJSON.maxBody) {
                            guard case .text(let text) = message else { continue }
                            if text == "ack" {
                                ackSink.yield()
                                continue
                            }
                            let reply = await LiveInput.perform(text, on: serial, devices: devices)
                            try await outbound.write(.text(reply))
                        }
                    }
                    defer {
                        ackSink.finish()
                        group.cancelAll()
                    }
                    try await group.next()
                }
            })
    }
}

/// An input message on the live socket: decoded and checked as the input route does it.
enum LiveInput {
    static func perform(_ text: String, on serial: String, devices: DeviceManager) async -> String {
        do {
            let input: DeviceInput
            do { input = try JSONDecoder().decode(DeviceInput.self, from: Data(text.utf8)) } catch {
                throw APIError.badRequest("the message is not an input: \(RequestJSON.explain(error))")
            }
            try input.validate()
            let phone = try await devices.phoneForCommand(serial)
            try await input.perform(on: phone)
            return reply(["done": input.summary])
        } catch let error as APIError {
            return reply(["error": error.message])
        } catch {
            return reply(["error": "\(error)"])
        }
    }

    static func reply(_ object: [String: String]) -> String {
        (try? JSONEncoder().encode(object)).map { String(decoding: $0, as: UTF8.self) } ?? #"{"error":"unencodable reply"}"#
    }
}
