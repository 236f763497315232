import Foundation

extension VirtualPhone {
    func perform(_ actions: [Action], package: String, context: JSON) {
        clockTicks += 1
        for action in actions {
            if let required = action.require, let entry = topEntry {
                for field in required where (entry.form[field] ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                    toast = "Enter \(field.replacingOccurrences(of: "_", with: " "))"
                    changed()
                    return
                }
            }
            if let screen = action.navigate {
                let params = (action.params ?? [:]).mapValues { Template.value(.string($0), context) }
                push(package: package, screen: screen, params: params, replace: action.replace ?? false)
            }
            if action.back == true { pressBack() }
            if action.home == true { pressHome() }
            if let p = action.set {
                let path = StatePath(Template.render(p, context))
                states[package, default: .object([:])].set(Template.value(action.value ?? .null, context), at: path)
                dirty.insert(package)
            }
            if let p = action.toggle {
                let path = StatePath(Template.render(p, context))
                let on = states[package]?.value(at: path)?.truthy ?? false
                states[package, default: .object([:])].set(.bool(!on), at: path)
                dirty.insert(package)
            }
            if let p = action.append {
                let path = StatePath(Template.render(p, context))
                var items = states[package]?.value(at: path)?.arrayValue ?? []
                var item = (action.item ?? [:]).mapValues { Template.value($0, context) }
                if item["id"] == nil {
                    item["id"] = .number((items.compactMap { $0["id"]?.numberValue }.max() ?? 0) + 1)
                }
                items.append(.object(item))
                states[package, default: .object([:])].set(.array(items), at: path)
                dirty.insert(package)
            }
            if let p = action.update {
                let path = StatePath(Template.render(p, context))
                if let existing = states[package]?.value(at: path) {
                    let fields = JSON.object((action.item ?? [:]).mapValues { Template.value($0, context) })
                    states[package]?.set(existing.merged(with: fields), at: path)
                    dirty.insert(package)
                }
            }
            if let p = action.remove {
                states[package]?.set(nil, at: StatePath(Template.render(p, context)))
                dirty.insert(package)
            }
            if let p = action.clear {
                states[package, default: .object([:])].set(.array([]), at: StatePath(Template.render(p, context)))
                dirty.insert(package)
            }
            if let pkg = action.launch { launch(Template.render(pkg, context)) }
            if let t = action.toast { toast = Template.render(t, context) }
            if let spec = action.intent {
                var intent = ReceivedIntent()
                intent.action = spec.action.map { Template.render($0, context) }
                intent.data = spec.data.map { Template.render($0, context) }
                intent.type = spec.type
                intent.component = spec.component
                intent.extras = (spec.extras ?? [:]).mapValues { Template.value(.string($0), context) }
                _ = start(intent)
            }
            if action.resetForm == true, !tasks.isEmpty, let last = tasks.last?.entries.indices.last {
                for key in tasks[tasks.count - 1].entries[last].form.keys { tasks[tasks.count - 1].entries[last].form[key] = "" }
            }
        }
        changed()
    }
}
