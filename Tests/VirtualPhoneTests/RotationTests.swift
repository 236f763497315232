import Foundation
import Imaging
import TetherTestSupport
import Testing
@testable import VirtualPhone

/// The display turned a quarter: a landscape frame, and touches that stay in the panel's natural
/// orientation (as getevent reports them on a phone) landing where the turned frame shows things.
@Suite struct RotationTests {
    /// The lock screen is laid out at the turned size: wider than tall, and a swipe up on it —
    /// up in the turned frame, sideways on the panel — dismisses it.
    @Test func theLockScreenTurnsAndTakesTouchesAsTurned() async throws {
        let phone = try makePhone()
        defer { phone.removeFiles() }
        let (w, h) = (phone.profile.width, phone.profile.height)
        await phone.sleep()
        await phone.wakeUp()
        await phone.setRotation(1)
        let frame = await phone.screenshot()
        #expect(frame.width == h && frame.height == w)
        let (turnedW, turnedH) = (await phone.screenWidth, await phone.screenHeight)
        #expect(turnedW == h && turnedH == w)

        // A quarter turn: frame (x, y) is panel (w - 1 - y, x).
        #expect(await phone.naturalPoint(frameX: 10, frameY: 20) == (w - 21, 10))
        #expect(await phone.framePoint(naturalX: w - 21, naturalY: 10) == (10, 20))
        await phone.setRotation(3)
        #expect(await phone.naturalPoint(frameX: 10, frameY: 20) == (20, h - 11))
        #expect(await phone.framePoint(naturalX: 20, naturalY: h - 11) == (10, 20))
        await phone.setRotation(1)

        // Up the turned frame's middle is along the panel's X (raw X grows; raw Y stays).
        let m = await phone.touchMax
        let from = await phone.naturalPoint(frameX: h / 2, frameY: w * 4 / 5)
        let to = await phone.naturalPoint(frameX: h / 2, frameY: w / 5)
        #expect(from.y == to.y && from.x < to.x)
        func raw(_ p: (x: Int, y: Int)) -> (Int, Int) { (p.x * (m.x + 1) / w, p.y * (m.y + 1) / h) }
        let d = "/dev/input/event3"
        let a = raw(from), b = raw(to)
        _ = await sh(phone, "sendevent \(d) 3 57 5; sendevent \(d) 3 53 \(a.0); sendevent \(d) 3 54 \(a.1); sendevent \(d) 0 0 0")
        _ = await sh(phone, "sendevent \(d) 3 53 \(b.0); sendevent \(d) 0 0 0; sendevent \(d) 3 57 -1; sendevent \(d) 0 0 0")
        #expect(await phone.keyguardShowing == false)
    }

    /// The getevent coordinates of a person's touch stay in the panel's orientation.
    @Test func geteventKeepsThePanelsOrientation() async throws {
        let phone = try makePhone()
        defer { phone.removeFiles() }
        let (w, h) = (phone.profile.width, phone.profile.height)
        await phone.sleep()
        await phone.wakeUp()
        await phone.setRotation(1)
        let (id, stream) = await phone.subscribe()
        await phone.touchDown(x: 100, y: 50)
        await phone.touchUp()
        await phone.unsubscribe(id)
        var xs: [Int32] = [], ys: [Int32] = []
        for await e in stream where e.type == 3 {
            if e.code == 0x35 { xs.append(e.value) }
            if e.code == 0x36 { ys.append(e.value) }
        }
        let m = await phone.touchMax
        // Frame (100, 50) turned a quarter is panel (w - 51, 100).
        #expect(xs == [Int32((w - 51) * (m.x + 1) / w)] && ys == [Int32(100 * (m.y + 1) / h)])
    }

    /// An app's frame turns too: laid out at the turned size, and its UI tree says the rotation.
    @Test func anAppsFrameIsLandscapeWhenTurned() async throws {
        let phone = try makePhone()
        defer { phone.removeFiles() }
        let portrait = await phone.screenshot()
        await phone.setRotation(1)
        let frame = await phone.screenshot()
        #expect(frame.width == portrait.height && frame.height == portrait.width)
        let tree = await phone.uiHierarchyXML()
        #expect(tree.contains(#"<hierarchy rotation="1">"#))
        #expect(tree.contains(#"bounds="[0,0][\#(portrait.height),\#(portrait.width)]""#), "\(tree.prefix(400))")
    }
}
