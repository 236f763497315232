import AndroidPhone
import Foundation
import Testing
@testable import Agent

/// The thin adapter: it forwards to `Phone`, and turns what the model can act on into
/// `ActionRefused`.
struct AndroidPhoneControlTests {
    func withVPhone(_ body: (VPhoneRig) async throws -> Void) async throws {
        let rig = try await VPhoneRig.start()
        do {
            try await body(rig)
            await rig.stop()
        } catch {
            await rig.stop()
            throw error
        }
    }

    /// Type with no field focused is refused in words the model is told, not "typed N characters".
    @Test func replaceTextWithNoFocusedFieldIsRefused() async throws {
        try await withVPhone { rig in
            try await rig.control.launch(package: "com.android.settings")
            await #expect(throws: ActionRefused(PhoneError.noFocusedTextField.description)) {
                try await rig.control.replaceText("hello")
            }
        }
    }

    @Test func observeReportsTheSettleTimeAndHomeByItsTrainedName() async throws {
        try await withVPhone { rig in
            try await rig.control.home()
            let observation = try await rig.control.observe()
            #expect(observation.currentApp == AndroidPhoneControl.homeLabel)
            let settle = try #require(observation.settleTime)
            #expect(settle > .zero)
        }
    }
}
