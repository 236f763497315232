import AndroidPhone
import Foundation
import Hummingbird
import Imaging

/// `/v1/devices`: list, add, show, screenshot, input.
extension DaemonAPI {
    struct AddDevice: Decodable { var address: String }

    func addDeviceRoutes(to router: Router<DaemonRequestContext>) {
        let devices = self.devices, store = self.store, fleet = self.fleet
        router.get("/v1/devices") { _, _ in
            guard let fleet else { return JSONResponse.make(await devices.list()) }
            // Every host's phones: this one's as they are now, the others' as of their last heartbeat.
            let here = await devices.list().map { device in
                var device = device
                device.host = fleet.host
                return device
            }
            return try await Self.guarded { JSONResponse.make(here + (try await store.remoteDevices(except: fleet.host))) }
        }
        router.post("/v1/devices") { request, _ in
            let body = try await RequestJSON.decode(AddDevice.self, from: request)
            return try await Self.guarded { JSONResponse.make(try await devices.add(address: body.address), status: .created) }
        }
        router.get("/v1/devices/:serial") { _, context in
            let serial = try Self.parameter("serial", context)
            guard let info = await devices.info(serial) else { throw APIError.notFound("no device \(serial); GET /v1/devices lists them") }
            return JSONResponse.make(info)
        }
        router.get("/v1/devices/:serial/screenshot") { request, context in
            let serial = try Self.parameter("serial", context)
            let format = request.uri.queryParameters.get("format") ?? "png"
            guard ["png", "jpeg", "jpg"].contains(format) else { throw APIError.badRequest("format must be png or jpeg, not \(format)") }
            let phone = try await devices.phoneForCommand(serial)
            return try await Self.guarded {
                let image = try await phone.screenshot()
                let jpeg = format != "png"
                let bytes = jpeg ? try image.jpegData(quality: 85) : try image.pngData()
                return Response(
                    status: .ok, headers: [.contentType: jpeg ? "image/jpeg" : "image/png"],
                    body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
            }
        }
        router.post("/v1/devices/:serial/input") { request, context in
            let serial = try Self.parameter("serial", context)
            let input = try await RequestJSON.decode(DeviceInput.self, from: request)
            try input.validate()
            let phone = try await devices.phoneForCommand(serial)
            return try await Self.guarded {
                try await input.perform(on: phone)
                return JSONResponse.make(["done": input.summary])
            }
        }
    }
}
