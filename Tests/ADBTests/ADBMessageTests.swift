import Testing
import TetherTestSupport
@testable import ADB

@Suite struct ADBMessageTests {
    @Test func headerRoundTrip() throws {
        let message = ADBMessage(.wrte, 7, 9, payload: Array("hello".utf8))
        let bytes = message.encoded(withChecksum: true)
        #expect(bytes.count == 24 + 5)
        let header = try ADBHeader(bytes: bytes[0..<24])
        try header.validate(maxPayload: 4096)
        #expect(header.command == ADBMessage.Command.wrte.rawValue)
        #expect(header.dataCheck == 532)
        #expect(Array(bytes[0..<4]) == Array("WRTE".utf8))
    }

    /// A header of the wrong size is an error value, not a trap.
    @Test func aHeaderOfTheWrongSizeIsRefused() {
        for count in [0, 10, 23, 25] {
            #expect(throws: ADBError.self) { try ADBHeader(bytes: [UInt8](repeating: 0, count: count)) }
        }
    }
}
