import Foundation
import Testing
import ADB
import PhoneRig
import TetherTestSupport
@testable import VirtualPhone

func catalog() throws -> DeviceCatalog { try sharedCatalog.get() }

/// A phone served on a free port (retrying when the port was taken meanwhile).
func startPhone(profile: String = "small-phone", seed: UInt64 = 1, task: TaskDefinition? = nil) async throws -> VirtualPhoneServer {
    var attempts = 0
    while true {
        do {
            return try await VirtualPhoneServer.start(catalog: try catalog(), options: .init(profile: profile, seed: seed, port: try freePort(), task: task))
        } catch let error as ADBError {
            attempts += 1
            if attempts > 5 { throw error }
        }
    }
}

/// A phone without a server, for tests that drive the actor directly.
func makePhone(profile: String = "small-phone", seed: UInt64 = 1, task: TaskDefinition? = nil) throws -> VirtualPhone {
    try VirtualPhone(catalog: try catalog(), profile: profile, seed: seed, task: task)
}

/// Runs one shell command line on a phone, as `adb shell` would, and returns stdout, stderr, status.
func sh(_ phone: VirtualPhone, _ line: String) async -> (out: String, err: String, status: Int32) {
    let out = Bytes(), err = Bytes()
    let io = ShellIO(stdout: { await out.append($0) }, stderr: { await err.append($0) })
    let status = await VirtualPhoneShell(phone: phone).run(line, io: io)
    return (String(decoding: await out.bytes, as: UTF8.self), String(decoding: await err.bytes, as: UTF8.self), status)
}

actor Bytes {
    var bytes: [UInt8] = []
    func append(_ b: [UInt8]) { bytes += b }
}

/// Finds a node's centre by its text (or content-desc) in a uiautomator dump.
func center(of text: String, in xml: String) -> (x: Int, y: Int)? {
    for node in xml.components(separatedBy: "<node ").dropFirst() {
        let label = attribute("text", node) ?? ""
        let desc = attribute("content-desc", node) ?? ""
        let rid = attribute("resource-id", node) ?? ""
        guard label == text || desc == text || rid.hasSuffix(":id/" + text), let bounds = attribute("bounds", node) else { continue }
        let numbers = bounds.split(whereSeparator: { !$0.isNumber && $0 != "-" }).compactMap { Int($0) }
        guard numbers.count == 4 else { continue }
        return ((numbers[0] + numbers[2]) / 2, (numbers[1] + numbers[3]) / 2)
    }
    return nil
}

func attribute(_ name: String, _ node: String) -> String? {
    guard let r = node.range(of: " \(name)=\"") ?? (node.hasPrefix("\(name)=\"") ? node.range(of: "\(name)=\"") : nil) else { return nil }
    let rest = node[r.upperBound...]
    guard let end = rest.firstIndex(of: "\"") else { return nil }
    return String(rest[..<end]).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
        .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
}
