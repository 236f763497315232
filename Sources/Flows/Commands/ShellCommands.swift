import Agent
import AndroidPhone
import Foundation

/// `shortcut` (the YAML shortcuts of Devices/shortcuts) and `shell` (a command on the phone,
/// with what its output and exit code must be).
extension FlowExecution {
    func shortcut(_ name: String, _ params: [(key: String, value: String)]) async throws -> String {
        guard let shortcut = options.shortcuts.shortcut(named: name) else {
            let known = options.shortcuts.shortcuts.map(\.name)
            throw StepFailure(
                "no shortcut \"\(name)\"\(known.isEmpty ? "; no shortcuts are loaded (give --devices DIR)" : "; known: \(known.joined(separator: ", "))")")
        }
        var arguments: [String: String] = [:]
        for (key, value) in params { arguments[key] = try substitute(value) }
        let invocation: ShortcutInvocation
        do { invocation = try shortcut.invocation(arguments: arguments) } catch { throw StepFailure("shortcut \(name): \(error.message)") }
        let result = try await phone.shell(invocation.command, exactStatus: true)
        let output = (result.stdoutText + result.stderrText).trimmingCharacters(in: .whitespacesAndNewlines)
        if let status = result.exitCode, status != 0 { throw StepFailure("shortcut \(name) failed (exit \(status)): \(output.prefix(300))") }
        if output.contains("Error:") || output.contains("Exception") { throw StepFailure("shortcut \(name) failed: \(output.prefix(300))") }
        await screen.invalidate()
        lastAction = .shortcut(name: name, arguments: arguments)
        return "ran shortcut \(name)"
    }

    func shell(_ spec: ShellSpec) async throws -> String {
        let command = try substitute(spec.command)
        let result = try await phone.shell(command, exactStatus: true)
        let output = result.stdoutText + result.stderrText
        await screen.invalidate()
        if let expected = spec.expectExitCode, let status = result.exitCode, status != expected {
            throw StepFailure("`\(command)` exited with \(status), not \(expected): \(output.prefix(300))")
        }
        if let pattern = try spec.expectOutput.map({ try substitute($0) }) {
            let regex = try? NSRegularExpression(pattern: pattern)
            guard let regex, regex.firstMatch(in: output, range: NSRange(output.startIndex..., in: output)) != nil else {
                throw StepFailure("the output of `\(command)` has no match of /\(pattern)/: \(output.prefix(300))")
            }
        }
        if let variable = spec.outputVariable {
            variables[variable] = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return "ran `\(command)` (exit \(result.exitCode.map(String.init) ?? "?"))"
    }
}
