import AndroidPhone
import Foundation
import Trajectory

/// `launchApp`, `stopApp`, `clearState`, `openLink`.
extension FlowExecution {
    func appId(_ given: String?, _ command: String) throws -> String {
        guard let id = given ?? flow.header.appId else {
            throw StepFailure("\(command) needs an appId: give it here or in the flow's header (appId: com.example.app)")
        }
        return try substitute(id)
    }

    func launchApp(_ given: String?, clearState: Bool, stopApp: Bool) async throws -> String {
        let package = try appId(given, "launchApp")
        if clearState { try await phone.shell("pm clear \(quote(package))") }
        if stopApp || clearState { try await phone.forceStop(package) }
        try await phone.launch(package: package)
        await screen.invalidate()
        lastAction = .launch(app: package)
        let clock = ContinuousClock()
        let deadline = clock.now + options.lookupTimeout
        while try await phone.foregroundApp()?.package != package {
            guard clock.now < deadline else {
                throw StepFailure("launched \(package), but it was not in front within \(options.lookupTimeout)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return "launched \(package)\(clearState ? " with its data cleared" : "")"
    }

    func stopApp(_ given: String?) async throws -> String {
        let package = try appId(given, "stopApp")
        try await phone.forceStop(package)
        await screen.invalidate()
        return "stopped \(package)"
    }

    func clearState(_ given: String?) async throws -> String {
        let package = try appId(given, "clearState")
        let result = try await phone.shell("pm clear \(quote(package))")
        guard result.stdoutText.contains("Success") else {
            throw StepFailure("pm clear \(package) failed: \((result.stdoutText + result.stderrText).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        await screen.invalidate()
        return "cleared \(package)"
    }

    func openLink(_ link: String) async throws -> String {
        let uri = try substitute(link)
        try await phone.open(uri: uri)
        await screen.invalidate()
        return "opened \(uri)"
    }

    func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
