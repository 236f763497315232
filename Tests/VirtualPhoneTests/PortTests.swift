import Foundation
import Testing
import TetherTestSupport
@testable import VirtualPhone

/// The ports phones are served on: 0 (free ports) or a range inside 1024…65535, clear of the
/// adb server's emulator probes; never a number the socket layer would wrap (70000 → 4464).
@Suite struct PortTests {
    @Test func aRangeThatFitsIsConsecutive() throws {
        #expect(try VirtualPhoneServer.ports(first: 6520, count: 3) == [6520, 6521, 6522])
        #expect(try VirtualPhoneServer.ports(first: 65533, count: 3) == [65533, 65534, 65535])
        #expect(try VirtualPhoneServer.ports(first: 0, count: 2) == [0, 0])
    }

    @Test(arguments: [
        (70000, 1, "not in 1024–65535"),
        (65535, 3, "past 65535"),
        (80, 1, "not in 1024–65535"),
        (-1, 1, "not in 1024–65535"),
        (5560, 1, "5555–5585"),
        (5550, 10, "5555–5585"),
        (6520, 0, "at least 1")
    ])
    func aRangeThatDoesNotFitIsRefused(first: Int, count: Int, message: String) {
        #expect {
            try VirtualPhoneServer.ports(first: first, count: count)
        } throws: { error in
            (error as? VirtualPhoneError)?.description.contains(message) ?? false
        }
    }

    @Test func theServerRefusesAPortPast65535() async throws {
        await #expect(throws: VirtualPhoneError.self) {
            let server = try await VirtualPhoneServer.start(catalog: try catalog(), options: .init(profile: "small-phone", port: 70000))
            await server.stop()
        }
    }
}
