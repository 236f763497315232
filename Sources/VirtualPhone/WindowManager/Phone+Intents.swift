import Foundation
import Basics

extension VirtualPhone {
    public enum StartResult: Sendable, Equatable {
        case started(package: String, activity: String)
        case broughtToFront(package: String, activity: String)
        case unresolved
        case noSuchActivity(String)
    }

    /// Starts an activity as `am start` does.
    public func start(_ intent: ReceivedIntent) -> StartResult {
        clockTicks += 1
        defer { flushSync() }
        if let component = intent.component {
            let parts = component.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, let app = catalog.apps[parts[0]], profile.apps.contains(parts[0]) else {
                return .noSuchActivity(component)
            }
            let activity = Self.fullClass(parts[1], package: app.package)
            if Self.fullClass(app.activity, package: app.package) == activity {
                let existed = tasks.contains { $0.package == app.package }
                launch(app.package)
                let fg = foreground
                if let params = intentParams(intent, filterParams: nil), !intent.extras.isEmpty, !existed {
                    _ = params
                }
                return existed ? .broughtToFront(package: fg.package, activity: fg.activity) : .started(package: fg.package, activity: fg.activity)
            }
            guard let screen = app.screens.first(where: { $0.activity.map { Self.fullClass($0, package: app.package) } == activity }) else {
                return .noSuchActivity(component)
            }
            push(package: app.package, screen: screen.id, params: intentParams(intent, filterParams: nil) ?? [:])
            return .started(package: app.package, activity: activity)
        }
        if intent.action == nil || intent.action == "android.intent.action.MAIN", intent.data == nil,
            let pkg = intent.package, catalog.apps[pkg] != nil, profile.apps.contains(pkg)
        {
            launch(pkg)
            return .started(package: foreground.package, activity: foreground.activity)
        }
        if intent.action == "android.intent.action.MAIN", intent.categories.contains("android.intent.category.HOME") {
            pressHome()
            return .started(package: foreground.package, activity: foreground.activity)
        }
        guard let (app, filter) = resolve(intent) else { return .unresolved }
        let params = intentParams(intent, filterParams: filter.params) ?? [:]
        if let actions = filter.actions {
            var ctx = states[app.package]?.object ?? [:]
            ctx["param"] = .object(params)
            ctx["now"] = .number(now * 1000)
            perform(actions, package: app.package, context: .object(ctx))
        }
        push(package: app.package, screen: filter.screen, params: params)
        return .started(package: app.package, activity: foreground.activity)
    }

    func resolve(_ intent: ReceivedIntent) -> (AppDefinition, IntentFilter)? {
        let scheme = intent.data.flatMap { d in d.firstIndex(of: ":").map { String(d[..<$0]).lowercased() } }
        let host = intent.data.flatMap { URLComponents(string: $0)?.host }
        for pkg in profile.apps {
            guard let app = catalog.apps[pkg] else { continue }
            if let p = intent.package, p != pkg { continue }
            for filter in app.intents ?? [] where filter.action == intent.action {
                if filter.scheme != scheme { continue }
                if let h = filter.host, h != host { continue }
                if filter.type != intent.type { continue }
                return (app, filter)
            }
        }
        return nil
    }

    func intentParams(_ intent: ReceivedIntent, filterParams: [String: String]?) -> [String: JSON]? {
        // Extras by full key and by their last dotted part (android.intent.extra.alarm.HOUR → HOUR),
        // since template paths split at dots.
        var extras = intent.extras
        for (k, v) in intent.extras { if let last = k.split(separator: ".").last { extras[String(last)] = v } }
        var ctx: [String: JSON] = ["extra": .object(extras)]
        if let data = intent.data {
            ctx["data"] = .string(data)
            if let colon = data.firstIndex(of: ":") {
                var ssp = String(data[data.index(after: colon)...])
                if let q = ssp.firstIndex(of: "?") { ssp = String(ssp[..<q]) }
                ctx["ssp"] = .string(ssp.removingPercentEncoding ?? ssp)
            }
            if let c = URLComponents(string: data) {
                ctx["host"] = .string(c.host ?? "")
                ctx["path"] = .string(c.path)
                for item in c.queryItems ?? [] { ctx["query_" + item.name] = .string(item.value ?? "") }
            }
        }
        if let t = intent.type { ctx["type"] = .string(t) }
        guard let filterParams else { return intent.extras }
        let context = JSON.object(ctx)
        return filterParams.mapValues { Template.value(.string($0), context) }
    }
}
