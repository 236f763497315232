import Foundation
import Testing
@testable import VirtualPhone

/// The phone actor runs on a serial queue of its own, so that layout and rendering never hold a
/// thread of Swift's cooperative pool.
@Suite struct PhoneExecutorTests {
    @Test func thePhoneRunsOnItsOwnQueue() async throws {
        let phone = try makePhone()
        #expect(await phone.runsOnOwnQueue)
        // The test itself runs on the cooperative pool, not on the phone's queue.
        #expect(!phone.executor.isCurrent)
        await phone.removeFiles()
    }

    @Test func twoPhonesHaveTwoQueues() async throws {
        let a = try makePhone(), b = try makePhone(seed: 2)
        #expect(a.executor.queue !== b.executor.queue)
        #expect(await a.runsOnOwnQueue && !a.executor.isCurrent)
        await a.removeFiles()
        await b.removeFiles()
    }

    @Test func thePhoneEncodesItsPNG() async throws {
        let phone = try makePhone()
        let png = try await phone.screenshotPNG(compressionLevel: 6)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // IHDR: width and height, big-endian, at bytes 16 and 20.
        let width = png.count > 24 ? png[16..<20].reduce(0) { $0 << 8 | Int($1) } : 0
        let height = png.count > 24 ? png[20..<24].reduce(0) { $0 << 8 | Int($1) } : 0
        #expect(width == phone.profile.width && height == phone.profile.height)
        await phone.removeFiles()
    }
}
