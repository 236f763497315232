import AndroidPhone
import Foundation
import Hummingbird

/// `POST /v1/devices/{serial}/shell`: one shell command on a phone, its output and exit code.
/// Off unless tetherd was started with `--allow-shell` (a token holder could otherwise do
/// anything the phone's shell user can).
extension DaemonAPI {
    struct ShellCommand: Decodable {
        var command: String
        /// Seconds, 1…600 (default 30).
        var timeout: Int?
    }

    struct ShellReply: Encodable {
        var stdout: String
        var stderr: String
        /// Absent when the phone has no shell v2 and so cannot say.
        var exitCode: Int?
        var truncated: Bool

        enum CodingKeys: String, CodingKey {
            case stdout, stderr, truncated
            case exitCode = "exit_code"
        }
    }

    /// The most output of each stream a reply carries.
    static let maxShellOutput = 4 << 20

    func addShellRoute(to router: Router<DaemonRequestContext>) {
        let devices = self.devices, allowShell = self.allowShell
        router.post("/v1/devices/:serial/shell") { request, context in
            guard allowShell else {
                throw APIError(.forbidden, "shell commands are off: start tetherd with --allow-shell (or \"allow_shell\": true in its config file) to allow them")
            }
            let serial = try Self.parameter("serial", context)
            let body = try await RequestJSON.decode(ShellCommand.self, from: request)
            guard !body.command.trimmingCharacters(in: .whitespaces).isEmpty, body.command.utf8.count <= 60_000 else {
                throw APIError.badRequest("\"command\" must be a non-empty shell command of at most 60000 bytes")
            }
            let seconds = body.timeout ?? 30
            guard (1...600).contains(seconds) else { throw APIError.badRequest("\"timeout\" must be 1…600 seconds") }
            let phone = try await devices.phoneForCommand(serial)
            return try await Self.guarded {
                let result: CommandResult
                do { result = try await phone.shell(body.command, timeout: .seconds(seconds), exactStatus: true) } catch let error as PhoneError {
                    throw APIError(phone: error)
                }
                let out = result.stdout.prefix(Self.maxShellOutput), err = result.stderr.prefix(Self.maxShellOutput)
                return JSONResponse.make(
                    ShellReply(
                        stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self),
                        exitCode: result.exitCode.map(Int.init),
                        truncated: out.count < result.stdout.count || err.count < result.stderr.count))
            }
        }
    }
}
