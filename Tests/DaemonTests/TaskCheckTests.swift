import Foundation
import PhoneRig
import Testing

@testable import Daemon

/// A job with a `check`: the virtual phone's state decides whether it succeeded, not the model.
@Suite(.serialized) struct TaskCheckTests {
    @Test func aJobSucceedsOnlyWhenItsTaskCheckPasses() async throws {
        try await withPhoneRig { rig in
            let serial = "127.0.0.1:\(rig.port)"
            var options = TetherDaemon.Options(devices: [serial])
            options.catalog = rig.catalog
            try await withDaemon(options: options) { _, api in
                try await api.waitForDevice(serial)
                let unknown = try await api.call(.POST, "/v1/jobs", json: Replies.job([Replies.finish], extra: ["check": "no-such-task"]))
                #expect(unknown.status == 400 && unknown.error?.contains("no task no-such-task") == true, "\(unknown.text)")

                // A fresh phone has Wi-Fi on: the model's "done" is believed for wifi-on, not for wifi-off.
                let on = try #require(
                    try await api.call(.POST, "/v1/jobs", json: Replies.job([Replies.home, Replies.finish], extra: ["check": "settings-wifi-on"]))
                        .json?["id"] as? String)
                let passed = try await api.job(on) { ($0["status"] as? String).flatMap(JobStatus.init(rawValue:))?.isFinal ?? false }
                #expect(passed["status"] as? String == "succeeded", "\(passed)")
                #expect((passed["message"] as? String)?.contains("check settings-wifi-on passed") == true)

                let off = try #require(
                    try await api.call(.POST, "/v1/jobs", json: Replies.job([Replies.home, Replies.finish], extra: ["check": "settings-wifi-off"]))
                        .json?["id"] as? String)
                let failed = try await api.job(off) { ($0["status"] as? String).flatMap(JobStatus.init(rawValue:))?.isFinal ?? false }
                #expect(failed["status"] as? String == "failed", "\(failed)")
                #expect((failed["message"] as? String)?.contains("check settings-wifi-off failed") == true, "\(failed)")
            }
        }
    }

    @Test func aCheckWithoutTheDevicesFolderIsRefused() async throws {
        try await withDaemon { _, api in
            let reply = try await api.call(.POST, "/v1/jobs", json: Replies.job([Replies.finish], extra: ["check": "settings-wifi-on"]))
            #expect(reply.status == 400 && reply.error?.contains("--devices") == true, "\(reply.text)")
        }
    }
}
