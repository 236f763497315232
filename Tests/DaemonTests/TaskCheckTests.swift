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

    /// A seeded task's check is the instance of the seed its phone was served with; without the
    /// seed the job is refused (its check would hold `{{…}}` and could never pass).
    @Test func aSeededTaskIsCheckedAsTheInstanceOfItsSeed() async throws {
        try await withPhoneRig(seed: 7, task: "contacts-add-frank") { rig in
            let serial = "127.0.0.1:\(rig.port)"
            let instance = try #require(rig.catalog.task("contacts-add-frank")).instance(seed: 7)
            let number = try #require(instance.check.describe)
            var options = TetherDaemon.Options(devices: [serial])
            options.catalog = rig.catalog
            try await withDaemon(options: options) { _, api in
                try await api.waitForDevice(serial)
                let unseeded = try await api.call(.POST, "/v1/jobs", json: Replies.job([Replies.finish], extra: ["check": "contacts-add-frank"]))
                #expect(unseeded.status == 400 && unseeded.error?.contains("\"seed\"") == true, "\(unseeded.text)")
                let seedAlone = try await api.call(.POST, "/v1/jobs", json: Replies.job([Replies.finish], extra: ["seed": 7]))
                #expect(seedAlone.status == 400, "\(seedAlone.text)")
                let id = try #require(
                    try await api.call(.POST, "/v1/jobs", json: Replies.job([Replies.finish], extra: ["check": "contacts-add-frank", "seed": 7]))
                        .json?["id"] as? String)
                let failed = try await api.job(id) { ($0["status"] as? String).flatMap(JobStatus.init(rawValue:))?.isFinal ?? false }
                let message = failed["message"] as? String ?? ""
                #expect(failed["status"] as? String == "failed", "\(failed)")
                #expect(message.contains(number) && !message.contains("{{"), "\(message)")
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
