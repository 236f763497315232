import AndroidPhone
import Foundation
import Imaging

/// `assertVisible`, `assertNotVisible`, `extendedWaitUntil`, `assertTrue`,
/// `waitForAnimationToEnd`, `takeScreenshot`.
extension FlowExecution {
    func assertVisible(_ given: Selector, timeout: Duration) async throws -> String {
        let selector = try substitute(given)
        let (node, snapshot) = try await screen.find(selector, timeout: timeout)
        guard let node else { throw notFound(selector, within: timeout, snapshot) }
        return "\(selector) is visible at \(node.bounds)"
    }

    func assertNotVisible(_ given: Selector, timeout: Duration) async throws -> String {
        let selector = try substitute(given)
        let (node, snapshot) = try await screen.waitUntilGone(selector, timeout: timeout)
        if let node {
            let texts = ScreenReader.summary(of: snapshot.tree, width: snapshot.image.width, height: snapshot.image.height)
            throw StepFailure("\(selector) was still visible after \(timeout), at \(node.bounds)", screen: texts)
        }
        return "\(selector) is not visible"
    }

    func assertTrue(_ condition: String) throws -> String {
        guard try truth(of: condition) else {
            throw StepFailure("\(condition) is false (it is \"\(try substitute(condition, allowUnset: true))\")")
        }
        return "\(condition) is true"
    }

    func waitForAnimationToEnd(_ timeout: Duration) async throws -> String {
        let result = try await screen.settleAfterAction(timeout: timeout)
        let seconds = String(format: "%.2f", result.elapsed.seconds)
        return result.settled ? "the screen was still after \(seconds) s" : "the screen was still moving after \(timeout); going on"
    }

    func takeScreenshot(_ name: String) async throws -> String {
        let image = try await phone.screenshot(rejectBlack: false)
        let file = name.hasSuffix(".png") ? name : name + ".png"
        let url = file.hasPrefix("/") ? URL(fileURLWithPath: file) : options.outputDirectory.appendingPathComponent(slug).appendingPathComponent(file)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(try image.pngData()).write(to: url)
        } catch {
            throw StepFailure("cannot save the screenshot to \(url.path): \(error)")
        }
        screenshots.append(url.path)
        return "saved \(url.path)"
    }
}
