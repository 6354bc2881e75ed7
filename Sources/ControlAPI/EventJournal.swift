import Guarded
import JSON

/// The most recent events of the service, for `GET /events` (Server-Sent Events): a bounded ring with
/// increasing ids, so a client that reconnects with `Last-Event-ID` gets what it missed while the ring still
/// holds it. Appending wakes the streams waiting for news; memory never grows past ``capacity`` events.
package final class EventJournal: Sendable {
    /// One event as it goes on the wire.
    package struct Entry: Sendable {
        /// Its id (1, 2, 3, …).
        package let id: UInt64
        /// The SSE frame: `id:`, `event:` and `data:` lines and the blank line.
        package let frame: [UInt8]
    }

    /// The most events kept.
    package let capacity: Int
    private let state: Locked<State>

    private struct State: Sendable {
        var entries: [Entry] = []
        var nextID: UInt64 = 1
        var listeners: [UInt64: @Sendable () -> Void] = [:]
        var nextListener: UInt64 = 0
    }

    /// A journal that keeps the newest `capacity` events.
    package init(capacity: Int = 1024) {
        precondition(capacity > 0)
        self.capacity = capacity
        state = Locked(State())
    }

    /// Appends an event named `name` (`share`, `job`, …) with `data` (a JSON object), and
    /// wakes the waiting streams.
    package func append(_ name: String, _ data: [String: JSONValue]) {
        let listeners = state.withLock { state -> [@Sendable () -> Void] in
            let id = state.nextID
            state.nextID += 1
            let frame = "id: \(id)\nevent: \(name)\ndata: \(JSONValue.object(data).serialized)\n\n"
            state.entries.append(Entry(id: id, frame: Array(frame.utf8)))
            if state.entries.count > capacity { state.entries.removeFirst(state.entries.count - capacity) }
            return state.listeners.values.map { $0 }
        }
        for wake in listeners { wake() }
    }

    /// The id of the newest event (0 before the first).
    package var latestID: UInt64 { state.withLock { $0.nextID - 1 } }

    /// The ids a stream may resume after: from just before the oldest event kept to the newest.
    package var resumableIDs: ClosedRange<UInt64> {
        state.withLock { state in (state.entries.first.map { $0.id - 1 } ?? state.nextID - 1)...(state.nextID - 1) }
    }

    /// The events after `id`, at most `limit`; `complete` is false when events after `id` have already left
    /// the ring (the reader fell behind, or asked for an id too old).
    package func entries(after id: UInt64, limit: Int) -> (entries: [Entry], complete: Bool) {
        state.withLock { state in
            guard let first = state.entries.first else { return ([], true) }
            let complete = id + 1 >= first.id || id >= state.nextID - 1
            let start = state.entries.firstIndex { $0.id > id } ?? state.entries.endIndex
            return (Array(state.entries[start..<min(state.entries.endIndex, start + limit)]), complete)
        }
    }

    /// Calls `wake` after every append until ``stopListening(_:)``; returns its token.
    func listen(_ wake: @escaping @Sendable () -> Void) -> UInt64 {
        state.withLock { state in
            state.nextListener += 1
            state.listeners[state.nextListener] = wake
            return state.nextListener
        }
    }

    /// Stops calling the listener `token`.
    func stopListening(_ token: UInt64) {
        state.withLock { $0.listeners[token] = nil }
    }
}
