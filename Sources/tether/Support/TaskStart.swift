import ADB
import VirtualPhone
import Basics

/// Before `tether run --task ID` takes its first step: the phone must be in the task's initial
/// state, or the check could pass on work never done (a phone that was not started with
/// `--task`, or one where the task was already done). Refuses with what to do instead.
enum TaskStart {
    static func verify(_ task: TaskDefinition, on target: some ADBTarget) async throws {
        let restart = "start the virtual phone for this task with `tether vphone --task \(task.id)`"
        // A seeded task must be given as its instance (`instance(seed:)`), with the seed the phone was served with.
        guard task.params.isEmpty else {
            throw CommandFailure(description: "task \(task.id) has seeded parameters ({{…}}) and was given without a seed; use its instance for the seed the phone was served with (`tether vphone serve --task \(task.id) --seed N`, `tether vphone solve \(task.id) --seed N`)")
        }
        var states: [String: JSON] = [:]
        for package in task.apps {
            let result = try await target.shell("cat /data/data/\(package)/state.json")
            guard result.exitCode == 0 || result.exitCode == nil, let state = try? JSON.parse(result.stdout) else {
                throw CommandFailure(description: "--task \(task.id) is checked on a virtual phone (tether vphone), and this phone has no state for \(package); run the task without --task on a real phone")
            }
            states[package] = state
        }
        for (package, setup) in (task.setup ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let state = states[package] else {
                throw CommandFailure(description: "--task \(task.id) sets up \(package), which the task does not list among its apps; fix the task definition")
            }
            if let path = firstDifference(expected: setup, in: state, path: "") {
                let have = (path.isEmpty ? state : state.value(at: path))?.description ?? "nothing"
                throw CommandFailure(description: "this phone is not in the initial state of task \(task.id): \(package) \(path.isEmpty ? "state" : path) is \(have), the task starts from \((path.isEmpty ? setup : setup.value(at: path))?.description ?? "?"); \(restart)")
            }
        }
        let before = task.check.evaluate(states)
        if before.passed {
            throw CommandFailure(description: "the check of task \(task.id) already passes before the first step, so a run could not show the work was done; \(restart)")
        }
    }

    /// The first path where `state` does not hold what `expected` (a partial state) says; nil
    /// when it holds all of it.
    static func firstDifference(expected: JSON, in state: JSON?, path: String) -> String? {
        if let object = expected.object {
            for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                let sub = path.isEmpty ? key : path + "." + key
                if let difference = firstDifference(expected: value, in: state?[key], path: sub) { return difference }
            }
            return nil
        }
        guard let state, state.looselyEquals(expected) else { return path }
        return nil
    }
}
