import Guarded

/// Slows down token guessing: an address that sent more than ``limit`` bad tokens within a minute gets
/// 429 for its state changes until the oldest of them is a minute old. Bounded: the addresses seen last
/// are kept, at most ``maximumAddresses``.
final class BadTokenLimiter: Sendable {
    /// Bad tokens allowed per address per minute.
    let limit: Int
    /// Addresses remembered at once.
    let maximumAddresses: Int
    private let window: Duration = .seconds(60)
    private let failures = Locked<[String: [ContinuousClock.Instant]]>([:])

    init(limit: Int = 10, maximumAddresses: Int = 4_096) {
        self.limit = limit
        self.maximumAddresses = maximumAddresses
    }

    /// How long `address` must wait before its next state change, or nil when it may go on.
    func retryAfter(_ address: String, now: ContinuousClock.Instant = .now) -> Duration? {
        failures.withLock { failures -> Duration? in
            guard var times = failures[address] else { return nil }
            times.removeAll { $0.duration(to: now) >= window }
            failures[address] = times.isEmpty ? nil : times
            guard times.count >= limit, let oldest = times.first else { return nil }
            return window - oldest.duration(to: now)
        }
    }

    /// Counts a bad or missing token from `address`.
    func recordFailure(_ address: String, now: ContinuousClock.Instant = .now) {
        failures.withLock { failures in
            if failures[address] == nil, failures.count >= maximumAddresses {
                // Forget the address whose last failure is oldest.
                if let stalest = failures.min(by: { ($0.value.last ?? now) < ($1.value.last ?? now) })?.key { failures[stalest] = nil }
            }
            var times = failures[address, default: []]
            times.removeAll { $0.duration(to: now) >= window }
            times.append(now)
            failures[address] = Array(times.suffix(limit))
        }
    }
}
