import Foundation
import Basics

extension VirtualPhone {
    /// `pm clear`: the app's first state again (with the seed's filler).
    func clearApp(_ package: String) -> Bool {
        guard let app = catalog.apps[package], profile.apps.contains(package) else { return false }
        var state = app.state
        var rng = SplitMix64(seed: seed &+ 0x9E37_79B9)
        _ = rng.next(); _ = rng.next()
        for filler in app.filler ?? [] { Self.fill(&state, filler, rng: &rng) }
        states[package] = state
        dirty.insert(package)
        forceStop(package)
        return true
    }

    func forceStop(_ package: String) {
        guard package != Self.launcherPackage else { return }
        tasks.removeAll { $0.package == package }
        if tasks.isEmpty || tasks.last?.package != Self.launcherPackage, let i = tasks.firstIndex(where: { $0.package == Self.launcherPackage }), tasks.count == 1 || topTask == nil {
            bringToFront(i)
        }
        changed()
    }
}
