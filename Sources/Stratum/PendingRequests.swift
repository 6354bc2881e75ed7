/// The requests a session sent and awaits answers to: correlation by id, and the response timeout.
///
/// Bounded: beyond ``capacity`` entries the oldest share is given up as lost, so a pool that never answers
/// cannot make it grow.
struct PendingRequests {
    /// What a request was.
    enum Kind {
        case subscribe
        case authorize(worker: String)
        case submit(Share)
        case extranonceSubscribe
        case suggestDifficulty
    }

    /// One request awaiting its answer.
    struct Entry {
        var kind: Kind
        var sentAt: ContinuousClock.Instant
    }

    /// The most requests kept at once.
    let capacity: Int
    private var entries: [Int64: Entry] = [:]

    init(capacity: Int = 4_096) { self.capacity = capacity }

    /// Records a request; returns the share given up to stay within ``capacity``, if any.
    mutating func add(_ id: Int64, _ kind: Kind, at now: ContinuousClock.Instant = .now) -> (Int64, Share)? {
        var evicted: (Int64, Share)?
        if entries.count >= capacity, let oldest = entries.min(by: { $0.value.sentAt < $1.value.sentAt }) {
            entries[oldest.key] = nil
            if case .submit(let share) = oldest.value.kind { evicted = (oldest.key, share) }
        }
        entries[id] = Entry(kind: kind, sentAt: now)
        return evicted
    }

    /// Takes the entry answered by `id`.
    mutating func remove(_ id: Int64) -> Entry? { entries.removeValue(forKey: id) }

    /// Takes every entry older than `timeout`.
    mutating func expire(olderThan timeout: Duration, now: ContinuousClock.Instant = .now) -> [(id: Int64, entry: Entry)] {
        let expired = entries.filter { $0.value.sentAt.duration(to: now) > timeout }.map { (id: $0.key, entry: $0.value) }
        for item in expired { entries[item.id] = nil }
        return expired.sorted { $0.id < $1.id }
    }

    /// How many shares await their verdicts.
    var submitCount: Int { entries.values.count { if case .submit = $0.kind { true } else { false } } }

    /// When the oldest request still unanswered was sent (optional methods, which some pools never
    /// answer, aside).
    var oldestSentAt: ContinuousClock.Instant? {
        entries.values.filter {
            switch $0.kind {
            case .subscribe, .authorize, .submit: true
            case .extranonceSubscribe, .suggestDifficulty: false
            }
        }.map(\.sentAt).min()
    }

    /// Whether a share awaits its verdict.
    var awaitsShares: Bool { entries.values.contains { if case .submit = $0.kind { true } else { false } } }

    /// Empties the table; returns the shares that never got an answer.
    mutating func removeAll() -> [(Int64, Share)] {
        let lost = entries.compactMap { id, entry -> (Int64, Share)? in
            if case .submit(let share) = entry.kind { return (id, share) }
            return nil
        }
        entries = [:]
        return lost.sorted { $0.0 < $1.0 }
    }
}
