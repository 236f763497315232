import Foundation
import PhoneRig
import Testing

@testable import Daemon

/// A job may ask for a phone model instead of a serial: it runs on a phone of that model and
/// waits while there is none.
@Suite(.serialized) struct DeviceModelJobTests {
    @Test func aJobAskingForAModelRunsOnlyOnAPhoneOfIt() async throws {
        try await withPhoneRig { rig in
            let serial = "127.0.0.1:\(rig.port)"
            try await withDaemon(devices: [serial]) { _, api in
                try await api.waitForDevice(serial)
                let model = try #require(try await api.call(.GET, "/v1/devices/\(serial)").json?["model"] as? String)
                let elsewhere = try await api.call(.POST, "/v1/jobs", json: Replies.job([Replies.finish], extra: ["device_model": "Pixel 8"]))
                let waiting = try #require(elsewhere.json?["id"] as? String)
                let here = try await api.call(.POST, "/v1/jobs", json: Replies.job([Replies.finish], extra: ["device_model": model]))
                let id = try #require(here.json?["id"] as? String)
                let done = try await api.job(id) { $0["status"] as? String == "succeeded" }
                #expect(done["device"] as? String == serial && done["requested_model"] as? String == model, "\(done)")
                // No Pixel 8 here: that job is still queued, though the phone is free.
                let still = try await api.call(.GET, "/v1/jobs/\(waiting)").json ?? [:]
                #expect(still["status"] as? String == "queued" && still["requested_model"] as? String == "Pixel 8")
                let blank = try await api.call(.POST, "/v1/jobs", json: Replies.job([Replies.finish], extra: ["device_model": "  "]))
                #expect(blank.status == 400 && blank.error?.contains("device_model") == true)
            }
        }
    }
}
