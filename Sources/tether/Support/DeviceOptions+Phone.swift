import AndroidPhone

extension DeviceOptions {
    /// The selected phone as a `Phone`, with app labels cached between runs.
    func openPhone() async throws -> Phone {
        var configuration = Phone.Configuration()
        configuration.labelCacheDirectory = Phone.defaultCacheDirectory
        return Phone(target: try await open(), configuration: configuration)
    }
}
