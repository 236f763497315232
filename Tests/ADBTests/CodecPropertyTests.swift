import Foundation
import Testing
import TetherTestSupport
@testable import ADB
import Basics

@Suite struct CodecPropertyTests {
    static let commands: [ADBMessage.Command] = [.cnxn, .auth, .open, .okay, .clse, .wrte, .stls]

    /// Every failure message names the seed that produced it (`testSeed`, `TETHER_TEST_SEED`).
    static let seed = testSeed

    /// Random messages survive encode → decode byte for byte, however the stream is cut: through
    /// the decoder both transports read with.
    @Test func randomMessagesRoundTripAcrossArbitrarySplits() throws {
        var generator = SplitMix64(seed: Self.seed)
        for round in 0..<200 {
            let messages = (0..<Int.random(in: 1...6, using: &generator)).map { _ in
                ADBMessage(
                    Self.commands[Int.random(in: 0..<Self.commands.count, using: &generator)],
                    UInt32.random(in: 0...UInt32.max, using: &generator), UInt32.random(in: 0...UInt32.max, using: &generator),
                    payload: (0..<Int.random(in: 0...3000, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
            }
            let stream = messages.flatMap { $0.encoded(withChecksum: Bool.random(using: &generator)) }
            var decoder = ADBPacketDecoder()
            var decoded: [ADBMessage] = []
            var offset = 0
            while offset < stream.count {
                let cut = min(stream.count, offset + Int.random(in: 1...700, using: &generator))
                decoded += try decoder.feed(Array(stream[offset..<cut]))
                offset = cut
            }
            #expect(decoded == messages, "seed \(Self.seed), round \(round)")
            #expect(decoder.isBetweenPackets, "seed \(Self.seed), round \(round)")
        }
    }

    /// A stream cut inside a packet says where when it ends.
    @Test func anEndInsideAPacketIsReported() throws {
        let bytes = ADBMessage(.wrte, 1, 2, payload: [UInt8](repeating: 9, count: 100)).encoded()
        var decoder = ADBPacketDecoder()
        #expect(try decoder.feed(Array(bytes[0..<10])).isEmpty)
        #expect(throws: ADBError.malformedPacket("connection ended inside a packet header (10 of 24 bytes)")) { try decoder.end() }
        #expect(try decoder.feed(Array(bytes[10..<60])).isEmpty)
        #expect(throws: ADBError.malformedPacket("connection ended inside a packet payload (36 of 100 bytes)")) { try decoder.end() }
        #expect(try decoder.feed(Array(bytes[60...])).count == 1)
        try decoder.end()
    }

    @Test func checksumIsTheByteSum() {
        #expect(ADBProtocol.checksum([UInt8]()) == 0)
        #expect(ADBProtocol.checksum([0xff, 0xff, 1]) == 511)
        let host = Array("host::features=remount_shell,abb_exec,abb,apex,fixed_push_mkdir,ls_v2,stat_v2,fixed_push_symlink_timestamp,cmd,shell_v2".utf8)
        // adb 29.0.6 sent this banner with data_check 11840 (research §1.3).
        #expect(host.count == 119)
        #expect(ADBProtocol.checksum(host) == 11840)
        #expect(ADBMessage(.okay, 1, 2, payload: [1, 2]).header(withChecksum: false).dataCheck == 0)
    }

    @Test func wrongMagicUnknownCommandAndOversizeAreRefusedBeforeThePayload() {
        var header = ADBMessage(.wrte, 1, 2, payload: []).header(withChecksum: true)
        header.magic ^= 1
        #expect(throws: ADBError.self) { try header.validate(maxPayload: 4096) }
        let unknown = ADBHeader(command: 0x5858_5858, arg0: 0, arg1: 0, dataLength: 0, dataCheck: 0, magic: 0x5858_5858 ^ 0xffff_ffff)
        #expect(throws: ADBError.self) { try unknown.validate(maxPayload: 4096) }
        // A 4 GiB length is refused from the header alone: nothing is allocated or awaited.
        var decoder = ADBPacketDecoder()
        let hostile = ADBHeader(
            command: ADBMessage.Command.wrte.rawValue, arg0: 1, arg1: 1, dataLength: .max, dataCheck: 0,
            magic: ADBMessage.Command.wrte.rawValue ^ 0xffff_ffff
        ).bytes
        #expect(throws: ADBError.self) { _ = try decoder.feed(hostile) }
    }

    /// Random bytes and mutated packets never crash the decoder: they decode or throw.
    @Test func fuzzedBytesDecodeOrThrow() {
        var generator = SplitMix64(seed: Self.seed ^ 0xf022)
        let valid = ADBMessage(.open, 3, 0, payload: Array("shell:echo hi\0".utf8)).encoded()
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0...200, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            } else {
                bytes = valid
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
            }
            var decoder = ADBPacketDecoder(maxPayload: 4096)
            do {
                _ = try decoder.feed(bytes)
            } catch {
                #expect(!error.description.isEmpty, "every rejection says why (seed \(Self.seed), round \(round))")
            }
        }
    }

    @Test func bannersParseAsAdbDoes() {
        let device = ADBBanner(parsing: "device::ro.product.name=p;ro.product.model=M;ro.product.device=d;features=shell_v2,cmd")
        #expect(device.systemType == .device)
        #expect(device.model == "M")
        #expect(device.features == ["shell_v2", "cmd"])
        #expect(ADBBanner(parsing: device.text) == device)
        // Older builds end with ';'; junk items are skipped; unknown system types count as host.
        let old = ADBBanner(parsing: "device::ro.product.name=x;garbage;a=b=c;")
        #expect(old.productName == "x")
        #expect(old.properties.count == 1)
        #expect(ADBBanner(parsing: "weird::").systemType == .host)
        #expect(ADBBanner(parsing: "").systemType == .host)
    }

    @Test func shellPacketsAndServiceNames() async throws {
        #expect(ShellPacket(.exit, [3]).encoded == [3, 1, 0, 0, 0, 3])
        let name = ShellServiceName(parsing: "shell,v2,TERM=xterm,raw:echo hi")
        #expect(name == ShellServiceName(mode: .v2, pty: false, term: "xterm", command: "echo hi"))
        #expect(ShellServiceName(parsing: "shell:")?.pty == true)
        #expect(ShellServiceName(parsing: "exec:screencap '-p'")?.mode == .exec)
        #expect(ShellServiceName(parsing: "sync:") == nil)
        #expect(ShellQuoting.join(["-p", "it's"]) == "'-p' 'it'\\''s'")
        let words = try ShellSyntax.parse("echo 'a b' \"c\\\"d\" e\\ f && ls | cat ; false || true")
        #expect(words.map(\.commands) == [[["echo", "a b", "c\"d", "e f"]], [["ls"], ["cat"]], [["false"]], [["true"]]])
        #expect(throws: ADBError.self) { try ShellSyntax.parse("echo 'open") }
        #expect(throws: ADBError.self) { try ShellSyntax.parse("echo &&") }
    }

    @Test func devicesLinesParse() {
        let info = ADBDeviceInfo(devicesLine: "127.0.0.1:15557        device product:fakeprod model:FakeModel device:fakedev transport_id:1")
        #expect(info?.serial == "127.0.0.1:15557")
        #expect(info?.model == "FakeModel")
        #expect(info?.transportId == 1)
        let noPermissions = ADBDeviceInfo(devicesLine: "0123456789ABCDEF       no permissions (user in plugdev group; are your udev rules wrong?) usb:1-1.2")
        #expect(noPermissions?.state.hasPrefix("no permissions") == true)
        #expect(noPermissions?.path == "usb:1-1.2")
    }

    @Test func androidPublicKeyStructIsConsistent() throws {
        let key = try ADBPrivateKey.generate()
        let bytes = key.publicKey.androidStruct
        #expect(bytes.count == 524)
        #expect(try ADBPublicKey(androidStruct: bytes) == key.publicKey)
        var broken = bytes
        broken[4] ^= 0xff  // n0inv
        #expect(throws: ADBError.self) { try ADBPublicKey(androidStruct: broken) }
        #expect(throws: ADBError.self) { try ADBPublicKey(androidText: "!!!not base64 user@host") }
    }
}
