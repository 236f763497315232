import Foundation
import Hummingbird
import HummingbirdWebSocket

/// `/v1/devices/{serial}/live`: a WebSocket of the phone's screen as JPEG frames (binary), as
/// often as `?fps=` asks (1…10, default 2) and the phone can capture. Watching is allowed while
/// a job holds the phone. It ends when the client closes or the phone goes away.
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
                try await WebSocketSession.send(reading: inbound) {
                    let clock = ContinuousClock()
                    while !Task.isCancelled {
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
            })
    }
}
