import ADB
import Foundation

extension Toolbox {
    /// `seq [-s SEP] [-w] [FIRST [STEP]] LAST` with integers (decimals refused as not supported).
    static let seq: Command = { argv, _, io in
        var args = Array(argv.dropFirst())
        var separator = "\n"
        var width = false
        while let a = args.first, a.hasPrefix("-"), Int(a) == nil {
            args.removeFirst()
            if a == "-s", let s = args.first { separator = s; args.removeFirst() } else if a.hasPrefix("-s") { separator = String(a.dropFirst(2)) } else if a == "-w" { width = true } else { throw ShellError.notSupported("seq \(a)") }
        }
        let numbers = args.map { Int($0) }
        guard (1...3).contains(args.count) else {
            try await io.err("seq: needs 1 to 3 arguments\n")
            return 1
        }
        guard numbers.allSatisfy({ $0 != nil }) else {
            if args.allSatisfy({ Double($0) != nil }) { throw ShellError.notSupported("seq with fractions") }
            try await io.err("seq: invalid number\n")
            return 1
        }
        let n = numbers.compactMap { $0 }
        let first = n.count > 1 ? n[0] : 1, step = n.count == 3 ? n[1] : 1, last = n[n.count - 1]
        guard step != 0 else {
            try await io.err("seq: step must not be 0\n")
            return 1
        }
        var values: [String] = []
        var v = first
        while step > 0 ? v <= last : v >= last {
            values.append(String(v))
            let (next, overflow) = v.addingReportingOverflow(step)
            if overflow { break }
            v = next
        }
        if width, let longest = values.map(\.count).max() {
            values = values.map { $0.hasPrefix("-") ? $0 : String(repeating: "0", count: longest - $0.count) + $0 }
        }
        if !values.isEmpty { try await io.out(values.joined(separator: separator) + "\n") }
        return 0
    }
}
