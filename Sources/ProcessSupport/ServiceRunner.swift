import Glibc
import Logging
import ServiceLifecycle
import Synchronization

/// The stop signal caught by the handler ``ServiceRunner/catchStopSignals()`` installs (0: none yet).
private let stopSignalBeforeRunning = Atomic<Int32>(0)

/// The one way every long-running mode (`mine`, `serve`, `demo`, `testpool`) runs and stops: its parts as
/// `Service`s in one `ServiceGroup`. SIGTERM (systemd, Kubernetes) and SIGINT (Ctrl-C) begin the graceful
/// shutdown when `stopOnSignals`; the parts stop in reverse order (the last listed stops first); a part
/// that returns or throws shuts the whole group down gracefully, and `run()` rethrows what a part threw.
/// A shutdown that takes longer than 30 s is cut short by cancellation.
package enum ServiceRunner {
    /// One part of a group.
    package struct Part: Sendable {
        /// The service.
        package let service: any Service
        /// Its name in the group's log lines.
        package let name: String

        /// A part named `name`.
        package init(_ service: any Service, name: String) {
            self.service = service
            self.name = name
        }
    }

    /// Catches SIGTERM and SIGINT from now until a group that stops on signals runs, so that a stop asked
    /// for while a mode is still starting (parsing its flags, calibrating, binding) stops it gracefully as
    /// soon as it runs instead of killing it. Call it first thing; a command that turns out not to run
    /// until stopped calls ``releaseStopSignals()``.
    /// The two are also unblocked: a parent may have left them blocked (a thread that blocks signals and
    /// spawns us passes its mask on), and a blocked stop signal would never arrive.
    package static func catchStopSignals() {
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        for number in [SIGTERM, SIGINT] {
            signal(number) { number in stopSignalBeforeRunning.store(number, ordering: .relaxed) }
            sigaddset(&stopSignals, number)
        }
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
    }

    /// Gives SIGTERM and SIGINT their default action back; one caught meanwhile takes it now.
    package static func releaseStopSignals() {
        for number in [SIGTERM, SIGINT] { signal(number, SIG_DFL) }
        let caught = stopSignalBeforeRunning.exchange(0, ordering: .relaxed)
        if caught != 0 { raise(caught) }
    }

    /// The group that runs `parts`, in the order given.
    package static func group(_ parts: [Part], stopOnSignals: Bool, logger: Logger) -> ServiceGroup {
        // The group traps the signals before its parts run: one that came earlier ends the group at once.
        let parts = stopOnSignals ? [Part(EarlyStop(), name: "early stop")] + parts : parts
        var configuration = ServiceGroupConfiguration(
            services: parts.map {
                .init(service: $0.service, successTerminationBehavior: .gracefullyShutdownGroup,
                      failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: $0.name)
            },
            gracefulShutdownSignals: stopOnSignals ? [.sigterm, .sigint] : [],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(30)
        configuration.maximumCancellationDuration = .seconds(5)
        return ServiceGroup(configuration: configuration)
    }

    /// Runs `parts` until a signal (with `stopOnSignals`) or until one of them ends.
    package static func run(_ parts: [Part], stopOnSignals: Bool, logger: Logger) async throws {
        try await group(parts, stopOnSignals: stopOnSignals, logger: logger).run()
    }
}

/// Ends after `duration` (or at the group's shutdown), which shuts its group down: `demo --seconds`.
package struct Deadline: Service {
    /// How long the group runs.
    package let duration: Duration

    /// A deadline `duration` from when the group starts.
    package init(_ duration: Duration) { self.duration = duration }

    package func run() async {
        let duration = duration
        _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }
}

/// Ends at once if a stop signal came before the group trapped them (which shuts the group down), or else
/// at the group's shutdown.
private struct EarlyStop: Service {
    func run() async {
        if stopSignalBeforeRunning.load(ordering: .relaxed) != 0 { return }
        try? await gracefulShutdown()
    }
}
