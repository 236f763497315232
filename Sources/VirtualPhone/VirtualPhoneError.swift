public enum VirtualPhoneError: Error, Sendable, CustomStringConvertible, Equatable {
    case invalidData(String)
    case notFound(String)
    case io(String)
    case font(String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .invalidData(let m): return m
        case .notFound(let m): return m
        case .io(let m): return m
        case .font(let m): return m
        case .invalidArgument(let m): return m
        }
    }
}
