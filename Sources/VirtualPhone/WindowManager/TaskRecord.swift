import Foundation
import Basics

/// One screen in an app's back stack.
struct ActivityEntry: Sendable {
    var package: String
    var screen: String
    var params: [String: JSON]
    var form: [String: String] = [:]
    var scroll: Int = 0
    var focus: String?
    /// A stable number for dumpsys's ActivityRecord{…}.
    var token: Int
}

/// A task: an app's back stack.
struct TaskRecord: Sendable {
    var id: Int
    var package: String
    var entries: [ActivityEntry]
}
