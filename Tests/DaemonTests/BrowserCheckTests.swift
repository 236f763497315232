import AsyncHTTPClient
import Basics
import Foundation
import PhoneRig
import TetherTestSupport
import Testing

/// The web view in a real browser: a real `tetherd` with a virtual phone, and Scripts/browser-check
/// driving Debian's headless Chromium through chromedriver (Python selenium from the peers'
/// environment). Screenshots of the pages go to $TETHER_BROWSER_SHOTS when it is set.
@Suite(.serialized) struct BrowserCheckTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let hasChromium =
        FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")

    @Test(.enabled(if: hasChromium, "needs /usr/bin/chromium and /usr/bin/chromedriver (Scripts/bootstrap)"))
    func aPersonSignsInDrivesThePhoneAndAnswersAJobsQuestion() async throws {
        let venv = try await Self.run([Self.repository.appendingPathComponent("Scripts/peer-venv").path], timeout: .seconds(900))
        #expect(venv.status == 0, "Scripts/peer-venv: \(venv.stderrText)")
        let python = venv.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        let scratch = TemporaryDirectory()
        let state = scratch.url.appendingPathComponent("state")
        let shots = ProcessInfo.processInfo.environment["TETHER_BROWSER_SHOTS"] ?? scratch.url.appendingPathComponent("shots").path
        try await withPhoneRig { rig in
            let serial = "127.0.0.1:\(rig.port)"
            let port = try freePort()
            let daemon = try DaemonProcess(
                ["--state-dir", state.path, "--listen", "127.0.0.1:\(port)", "--device", serial],
                log: scratch.url.appendingPathComponent("tetherd.log"))
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                let api = try await RestartTests.client(http: http, port: port, state: state)
                try await api.waitForDevice(serial)
                let settings = try #require(try await rig.phone.uiHierarchy().find("Settings"), "the home screen shows Settings")
                #expect(try await rig.phone.foregroundApp()?.package != "com.android.settings")
                func check(_ phase: String, _ extra: [String] = []) async throws {
                    let result = try await Self.run(
                        [
                            python, Self.repository.appendingPathComponent("Scripts/browser-check").path,
                            "--url", "http://127.0.0.1:\(port)", "--token", api.token, "--serial", serial,
                            "--phase", phase, "--shots", shots
                        ] + extra,
                        timeout: .seconds(300))
                    #expect(result.status == 0, "browser-check \(phase):\n\(result.stdoutText)\(result.stderrText)")
                }

                // Sign in, watch the phone, click the Settings icon on its live screen.
                let center = settings.bounds.center
                try await check("live", ["--tap", "\(center.x),\(center.y)"])
                let inFront = try await eventually(timeout: .seconds(10)) {
                    try await rig.phone.foregroundApp()?.package == "com.android.settings"
                }
                #expect(inFront, "Settings is in front on the phone after the click")

                // The phone turned a quarter, its lock screen showing (laid out landscape): the
                // page shows it wider than tall, and a drag upwards on it unlocks the phone.
                await rig.device.setRotation(1)
                await rig.device.sleep()
                await rig.device.wakeUp()
                #expect(await rig.device.keyguardShowing)
                try await check("rotated")
                let unlocked = try await eventually(timeout: .seconds(10)) { await !rig.device.keyguardShowing }
                #expect(unlocked, "the drag on the landscape screen swiped the lock screen away")
                await rig.device.setRotation(0)

                // A scripted job whose sensitive tap waits for the Confirm button.
                try await check("job")
                let jobs = try await api.call(.GET, "/v1/jobs").array ?? []
                #expect(jobs.compactMap { $0["status"] as? String } == ["succeeded", "succeeded"], "\(jobs)")
                var answers: [[String]] = []
                for job in jobs {
                    let questions = try await api.call(.GET, "/v1/jobs/\(job["id"] as? String ?? "")/questions").array ?? []
                    answers.append(questions.map { "\($0["kind"] as? String ?? ""): \($0["answer"] as? String ?? "")" })
                }
                #expect(answers == [["confirm: yes"], ["take_over: done", "interact: Alice Wu"]], "answered through the page's buttons")

                // Without the token: the sign-in page, and 401 from the API.
                try await check("signin")
                await daemon.kill(SIGTERM)
                try await http.shutdown()
            } catch {
                await daemon.kill(SIGKILL)
                try? await http.shutdown()
                throw error
            }
        }
    }

    /// Runs a child process on its own thread, so the test's tasks keep running meanwhile.
    static func run(_ argv: [String], timeout: Duration) async throws -> ChildProcess.Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { () throws(ChildProcessError) in try ChildProcess.run(argv, timeout: timeout) })
            }.start()
        }
    }
}
