import ADB
import Foundation
import TetherTestSupport
import Testing
@testable import VirtualPhone

/// The APKs the virtual phone serves where `pm path` points, and the toybox commands that read
/// them (`stat -c`, `dd` with byte ranges, `cat`, `ls`) plus `setprop`.
@Suite struct APKFileTests {
    @Test func apksLieWherePmPathPoints() async throws {
        let phone = try makePhone()
        defer { phone.removeFiles() }
        var r = await sh(phone, "pm path com.android.settings")
        #expect(r.out == "package:/system/app/com.android.settings/com.android.settings.apk\n")
        let host = phone.root.appendingPathComponent("system/app/com.android.settings/com.android.settings.apk")
        let bytes = Array(try Data(contentsOf: host))
        #expect(bytes.prefix(4) == [0x50, 0x4B, 0x03, 0x04])
        let app = try #require(try catalog().apps["com.android.settings"])
        #expect(bytes == APKWriter.apk(package: app.package, activity: app.activity, label: app.label, localizedLabels: app.localizedLabels ?? [:]))

        r = await sh(phone, "ls /system/app/com.android.settings")
        #expect(r.out == "com.android.settings.apk\n")
        r = await sh(phone, "stat -c '%s %Y %n' /system/app/com.android.settings/com.android.settings.apk /nope")
        let mtime = try #require(try FileManager.default.attributesOfItem(atPath: host.path)[.modificationDate] as? Date)
        #expect(r.out == "\(bytes.count) \(Int(mtime.timeIntervalSince1970)) /system/app/com.android.settings/com.android.settings.apk\n")
        #expect(r.err == "stat: '/nope': No such file or directory\n" && r.status == 1)
    }

    @Test func ddReadsByteRangesLikeToybox() async throws {
        let phone = try makePhone()
        defer { phone.removeFiles() }
        let path = "/system/app/com.android.contacts/com.android.contacts.apk"
        let bytes = Array(try Data(contentsOf: phone.root.appendingPathComponent(String(path.dropFirst()))))
        func dd(_ args: String) async -> (out: [UInt8], err: String, status: Int32) {
            let out = Bytes(), err = Bytes()
            let io = ShellIO(stdout: { await out.append($0) }, stderr: { await err.append($0) })
            let status = await VirtualPhoneShell(phone: phone).run("dd if=\(path) \(args)", io: io)
            return (await out.bytes, String(decoding: await err.bytes, as: UTF8.self), status)
        }
        var r = await dd("bs=65536 iflag=skip_bytes,count_bytes skip=100 count=37 2>/dev/null")
        #expect(r.out == Array(bytes[100..<137]) && r.err.isEmpty)
        // Blocks without iflag: skip=2 count=3 of bs=10 are bytes 20..<50.
        r = await dd("bs=10 skip=2 count=3")
        #expect(r.out == Array(bytes[20..<50]))
        #expect(r.err.hasPrefix("3+0 records in\n3+0 records out\n30 bytes"))
        // Past the end: what is there, then nothing.
        r = await dd("iflag=skip_bytes,count_bytes skip=\(bytes.count - 5) count=100 status=none")
        #expect(r.out == Array(bytes.suffix(5)) && r.err.isEmpty)
        r = await dd("bs=1k count=1 iflag=skip_bytes skip=\(bytes.count + 10) status=none")
        #expect(r.out.isEmpty && r.status == 0)
        r = await dd("iflag=bogus")
        #expect(r.status == 1 && r.err.contains("bad iflag"))
        let cat = await sh(phone, "cat \(path) | wc -c")
        #expect(cat.out == "\(bytes.count)\n")
    }

    @Test func setpropChangesWhatGetpropSays() async throws {
        let phone = try makePhone()
        defer { phone.removeFiles() }
        var r = await sh(phone, "getprop persist.sys.locale; setprop persist.sys.locale zh-CN; getprop persist.sys.locale")
        #expect(r.out == "\nzh-CN\n")
        r = await sh(phone, "setprop persist.sys.locale")
        #expect(r.status == 1 && r.err.contains("usage"))
    }
}
