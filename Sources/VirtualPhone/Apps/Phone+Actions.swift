import Foundation
import Basics

extension VirtualPhone {
    /// Runs an app's actions in order over the screen's context (templates are filled from it).
    func perform(_ actions: [Action], package: String, context: JSON) {
        clockTicks += 1
        for action in actions {
            if case .require(let fields) = action, let entry = topEntry,
                let empty = fields.first(where: { (entry.form[$0] ?? "").trimmingCharacters(in: .whitespaces).isEmpty })
            {
                toast = "Enter \(empty.replacingOccurrences(of: "_", with: " "))"
                changed()
                return
            }
            perform(action, package: package, context: context)
        }
        changed()
    }

    func perform(_ action: Action, package: String, context: JSON) {
        func path(_ template: String) -> StatePath { StatePath(Template.render(template, context)) }
        func filled(_ item: [String: JSON]) -> [String: JSON] { item.mapValues { Template.value($0, context) } }
        switch action {
        case .require:
            break  // checked in the loop of `perform(_:package:context:)`, where it can stop the rest
        case .navigate(let screen, let params, let replace):
            push(package: package, screen: screen, params: params.mapValues { Template.value(.string($0), context) }, replace: replace)
        case .back: pressBack()
        case .home: pressHome()
        case .set(let p, let value):
            states[package, default: .object([:])].set(Template.value(value, context), at: path(p))
            dirty.insert(package)
        case .toggle(let p):
            let on = states[package]?.value(at: path(p))?.truthy ?? false
            states[package, default: .object([:])].set(.bool(!on), at: path(p))
            dirty.insert(package)
        case .append(let p, let template):
            var items = states[package]?.value(at: path(p))?.array ?? []
            var item = filled(template)
            if item["id"] == nil {
                item["id"] = .number((items.compactMap { $0["id"]?.numberValue }.max() ?? 0) + 1)
            }
            items.append(.object(item))
            states[package, default: .object([:])].set(.array(items), at: path(p))
            dirty.insert(package)
        case .update(let p, let fields):
            if let existing = states[package]?.value(at: path(p)) {
                states[package]?.set(existing.merged(with: .object(filled(fields))), at: path(p))
                dirty.insert(package)
            }
        case .remove(let p):
            states[package]?.set(nil, at: path(p))
            dirty.insert(package)
        case .clear(let p):
            states[package, default: .object([:])].set(.array([]), at: path(p))
            dirty.insert(package)
        case .launch(let pkg): launch(Template.render(pkg, context))
        case .toast(let t): toast = Template.render(t, context)
        case .intent(let spec):
            var intent = ReceivedIntent()
            intent.action = spec.action.map { Template.render($0, context) }
            intent.data = spec.data.map { Template.render($0, context) }
            intent.type = spec.type
            intent.component = spec.component
            intent.extras = (spec.extras ?? [:]).mapValues { Template.value(.string($0), context) }
            _ = start(intent)
        case .resetForm:
            if !tasks.isEmpty, let last = tasks.last?.entries.indices.last {
                for key in tasks[tasks.count - 1].entries[last].form.keys { tasks[tasks.count - 1].entries[last].form[key] = "" }
            }
        }
    }
}
