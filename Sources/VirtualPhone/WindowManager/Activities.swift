import Foundation
import Basics

/// The window manager: tasks and their back stacks, the foreground, launch, back and home.
extension VirtualPhone {
    var topTask: TaskRecord? { tasks.last }
    var topEntry: ActivityEntry? { tasks.last?.entries.last }

    public struct Foreground: Sendable, Equatable {
        public var package: String
        /// Full class name, e.g. com.android.settings.Settings.
        public var activity: String
        public var screen: String
    }

    /// The resumed activity.
    public var foreground: Foreground {
        guard let entry = topEntry else { return Foreground(package: Self.launcherPackage, activity: "", screen: "") }
        return Foreground(package: entry.package, activity: activityName(entry), screen: entry.screen)
    }

    func activityName(_ entry: ActivityEntry) -> String {
        guard let app = catalog.apps[entry.package] else { return "" }
        let activity = app.screen(entry.screen)?.activity ?? app.activity
        return Self.fullClass(activity, package: entry.package)
    }

    static func fullClass(_ activity: String, package: String) -> String {
        activity.hasPrefix(".") ? package + activity : activity
    }

    static func shortClass(_ full: String, package: String) -> String {
        full.hasPrefix(package + ".") ? String(full.dropFirst(package.count)) : full
    }

    func makeEntry(app: AppDefinition, screen: String, params: [String: JSON]) -> ActivityEntry {
        var entry = ActivityEntry(package: app.package, screen: screen, params: params, token: nextToken)
        nextToken += 1
        // First values of the screen's fields.
        if let def = app.screen(screen) {
            let ctx = context(for: entry, app: app)
            for widget in def.widgets where widget.type == .field {
                if let field = widget.field { entry.form[field] = widget.value.map { Template.render($0, ctx) } ?? "" }
            }
        }
        return entry
    }

    /// The template context of a screen: the app state plus `param`, `form`, bindings, `now`.
    func context(for entry: ActivityEntry, app: AppDefinition) -> JSON {
        var ctx = states[app.package]?.object ?? [:]
        ctx["param"] = .object(entry.params)
        ctx["form"] = .object(entry.form.mapValues { .string($0) })
        ctx["now"] = .number(now * 1000)
        ctx["package"] = .string(app.package)
        if let contacts = states["com.android.contacts"]?["contacts"]?.array {
            var names: [String: JSON] = [:]
            for c in contacts { if let p = c["phone"]?.text, let n = c["name"] { names[TaskCheck.normalized(p)] = n } }
            ctx["_names"] = .object(names)
        }
        let base = JSON.object(ctx)
        for (name, binding) in app.screen(entry.screen)?.bindings ?? [:] {
            let want = Template.render(binding.equals, base)
            let key = binding.key ?? "id"
            let found = base.value(at: binding.collection)?.array?.first { $0[key]?.text == want }
            ctx[name] = found ?? .null
        }
        return .object(ctx)
    }

    func bringToFront(_ index: Int) {
        let task = tasks.remove(at: index)
        tasks.append(task)
    }

    /// Opens an app as the launcher does: its task comes to the front, or a new task starts.
    @discardableResult
    public func launch(_ package: String) -> Bool {
        guard let app = catalog.apps[package], profile.apps.contains(package) || package == Self.launcherPackage else { return false }
        shadeOpen = false
        if let i = tasks.firstIndex(where: { $0.package == package }) {
            bringToFront(i)
            if package == Self.launcherPackage {
                tasks[tasks.count - 1].entries = Array(tasks[tasks.count - 1].entries.prefix(1))
            }
        } else {
            tasks.append(TaskRecord(id: nextTaskId, package: package, entries: [makeEntry(app: app, screen: app.launchScreen, params: [:])]))
            nextTaskId += 1
        }
        unfocus()
        changed()
        return true
    }

    /// Pushes a screen of an app onto its task (starting the task when needed).
    func push(package: String, screen: String, params: [String: JSON], replace: Bool = false) {
        guard let app = catalog.apps[package], app.screen(screen) != nil else {
            logger.warning("no such screen", metadata: ["package": "\(package)", "screen": "\(screen)"])
            return
        }
        let entry = makeEntry(app: app, screen: screen, params: params)
        if let i = tasks.lastIndex(where: { $0.package == package }) {
            bringToFront(i)
            if replace, tasks[tasks.count - 1].entries.count > 0 { tasks[tasks.count - 1].entries.removeLast() }
            tasks[tasks.count - 1].entries.append(entry)
        } else {
            tasks.append(TaskRecord(id: nextTaskId, package: package, entries: [entry]))
            nextTaskId += 1
        }
        changed()
    }

    func unfocus() {
        guard !tasks.isEmpty, !(tasks[tasks.count - 1].entries.isEmpty) else { return }
        let last = tasks[tasks.count - 1].entries.count - 1
        tasks[tasks.count - 1].entries[last].focus = nil
    }

    public func pressBack() {
        toast = nil
        defer { changed() }
        if shadeOpen { shadeOpen = false; return }
        if topEntry?.focus != nil { unfocus(); return }
        guard var task = tasks.popLast() else { return }
        if task.entries.count > 1 {
            task.entries.removeLast()
            tasks.append(task)
        } else if task.package == Self.launcherPackage {
            tasks.append(task)
        } else if let launcher = tasks.firstIndex(where: { $0.package == Self.launcherPackage }) {
            // Back from a task's root returns home, as on Android 12+.
            bringToFront(launcher)
            tasks.insert(task, at: 0)
        }
    }

    public func pressHome() {
        toast = nil
        shadeOpen = false
        unfocus()
        if let i = tasks.firstIndex(where: { $0.package == Self.launcherPackage }) {
            bringToFront(i)
            tasks[tasks.count - 1].entries = Array(tasks[tasks.count - 1].entries.prefix(1))
            let last = tasks.count - 1
            if !tasks[last].entries.isEmpty { tasks[last].entries[0].scroll = 0 }
        }
        changed()
    }
}
