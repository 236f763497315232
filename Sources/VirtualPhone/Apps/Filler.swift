import Foundation
import Basics

/// Seeded filler: generated contacts, messages and the like, the same for the same seed.
extension VirtualPhone {
    static let firstNames = [
        "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "Lucas", "Mia", "Mason", "Isabella",
        "Ethan", "Harper", "Logan", "Evelyn", "James", "Abigail", "Henry", "Ella", "Jack", "Grace", "Leo",
        "Chloe", "Owen", "Zoe", "Wyatt", "Nora", "Caleb", "Lily", "Ryan"
    ]
    static let lastNames = [
        "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson",
        "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris",
        "Clark", "Lewis", "Walker", "Young", "King"
    ]

    static func fill(_ state: inout JSON, _ filler: Filler, rng: inout SplitMix64) {
        var items = state.value(at: filler.collection)?.array ?? []
        var nextId = (items.compactMap { $0["id"]?.numberValue }.max() ?? 0) + 1
        var used = Set(items.compactMap { $0["name"]?.text })
        var made = 0
        var attempts = 0
        while made < filler.count, attempts < filler.count * 20 {
            attempts += 1
            let first = firstNames[Int(rng.next() % UInt64(firstNames.count))]
            let last = lastNames[Int(rng.next() % UInt64(lastNames.count))]
            let name = "\(first) \(last)"
            guard used.insert(name).inserted else { continue }
            let number = String(format: "+1555%03d%04d", 200 + Int(rng.next() % 700), Int(rng.next() % 10000))
            items.append(
                .object([
                    "id": .number(nextId), "name": .string(name), "phone": .string(number),
                    "email": .string("\(first.lowercased()).\(last.lowercased())@example.com")
                ]))
            nextId += 1
            made += 1
        }
        state.set(.array(items), at: StatePath(filler.collection))
    }
}
