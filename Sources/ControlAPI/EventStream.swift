import CMicroHTTPD
import Guarded

/// One `GET /events` connection: reads the journal from where the client left off and hands libmicrohttpd
/// the frames as the socket takes them. With nothing to send it suspends the connection (libmicrohttpd
/// would otherwise call again at once); a new event, a heartbeat or the server's stop resumes it.
///
/// libmicrohttpd's thread calls ``read(into:)``; any thread calls ``wake()``. The lock makes "nothing to
/// send, so suspend" and "news, so resume" happen one at a time, so a wake-up is never lost and a
/// connection is never resumed unless it is suspended.
final class EventStream: Sendable {
    private let journal: EventJournal
    private let state: Locked<State>
    /// At most this many events are rendered per read.
    private static let batch = 64

    private struct State: Sendable {
        var connectionBits: UInt = 0
        var lastID: UInt64
        var pending: [UInt8] = []
        var suspended = false
        var heartbeatDue = false
        var closing = false
        var finished = false
        var listener: UInt64?
    }

    /// A stream of `journal` after event `lastID`, kept to what the journal can give: a newer id than the
    /// newest starts from now (ids restart with the process), an id older than the journal holds starts from
    /// its oldest event (with a comment saying events were missed), so a client that was away long is not
    /// turned away on every reconnection. New events only without `lastID`.
    init(journal: EventJournal, after lastID: UInt64?) {
        self.journal = journal
        let resumable = journal.resumableIDs
        let start = lastID.map { min(max($0, resumable.lowerBound), resumable.upperBound) } ?? resumable.upperBound
        state = Locked(State(lastID: start))
        // A comment first, so the client sees the stream open at once; and the reconnection delay.
        var opening = "retry: 3000\n: nightminer events\n\n"
        if let lastID, lastID < resumable.lowerBound { opening += ": events after \(lastID) up to \(resumable.lowerBound) are gone\n\n" }
        state.withLock { $0.pending = Array(opening.utf8) }
    }

    /// Binds the stream to its connection and starts listening to the journal.
    func attach(to connection: OpaquePointer) {
        state.withLock { $0.connectionBits = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(connection))) }
        let token = journal.listen { [weak self] in self?.wake() }
        state.withLock { $0.listener = token }
    }

    /// Fills `buffer` with the next bytes; 0 after suspending the connection; -1 at the end of the stream
    /// (the server stops); -2 to drop a reader that fell behind the journal.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        state.withLock { state -> Int in
            if state.closing { return -1 }
            if state.pending.isEmpty {
                let (entries, complete) = journal.entries(after: state.lastID, limit: Self.batch)
                // A reader so slow that the journal moved past it is dropped; it reconnects and resumes.
                guard complete else { return -2 }
                for entry in entries { state.pending += entry.frame }
                state.lastID = entries.last?.id ?? state.lastID
                if state.pending.isEmpty, state.heartbeatDue { state.pending = Array(": keep-alive\n\n".utf8) }
                state.heartbeatDue = false
            }
            guard !state.pending.isEmpty else {
                if let connection = OpaquePointer(bitPattern: state.connectionBits) {
                    state.suspended = true
                    MHD_suspend_connection(connection)
                }
                return 0
            }
            let count = min(buffer.count, state.pending.count)
            state.pending.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            state.pending.removeFirst(count)
            return count
        }
    }

    /// Resumes the connection if it waits (news, or `heartbeat`: a keep-alive comment is due).
    func wake(heartbeat: Bool = false) {
        state.withLock { state in
            if heartbeat { state.heartbeatDue = true }
            resumeIfSuspended(&state)
        }
    }

    /// Ends the stream: the next read reports its end (the server is stopping).
    func close() {
        state.withLock { state in
            state.closing = true
            resumeIfSuspended(&state)
        }
    }

    /// The connection is gone (libmicrohttpd freed the response): never touch it again.
    func finish() {
        let token = state.withLock { state -> UInt64? in
            state.finished = true
            state.connectionBits = 0
            return state.listener
        }
        if let token { journal.stopListening(token) }
    }

    private func resumeIfSuspended(_ state: inout State) {
        guard state.suspended, !state.finished, let connection = OpaquePointer(bitPattern: state.connectionBits) else { return }
        state.suspended = false
        MHD_resume_connection(connection)
    }
}

/// The open event streams of one server: woken for heartbeats, closed (and resumed) before it stops, as
/// libmicrohttpd requires of suspended connections.
final class EventStreams: Sendable {
    private let state = Locked<(streams: [ObjectIdentifier: EventStream], closing: Bool)>(([:], false))
    private let heartbeat = Locked<Task<Void, Never>?>(nil)

    /// Streams that get a keep-alive comment every `interval` (under the server's idle timeout).
    init(heartbeat interval: Duration) {
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self else { return }
                for stream in self.state.withLock({ $0.streams.values.map { $0 } }) { stream.wake(heartbeat: true) }
            }
        }
        heartbeat.withLock { $0 = task }
    }

    /// Registers a new stream; false once the server is stopping.
    func add(_ stream: EventStream) -> Bool {
        state.withLock { state in
            guard !state.closing else { return false }
            state.streams[ObjectIdentifier(stream)] = stream
            return true
        }
    }

    /// Forgets a stream whose connection is gone.
    func remove(_ stream: EventStream) {
        stream.finish()
        _ = state.withLock { $0.streams.removeValue(forKey: ObjectIdentifier(stream)) }
    }

    /// Ends every stream and refuses new ones (before the daemon stops).
    func closeAll() {
        heartbeat.withLock { $0?.cancel() }
        let streams = state.withLock { state -> [EventStream] in
            state.closing = true
            return state.streams.values.map { $0 }
        }
        for stream in streams { stream.close() }
    }
}
