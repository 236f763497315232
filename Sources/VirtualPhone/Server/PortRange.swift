extension VirtualPhoneServer {
    /// The ports an unprivileged server may take.
    public static let portRange = 1024...65535
    /// Ports the adb server probes for emulators: a phone there would be listed twice.
    public static let emulatorProbePorts = 5555...5585

    /// The ports of `count` phones served from `first` on, one each: all 0 (each phone picks a
    /// free port) when `first` is 0, otherwise `first`…`first + count - 1`, which must lie within
    /// 1024…65535 and keep clear of 5555–5585.
    public static func ports(first: Int, count: Int) throws(VirtualPhoneError) -> [Int] {
        guard count >= 1 else { throw .invalidArgument("the number of phones must be at least 1 (it was \(count))") }
        if first == 0 { return Array(repeating: 0, count: count) }
        guard portRange.contains(first) else {
            throw .invalidArgument("port \(first) is not in \(portRange.lowerBound)–\(portRange.upperBound); choose a port in that range, or 0 for free ports")
        }
        let last = first + count - 1
        guard last <= portRange.upperBound else {
            throw .invalidArgument("\(count) phones from port \(first) need ports up to \(last), past \(portRange.upperBound); choose a first port of at most \(portRange.upperBound - count + 1)")
        }
        if first <= emulatorProbePorts.upperBound, last >= emulatorProbePorts.lowerBound {
            throw .invalidArgument("ports \(first)–\(last) overlap 5555–5585, which the adb server probes as emulators; choose another port")
        }
        return Array(first...last)
    }
}
