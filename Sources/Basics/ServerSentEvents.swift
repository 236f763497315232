/// Splits a server-sent-event stream into the `data` of each event (multi-line data joined by
/// newlines; comments and other fields ignored), across arbitrary chunk boundaries.
public struct ServerSentEvents: Sendable {
    private var buffer = ""
    private var data: [String] = []

    public init() {}

    public mutating func feed(_ chunk: String) -> [String] {
        buffer += chunk
        var events: [String] = []
        while let nl = buffer.firstIndex(where: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let line = String(buffer[..<nl])
            buffer.removeSubrange(...nl)
            if line.isEmpty {
                if !data.isEmpty { events.append(data.joined(separator: "\n")); data = [] }
                continue
            }
            if line.hasPrefix(":") { continue }
            if line.hasPrefix("data:") {
                var v = line.dropFirst(5)
                if v.first == " " { v = v.dropFirst() }
                data.append(String(v))
            }
        }
        return events
    }
}
