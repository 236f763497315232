import Foundation
import Basics

extension VirtualPhone {
    /// Content provider rows for `content query`: nil when the URI is unknown.
    func contentRows(_ uri: String) -> [[(String, String)]]? {
        let contacts = states["com.android.contacts"]?["contacts"]?.array ?? []
        let messages = states["com.android.messaging"]?["messages"]?.array ?? []
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
            return [
                ("_id", m["id"]?.text ?? ""), ("thread_id", String(threads[key] ?? 0)), ("address", address),
                ("date", m["date"]?.text ?? "0"), ("read", (m["read"]?.truthy ?? true) ? "1" : "0"), ("type", type),
                ("body", m["body"]?.text ?? "")
            ]
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
}
