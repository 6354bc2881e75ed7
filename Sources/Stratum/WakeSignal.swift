import Guarded
import NIOCore
import NIOPosix

/// Sleeps that end early when something changes: a configuration change or a stop cuts every backoff
/// and reconnect wait at once, however long it was (up to the 600 s a `client.reconnect` may ask for).
final class WakeSignal: Sendable {
    private struct Waiter {
        var continuation: CheckedContinuation<Void, Never>
        var timer: Scheduled<Void>?
    }

    private struct State {
        var generation: UInt64 = 0
        var nextWaiter: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
    }

    private let state = Locked(State())
    private let loop: any EventLoop

    init(loop: any EventLoop) { self.loop = loop }

    /// Counts the signals so far; pass it to ``sleep(for:unlessSignalledSince:)`` to catch a signal that
    /// came before the sleep began.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Ends every sleep now, and every sleep that was asked with an older generation.
    func signal() {
        let waiters = state.withLock { state -> [Waiter] in
            state.generation += 1
            let waiters = Array(state.waiters.values)
            state.waiters = [:]
            return waiters
        }
        for waiter in waiters {
            waiter.timer?.cancel()
            waiter.continuation.resume()
        }
    }

    /// Sleeps for `duration`, or until ``signal()``; returns at once if a signal came after `generation`.
    func sleep(for duration: Duration, unlessSignalledSince generation: UInt64) async {
        guard duration > .zero else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let id = state.withLock { state -> UInt64? in
                guard state.generation == generation else { return nil }
                state.nextWaiter += 1
                state.waiters[state.nextWaiter] = Waiter(continuation: continuation)
                return state.nextWaiter
            }
            guard let id else { return continuation.resume() }
            let timer = loop.scheduleTask(in: TimeAmount(duration)) { [self] in wake(id) }
            let stillWaiting = state.withLock { state -> Bool in
                guard state.waiters[id] != nil else { return false }
                state.waiters[id]?.timer = timer
                return true
            }
            if !stillWaiting { timer.cancel() }
        }
    }

    private func wake(_ id: UInt64) {
        state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume()
    }
}
