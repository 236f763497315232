import Foundation

/// The phone's side of the shell commands: pure text answers computed inside the actor.
extension VirtualPhone {
    static func hash(_ n: Int) -> String { String(format: "%07x", (UInt64(n) &* 2_654_435_761) & 0xfff_ffff) }

    func record(_ entry: ActivityEntry, task: TaskRecord) -> String {
        let full = activityName(entry)
        return "ActivityRecord{\(Self.hash(entry.token + 7)) u0 \(entry.package)/\(Self.shortClass(full, package: entry.package)) t\(task.id)}"
    }

    func dumpsysWindow() -> String {
        var out = "WINDOW MANAGER WINDOWS (dumpsys window windows)\n"
        var index = 0
        func window(_ name: String, token: Int) -> String { "Window{\(Self.hash(token + 1000)) u0 \(name)}" }
        if shadeOpen {
            out += "  Window #\(index) \(window("NotificationShade", token: 1)):\n    mDisplayId=0 rootTaskId=1 mSession=Session{a1 1234:u0a10050} mClient=android.os.BinderProxy@1\n"
            index += 1
        }
        for task in tasks.reversed() {
            for entry in task.entries.reversed() {
                out += "  Window #\(index) \(window("\(entry.package)/\(activityName(entry))", token: entry.token)):\n"
                out += "    mDisplayId=0 rootTaskId=\(task.id) mSession=Session{\(Self.hash(task.id)) \(1000 + task.id):u0a\(10000 + task.id)} mClient=android.os.BinderProxy@\(Self.hash(entry.token))\n"
                index += 1
            }
        }
        out += "\n  mGlobalConfiguration={1.0 ?mcc?mnc [en_US] ldltr sw\(Int(Double(profile.width) / scale))dp w\(Int(Double(profile.width) / scale))dp h\(Int(Double(profile.height) / scale))dp \(profile.density)dpi nrml long port finger -keyb/v/h -nav/h winConfig={ mBounds=Rect(0, 0 - \(profile.width), \(profile.height)) mAppBounds=Rect(0, 0 - \(profile.width), \(profile.height)) mMaxBounds=Rect(0, 0 - \(profile.width), \(profile.height)) mWindowingMode=fullscreen mDisplayWindowingMode=fullscreen mActivityType=undefined mAlwaysOnTop=undefined mRotation=ROTATION_0} s.1 fontWeightAdjustment=0}\n"
        out += "  mHasPermanentDpad=false\n  mTopFocusedDisplayId=0\n"
        if let entry = topEntry, let task = topTask {
            // The lock screen lives in the notification shade's window (Android 12+).
            let overlay = shadeOpen || keyguardShowing
            let focusName = overlay ? "NotificationShade" : "\(entry.package)/\(activityName(entry))"
            out += "  mCurrentFocus=\(window(focusName, token: overlay ? 1 : entry.token))\n"
            out += "  mFocusedApp=\(record(entry, task: task))\n"
        }
        out += "  mInputMethodWindow=\(topEntry?.focus != nil ? window("InputMethod", token: 2) : "null")\n"
        out += "  mDisplayFrozen=false\n  mRotation=\(rotation)\n"
        return out
    }

    func dumpsysActivities() -> String {
        var out = "ACTIVITY MANAGER ACTIVITIES (dumpsys activity activities)\nDisplay #0 (activities from top to bottom):\n"
        for task in tasks.reversed() {
            let type = task.package == Self.launcherPackage ? "home" : "standard"
            out += "  * Task{\(Self.hash(task.id + 500)) #\(task.id) type=\(type) A=\(10000 + task.id):\(task.package) U=0 visible=\(task.id == topTask?.id) mode=fullscreen translucent=false sz=\(task.entries.count)}\n"
            out += "    mLastPausedActivity: null\n"
            for (i, entry) in task.entries.enumerated().reversed() {
                out += "    * Hist #\(i): \(record(entry, task: task))\n"
                out += "      packageName=\(entry.package) processName=\(entry.package)\n"
                out += "      intent={act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] flg=0x10200000 cmp=\(entry.package)/\(Self.shortClass(activityName(entry), package: entry.package))}\n"
            }
        }
        if let entry = topEntry, let task = topTask {
            let r = record(entry, task: task)
            out += "\n  ResumedActivity: \(r)\n  mResumedActivity: \(r)\n  mFocusedApp=\(r)\n\n  mLastPausedActivity: null\n topResumedActivity=\(r)\n"
        }
        out += "\n  KeyguardController:\n    mKeyguardShowing=\(keyguardShowing)\n    mAodShowing=false\n    mKeyguardGoingAway=false\n    mDismissalRequested=false\n"
        return out
    }

    /// `dumpsys activity broadcasts [PACKAGE]`: the registered receivers, as
    /// ActivityManagerService lists them (ADB Keyboard's once its input view exists).
    func dumpsysBroadcasts(package: String?) -> String {
        // As AMS prints it: the header only when some receiver matches the package filter.
        var out = "ACTIVITY MANAGER BROADCAST STATE (dumpsys activity broadcasts)\n"
        if adbKeyboardListening, package == nil || package == "com.android.adbkeyboard" {
            out += "\n  Registered Receivers:\n"
            let list = "ReceiverList{\(Self.hash(41)) 4242 com.android.adbkeyboard/10142/u0 remote:\(Self.hash(42))}"
            out += "  * \(list)\n    app=4242:com.android.adbkeyboard/u0a142 pid=4242 uid=10142 user=0\n"
            out += "    Filter #0: BroadcastFilter{\(Self.hash(43)) 10142/u0 \(list)}\n"
            for action in ["ADB_INPUT_TEXT", "ADB_INPUT_CHARS", "ADB_INPUT_CODE", "ADB_INPUT_MCODE", "ADB_EDITOR_CODE", "ADB_INPUT_B64"] {
                out += "      Action: \"\(action)\"\n"
            }
        }
        return out
    }

    func dumpsysActivityTop() -> String {
        guard let entry = topEntry, let task = topTask else { return "" }
        return "TASK \(task.package) id=\(task.id) userId=0\n  ACTIVITY \(entry.package)/\(Self.shortClass(activityName(entry), package: entry.package)) \(Self.hash(entry.token + 7)) pid=\(2000 + task.id)\n    Local Activity \(Self.hash(entry.token)) State:\n      mResumed=true mStopped=false mFinished=false\n"
    }

    func dumpsysDisplay() -> String {
        let (w, h) = rotation % 2 == 0 ? (profile.width, profile.height) : (profile.height, profile.width)
        return "DISPLAY MANAGER (dumpsys display)\n  mViewports=[DisplayViewport{type=INTERNAL, valid=true, isActive=true, displayId=0, uniqueId='local:0', physicalPort=0, orientation=\(rotation), logicalFrame=Rect(0, 0 - \(w), \(h)), physicalFrame=Rect(0, 0 - \(profile.width), \(profile.height)), deviceWidth=\(profile.width), deviceHeight=\(profile.height)}]\n  mDefaultDisplayDensity=\(profile.density)\n"
    }

    var properties: [String: String] {
        var p = profile.properties
        p["ro.serialno"] = serialNumber
        p["ro.sf.lcd_density"] = String(profile.density)
        p["sys.boot_completed"] = "1"
        p["ro.kernel.qemu"] = p["ro.kernel.qemu"] ?? "0"
        p["persist.sys.timezone"] = "UTC"
        return p.merging(propertyOverrides) { _, new in new }
    }

    /// `setprop KEY VALUE`; an empty value removes the property, as on Android.
    func setProperty(_ key: String, _ value: String) {
        propertyOverrides[key] = value.isEmpty ? nil : value
    }

    /// Content provider rows for `content query`: nil when the URI is unknown.
    func contentRows(_ uri: String) -> [[(String, String)]]? {
        let contacts = states["com.android.contacts"]?["contacts"]?.arrayValue ?? []
        let messages = states["com.android.messaging"]?["messages"]?.arrayValue ?? []
        func contactRow(_ c: JSON, phones: Bool) -> [(String, String)] {
            var row: [(String, String)] = [("_id", c["id"]?.text ?? ""), ("display_name", c["name"]?.text ?? "")]
            if phones {
                row += [("number", c["phone"]?.text ?? ""), ("data1", c["phone"]?.text ?? ""), ("contact_id", c["id"]?.text ?? "")]
            } else {
                row += [("has_phone_number", (c["phone"]?.text.isEmpty ?? true) ? "0" : "1")]
            }
            return row
        }
        var threads: [String: Int] = [:]
        func smsRow(_ m: JSON) -> [(String, String)] {
            let address = m["address"]?.text ?? ""
            let key = TaskCheck.normalized(address)
            if threads[key] == nil { threads[key] = threads.count + 1 }
            let type = m["type"]?.text == "sent" ? "2" : "1"
            return [("_id", m["id"]?.text ?? ""), ("thread_id", String(threads[key] ?? 0)), ("address", address),
                    ("date", m["date"]?.text ?? "0"), ("read", (m["read"]?.truthy ?? true) ? "1" : "0"), ("type", type),
                    ("body", m["body"]?.text ?? "")]
        }
        let base = uri.split(separator: "?").first.map(String.init) ?? uri
        switch base {
        case "content://com.android.contacts/contacts", "content://contacts/people":
            return contacts.map { contactRow($0, phones: false) }
        case "content://com.android.contacts/data/phones", "content://contacts/phones", "content://com.android.contacts/data":
            return contacts.map { contactRow($0, phones: true) }
        case "content://sms", "content://sms/inbox", "content://sms/sent":
            let all = messages.map(smsRow)
            if base.hasSuffix("inbox") { return all.filter { $0.first { $0.0 == "type" }?.1 == "1" } }
            if base.hasSuffix("sent") { return all.filter { $0.first { $0.0 == "type" }?.1 == "2" } }
            return all
        case "content://settings/system", "content://settings/secure", "content://settings/global":
            let ns = String(base.dropFirst("content://settings/".count))
            var keys = Set(settings[ns]?.keys.map { $0 } ?? [])
            switch ns {
            case "global": keys.formUnion(["wifi_on", "bluetooth_on", "airplane_mode_on"])
            case "secure": keys.insert("ui_night_mode")
            default: keys.insert("screen_brightness")
            }
            return keys.sorted().enumerated().map { i, k in [("_id", String(i + 1)), ("name", k), ("value", setting(ns, k) ?? "NULL")] }
        default:
            return nil
        }
    }

    /// `pm clear`: the app's first state again (with the seed's filler).
    func clearApp(_ package: String) -> Bool {
        guard let app = catalog.apps[package], profile.apps.contains(package) else { return false }
        var state = app.state
        var rng = SeededGenerator(seed: seed &+ 0x9E37_79B9)
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

    /// `ime enable|disable|set`.
    func imeCommand(_ verb: String, _ id: String) -> (String, Int32) {
        let short = Self.shortIME(id)
        guard installedIMEs.contains(short) else {
            return verb == "set" ? ("Unknown input method \(id) cannot be selected for user #0\n", 255)
                : ("Unknown input method \(id) cannot be enabled for user #0\n", 255)
        }
        switch verb {
        case "enable":
            if enabledIMEs.contains(short) { return ("Input method \(id): already enabled for user #0\n", 0) }
            enabledIMEs.append(short)
            settings["secure"]?["enabled_input_methods"] = enabledIMEs.joined(separator: ":")
            return ("Input method \(id): now enabled for user #0\n", 0)
        case "disable":
            enabledIMEs.removeAll { $0 == short }
            settings["secure"]?["enabled_input_methods"] = enabledIMEs.joined(separator: ":")
            if currentIME == short { currentIME = enabledIMEs.first ?? Self.latinIME }
            changed()
            return ("Input method \(id): now disabled for user #0\n", 0)
        default:
            guard enabledIMEs.contains(short) else { return ("Unknown input method \(id) cannot be selected for user #0\n", 255) }
            if currentIME != short { imeSelectedAt = uptime }
            currentIME = short
            settings["secure"]?["default_input_method"] = id
            changed()
            return ("Input method \(id) selected for user #0\n", 0)
        }
    }

    func imeList(all: Bool) -> [String] { all ? installedIMEs : enabledIMEs }

    func imeReset() -> String {
        enabledIMEs = [Self.latinIME]
        currentIME = Self.latinIME
        settings["secure"]?["default_input_method"] = Self.latinIME
        changed()
        return "Reset current and enabled IMEs for user #0\n  Selected: \(Self.latinIME)\n"
    }

    // Input from shell commands (injected: getevent does not see them, as on a real phone).
    func injectTap(x: Int, y: Int) { gesture(fromX: x, fromY: y, toX: x, toY: y, duration: 0.05) }
    func injectSwipe(_ x1: Int, _ y1: Int, _ x2: Int, _ y2: Int, milliseconds: Int) {
        gesture(fromX: x1, fromY: y1, toX: x2, toY: y2, duration: Double(milliseconds) / 1000)
    }
    func injectMotion(_ action: String, x: Int, y: Int) {
        switch action {
        case "DOWN": beginTouch(x: x, y: y, time: uptime)
        case "MOVE": moveTouch(x: x, y: y)
        case "UP":
            moveTouch(x: x, y: y)
            endTouch(time: uptime)
        default: touch = nil
        }
    }
    func injectKey(_ code: Int, longPress: Bool) -> Bool {
        if longPress, code == 26 { shadeOpen = false }
        let handled = keyEvent(code)
        changed()
        return handled
    }
    func injectText(_ s: String) {
        if lockScreenTakesText(s) { changed(); return }
        type(s)
    }

    /// ADB Keyboard broadcasts: they reach the field only while that IME is the current one.
    func adbKeyboard(_ action: String, extras: [String: JSON]) {
        guard adbKeyboardListening else { return }
        switch action {
        case "ADB_INPUT_TEXT": type(extras["msg"]?.text ?? "")
        case "ADB_INPUT_B64":
            if let data = Data(base64Encoded: extras["msg"]?.text ?? "") { type(String(decoding: data, as: UTF8.self)) }
        case "ADB_CLEAR_TEXT": clearFocused()
        case "ADB_INPUT_CODE": _ = keyEvent(Int(extras["code"]?.numberValue ?? 0))
        case "ADB_EDITOR_CODE": submitFocused()
        case "ADB_INPUT_CHARS":
            let codes = extras["chars"]?.arrayValue?.compactMap { $0.numberValue } ?? []
            type(String(String.UnicodeScalarView(codes.compactMap { UnicodeScalar(UInt32($0)) })))
        default: break
        }
    }

    func setShade(_ open: Bool) {
        shadeOpen = open
        changed()
    }

    var wallTime: Double { now }
    var uptimeSeconds: Double { uptime }
    var installedPackages: [String] { profile.apps + (profile.systemPackages ?? []) }
    func hasApp(_ pkg: String) -> Bool { profile.apps.contains(pkg) }
    func launcherActivity(_ pkg: String) -> String? {
        guard let app = catalog.apps[pkg], profile.apps.contains(pkg) else { return nil }
        return Self.shortClass(Self.fullClass(app.activity, package: pkg), package: pkg)
    }
    func flush() { flushSync() }
}
