import Dispatch
import Foundation
import Guarded

/// Calls a handler on the first SIGINT or SIGTERM, for a graceful stop; a second one ends the process at
/// once (with the signal's default action), so a stop that takes too long can always be cut short.
package final class SignalTrap {
    private let sources: [any DispatchSourceSignal]

    /// Traps SIGINT and SIGTERM until ``cancel()``.
    package init(_ handler: @escaping @Sendable () -> Void) {
        let received = ReceivedSignal()
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        sources = [SIGINT, SIGTERM].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let again = received.seen.withLock { seen -> Bool in
                    defer { seen = true }
                    return seen
                }
                if again {
                    signal(number, SIG_DFL)
                    raise(number)
                } else {
                    handler()
                }
            }
            source.resume()
            return source
        }
    }

    /// Stops handling: the signals' default actions apply again.
    package func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

/// Whether a stop signal came already.
private final class ReceivedSignal: Sendable {
    let seen = Locked(false)
}
