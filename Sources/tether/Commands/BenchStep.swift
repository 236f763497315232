import Basics
import Trajectory
import ADB
import AndroidPhone
import ArgumentParser
import Foundation
import VirtualPhone

/// `tether bench step`: the device half of one agent step on a virtual phone, done by Tether and
/// done the reference agent's way (a new `adb` process per command). Run by Scripts/bench-step.
extension BenchCommand {
    struct Step: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "step",
            abstract: "Benchmark screenshot, tap and typing: Tether vs one adb process per command (Scripts/bench-step).")

        @Option(help: "Timed runs of each operation (after one warm-up).")
        var runs: Int = 15

        @Option(help: "Virtual phone profile.")
        var profile: String = "pixel-7"

        @Option(help: "The adb binary for the reference way.")
        var adb: String = "/usr/bin/adb"

        @Option(help: "The Python that runs the reference agent's way (needs Pillow).")
        var python: String = "python3"

        @Option(help: "The reference agent's device code (Scripts/reference_agent_step.py).")
        var referenceScript: String = "Scripts/reference_agent_step.py"

        @Option(help: "Measure only these operations (comma-separated: screenshot, tap, type, settle).")
        var only: String = "screenshot,tap,type,settle"

        func validate() throws {
            guard runs >= 3 else { throw ValidationError("--runs must be at least 3") }
            let unknown = operations.subtracting(["screenshot", "tap", "type", "settle"])
            guard unknown.isEmpty else { throw ValidationError("unknown operation \(unknown.sorted().joined(separator: ", ")) in --only") }
        }

        var operations: Set<String> { Set(only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }

        static let text = "你好世界🙂Tether测试ünïcödé!"  // 20 characters

        func run() async throws {
            let catalog = try DeviceCatalog.load(from: try DeviceCatalog.locate())
            let server = try await VirtualPhoneServer.start(catalog: catalog, options: .init(profile: profile, seed: 1, port: try freeLoopbackPort()))
            let serial = server.serial
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tether-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            let adb = ReferenceADB(binary: self.adb, home: scratch.path, serverPort: try freeLoopbackPort())
            defer {
                adb.run(["kill-server"])
                try? FileManager.default.removeItem(at: scratch)
            }

            let connection = try await ADBHost.connect(transport: try await TCPPacketTransport.connect(host: "127.0.0.1", port: server.port), keys: nil)
            let phone = Phone(target: connection)
            FileHandle.standardError.write(Data("bench-step: adb connect \(serial)\n".utf8))
            _ = adb.run(["connect", serial])
            guard adb.run(["-s", serial, "shell", "true"]).status == 0 else {
                throw CommandFailure(description: "the reference adb cannot reach the virtual phone at \(serial)")
            }
            // A focused text field for typing: the new-contact form's Name.
            try await phone.start(Intent(action: "android.intent.action.INSERT", mimeType: "vnd.android.cursor.dir/contact"))
            if let name = try await phone.uiHierarchy().find("Name") { try await phone.tap(x: name.bounds.center.x, y: name.bounds.center.y) }
            let display = try await phone.display()
            let (tx, ty) = (display.width / 2, 40)  // the status bar: taps there change nothing

            var rows: [(String, [Double], [Double])] = []

            // Each operation by Tether, then right away the reference agent's way in its own runtime
            // (CPython, an adb process per command), so that both meet the phone in the same state:
            // (a) a screenshot to an RGBA image ready for the model, (b) one tap, (c) typing 20
            // Unicode characters.
            func reference(_ operation: String) throws -> [Double] {
                try adb.runReference(
                    python: python, script: referenceScript, serial: serial, runs: runs,
                    tap: (tx, ty), text: Self.text, only: operation)
            }
            if operations.contains("screenshot") {
                let tetherShot = try await measure { _ = try await phone.screenshot() }
                rows.append(("screenshot → RGBA (\(display.width)x\(display.height))", tetherShot, try reference("screenshot")))
            }
            if operations.contains("tap") {
                let tetherTap = try await measure { try await phone.tap(x: tx, y: ty) }
                rows.append(("tap", tetherTap, try reference("tap")))
            }
            var typing: (tether: [Double], reference: [Double])?
            if operations.contains("type") {
                let tetherType = try await measure { try await phone.type(Self.text) }
                let referenceType = try reference("type")
                rows.append(("type 20 Unicode characters", tetherType, referenceType))
                typing = (tetherType, referenceType)
            }

            // Settling: the wait for a still screen before a step's screenshot (two frames that
            // agree) — alone, and after a tap that changes nothing, against the reference's fixed 1 s
            // after a tap.
            var settle: (still: [Double], afterTap: [Double], frames: Int)?
            if operations.contains("settle") {
                var frames = 0
                let still = try await measure { frames = try await phone.waitUntilSettled().frames }
                let afterTap = try await measure {
                    try await phone.tap(x: tx, y: ty)
                    _ = try await phone.waitUntilSettled()
                }
                settle = (still, afterTap, frames)
            }

            // For the record: a stream per command instead of the persistent shell.
            var streams = Phone.Configuration()
            streams.usePersistentShell = false
            let perStream = Phone(target: connection, configuration: streams)
            let tetherTapStreams = operations.contains("tap") ? try await measure { try await perStream.tap(x: tx, y: ty) } : []

            await perStream.close()
            await phone.close()
            await connection.close()
            await server.stop()

            say("bench-step: virtual phone \(profile) (\(display.width)x\(display.height)), \(runs) runs each after a warm-up; medians")
            say("")
            say(pad("operation", 40) + pad("Tether", 12) + pad("reference agent", 18) + "ratio")
            for (name, tether, reference) in rows {
                let t = median(tether), r = median(reference)
                say(pad(name, 40) + pad(ms(t), 12) + pad(ms(r), 18) + String(format: "%.1f×", r / t))
            }
            say("reference agent: Scripts/reference_agent_step.py in CPython, an adb process per command (subprocess.run), Pillow")
            say("")
            if !tetherTapStreams.isEmpty {
                say("tap through a stream per command instead of the persistent shell: \(ms(median(tetherTapStreams)))")
            }
            if let typing {
                let sleeps = 4.0
                say(
                    String(
                        format: "type counting the reference's 4 × 1 s sleeps: Tether %@ vs %@, %.1f×", ms(median(typing.tether)),
                        ms(median(typing.reference) + sleeps), (median(typing.reference) + sleeps) / median(typing.tether)))
            }
            if let settle {
                let referenceTap = median(rows.first { $0.0 == "tap" }?.2 ?? [0]) + 1
                say("settle on a still screen (\(settle.frames) frames): \(ms(median(settle.still)))")
                say(
                    String(
                        format: "tap + settle: Tether %@ vs the reference's tap + fixed 1 s sleep %@, %.1f×",
                        ms(median(settle.afterTap)), ms(referenceTap), referenceTap / median(settle.afterTap)))
            }
            say("the reference agent also sleeps 1 s after every action and 4 × 1 s while typing; not counted above")
        }

        func measure(_ body: () async throws -> Void) async throws -> [Double] {
            FileHandle.standardError.write(Data(".".utf8))
            try await body()  // warm-up
            var out: [Double] = []
            let clock = ContinuousClock()
            for _ in 0..<runs {
                let start = clock.now
                try await body()
                out.append((clock.now - start) / .seconds(1))
            }
            return out
        }

        func median(_ xs: [Double]) -> Double {
            let s = xs.sorted()
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }

        func ms(_ seconds: Double) -> String { String(format: seconds < 0.01 ? "%.2f ms" : "%.1f ms", seconds * 1000) }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
    }
}

/// The real adb client with a private server port and HOME, so no one else's server is touched.
struct ReferenceADB {
    let binary: String
    let home: String
    let serverPort: Int

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs adb to completion with posix_spawn and waitpid (no pipes: the adb server it may fork
    /// would hold them open), output to a file.
    @discardableResult
    func run(_ arguments: [String]) -> Result {
        spawn([binary] + arguments)
    }

    /// Runs Scripts/reference_agent_step.py for one operation with this adb and its private
    /// server; the seconds of each run.
    func runReference(
        python: String, script: String, serial: String, runs: Int, tap: (Int, Int), text: String,
        only operation: String
    ) throws -> [Double] {
        guard FileManager.default.fileExists(atPath: script) else {
            throw CommandFailure(description: "no \(script): run from the repository (Scripts/bench-step does)")
        }
        let result = spawn(
            [
                python, script, "--adb", binary, "--serial", serial, "--runs", String(runs),
                "--tap", String(tap.0), String(tap.1), "--text", text, "--only", operation
            ], separateStderr: true)
        guard result.status == 0, let data = result.stdout.data(using: .utf8),
            let timings = try? JSONDecoder().decode([String: [Double]].self, from: data), let times = timings[operation]
        else {
            throw CommandFailure(description: "the reference agent's \(operation) failed (\(result.status)): \(result.stdout.suffix(2000)) \(result.stderr.suffix(2000))")
        }
        return times
    }

    /// Runs a program with this adb's private server (see `ChildProcess`).
    func spawn(_ argv: [String], separateStderr: Bool = false) -> Result {
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = home
        env["ANDROID_ADB_SERVER_PORT"] = String(serverPort)
        env["ADB_MDNS"] = "0"
        env.removeValue(forKey: "ANDROID_SERIAL")
        do {
            let result = try ChildProcess.run(argv, environment: env, stderr: separateStderr ? .separate : .mergedIntoStdout)
            return Result(status: result.status, stdout: result.stdoutText, stderr: result.stderrText)
        } catch {
            return Result(status: -1, stdout: "\(error)", stderr: "")
        }
    }

    func check(_ arguments: [String]) throws {
        let result = run(arguments)
        guard result.status == 0 else {
            throw CommandFailure(description: "adb \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stdout)")
        }
    }
}
