/// Cancel requests for jobs that are running, read by the runner at its safe points.
public actor JobControls {
    private var cancelRequested: Set<String> = []

    public init() {}

    public func requestCancel(_ job: String) { cancelRequested.insert(job) }
    public func isCancelRequested(_ job: String) -> Bool { cancelRequested.contains(job) }
    public func forget(_ job: String) { cancelRequested.remove(job) }
}
