import ServiceLifecycle

/// One part of ``NightMinerService`` in its `ServiceGroup`: started when the group runs, stopped on
/// graceful shutdown. The group stops its parts in reverse order, so a part listed later stops first.
struct ServicePart: Service {
    let start: @Sendable () async -> Void
    let stop: @Sendable () async -> Void

    func run() async throws {
        await start()
        // Returns on graceful shutdown; throws when the group is cancelled (then the part stops too).
        try? await gracefulShutdown()
        await stop()
    }
}
