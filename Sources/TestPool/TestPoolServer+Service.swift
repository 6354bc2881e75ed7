import ServiceLifecycle

extension TestPoolServer: Service {
    /// Listens (unless ``start()`` was called already), serves until the group's graceful shutdown or
    /// cancellation, then stops and closes every connection.
    public func run() async throws {
        if port == 0 { try await start() }
        try? await gracefulShutdown()
        stop()
    }
}
