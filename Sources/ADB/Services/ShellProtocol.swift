/// Shell protocol v2 (`shell,v2,…:`): packets of `{u8 id, u32 length LE, data}` carried as a
/// byte stream inside WRTEs.
public struct ShellPacket: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        case stdin = 0
        case stdout = 1
        case stderr = 2
        case exit = 3
        case closeStdin = 4
        case windowSizeChange = 5
    }

    public var kind: Kind
    public var data: [UInt8]

    public init(_ kind: Kind, _ data: [UInt8] = []) {
        self.kind = kind
        self.data = data
    }

    /// The largest packet we accept; adbd's own buffers are far smaller.
    public static let maxLength = 16 * 1024 * 1024

    public var encoded: [UInt8] {
        var out: [UInt8] = [kind.rawValue]
        out.appendLittleEndian(UInt32(data.count))
        out.append(contentsOf: data)
        return out
    }

    /// The next packet, or nil at a clean end of stream.
    public static func read(from reader: StreamReader) async throws -> ShellPacket? {
        guard let header = try await reader.readExactlyOrEnd(5, "a shell packet header") else { return nil }
        guard let kind = Kind(rawValue: header[0]) else {
            throw ADBError.protocolViolation("unknown shell packet id \(header[0])")
        }
        let length = Int(header.littleEndianUInt32(at: 1))
        guard length <= maxLength else {
            throw ADBError.protocolViolation("shell packet of \(length) bytes")
        }
        return ShellPacket(kind, length == 0 ? [] : try await reader.readExactly(length, "a shell packet"))
    }
}

/// How a shell service name is built: `shell,v2,raw:CMD`, `shell:CMD`, `exec:CMD`.
public struct ShellServiceName: Sendable, Equatable {
    public enum Mode: Sendable, Equatable { case v1, v2, exec }
    public var mode: Mode
    public var pty: Bool
    public var term: String?
    public var command: String

    public init(mode: Mode, pty: Bool = false, term: String? = nil, command: String) {
        self.mode = mode
        self.pty = pty
        self.term = term
        self.command = command
    }

    public var service: String {
        switch mode {
        case .exec: return "exec:" + command
        case .v1: return "shell:" + command
        case .v2:
            var args = ["shell", "v2"]
            if let term { args.append("TERM=" + term) }
            args.append(pty ? "pty" : "raw")
            return args.joined(separator: ",") + ":" + command
        }
    }

    /// Parses a service name as adbd does: comma-separated arguments before the first `:`;
    /// unknown arguments are ignored. Nil for services that are not a shell.
    public init?(parsing service: String) {
        if service.hasPrefix("exec:") {
            self.init(mode: .exec, command: String(service.dropFirst(5)))
            return
        }
        guard service.hasPrefix("shell"), let colon = service.firstIndex(of: ":") else { return nil }
        let args = service[..<colon].split(separator: ",").map(String.init)
        guard args.first == "shell" else { return nil }
        let command = String(service[service.index(after: colon)...])
        let v2 = args.contains("v2")
        let term = args.first(where: { $0.hasPrefix("TERM=") }).map { String($0.dropFirst(5)) }
        // Without an explicit raw/pty: an interactive shell gets a pty, a command runs raw.
        let pty = args.contains("pty") || (!args.contains("raw") && command.isEmpty)
        self.init(mode: v2 ? .v2 : .v1, pty: pty, term: term, command: command)
    }
}
