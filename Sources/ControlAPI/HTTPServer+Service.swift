import ServiceLifecycle

extension HTTPServer: Service {
    /// Serves (the server listens from its `init`, so its URL is known before the group runs) until the
    /// group's graceful shutdown or cancellation, then stops: the requests in progress are finished and the
    /// event streams ended.
    package func run() async {
        try? await gracefulShutdown()
        stop()
    }
}
