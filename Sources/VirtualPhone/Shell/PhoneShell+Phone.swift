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
