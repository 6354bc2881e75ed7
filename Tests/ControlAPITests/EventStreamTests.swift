import ControlAPI
import Foundation
import JSON
import TestFixtures
import Testing

/// `GET /events` on the libmicrohttpd bridge: events as they come (the connection waits suspended in
/// between), resumption after `Last-Event-ID`, a reader that falls behind is dropped, and a server with
/// waiting streams stops at once.
@Suite(.timeLimit(.minutes(5))) struct EventStreamTests {
    static func server(_ journal: EventJournal) throws -> HTTPServer {
        try HTTPServer(configuration: HTTPServerConfiguration()) { request in
            let after = request.headers["last-event-id"].flatMap { UInt64($0) }
            return .events(journal, after: after)
        }
    }

    @Test func eventsArriveInOrderAndResumeAfterLastEventID() async throws {
        let journal = EventJournal(capacity: 100)
        let server = try Self.server(journal)
        defer { server.stop() }
        let reader = try await offThePool { try EventStreamClient(port: server.port) }
        #expect(reader.head.contains("200") && reader.head.lowercased().contains("content-type: text/event-stream"))
        for number in 1...5 {
            journal.append("tick", ["n": .number(Double(number))])
            try await Task.sleep(for: .milliseconds(20))  // the stream waits suspended between events
        }
        let events = try await offThePool { (1...5).compactMap { _ in reader.next(seconds: 5) } }
        #expect(events.map(\.id) == [1, 2, 3, 4, 5] && events.allSatisfy { $0.name == "tick" })
        #expect(events.map { $0.object["n"] as? Int } == [1, 2, 3, 4, 5])

        let resumed = try await offThePool { try EventStreamClient(port: server.port, lastEventID: 3) }
        let missed = try await offThePool { [resumed.next(seconds: 5), resumed.next(seconds: 5)] }
        #expect(missed.map { $0?.id } == [4, 5])
        journal.append("tick", ["n": .number(6)])
        #expect(try await offThePool { resumed.next(seconds: 5)?.id } == 6)
        #expect(try await offThePool { reader.next(seconds: 5)?.id } == 6, "every open stream gets the new event")
    }

    @Test func aReaderThatFallsBehindIsDroppedAndMemoryStaysBounded() async throws {
        let journal = EventJournal(capacity: 8)
        let server = try Self.server(journal)
        defer { server.stop() }
        let reader = try await offThePool { try EventStreamClient(port: server.port) }
        // The client reads nothing while 300 events of 64 KiB arrive: far more than the socket buffers hold,
        // so the stream falls more than the journal's 8 events behind.
        let bulk = String(repeating: "x", count: 64 * 1024)
        for number in 1...300 { journal.append("bulk", ["n": .number(Double(number)), "bulk": .string(bulk)]) }
        let received = try await offThePool { () -> Int in
            var count = 0
            while reader.next(seconds: 3) != nil { count += 1 }
            return count
        }
        #expect(received < 300, "a reader that fell behind got everything")
        #expect(reader.ended, "the server kept the stream open for a reader it cannot serve")
        #expect(journal.entries(after: 0, limit: 1000).entries.count == 8)
    }

    /// A client back after a long time (its last id older than the journal holds) gets what is still there,
    /// with a note that events are gone, rather than being turned away on every reconnection.
    @Test func aClientBackAfterLongGetsWhatIsLeft() async throws {
        let journal = EventJournal(capacity: 4)
        for number in 1...10 { journal.append("tick", ["n": .number(Double(number))]) }
        let server = try Self.server(journal)
        defer { server.stop() }
        let reader = try await offThePool { try EventStreamClient(port: server.port, lastEventID: 2) }
        let events = try await offThePool { (0..<4).compactMap { _ in reader.next(seconds: 5) } }
        #expect(events.map(\.id) == [7, 8, 9, 10])
        let future = try await offThePool { try EventStreamClient(port: server.port, lastEventID: 500) }
        journal.append("tick", ["n": .number(11)])
        #expect(try await offThePool { future.next(seconds: 5)?.id } == 11, "an id from an earlier process starts from now")
    }

    @Test func aServerWithWaitingStreamsStopsAtOnce() async throws {
        let journal = EventJournal()
        let server = try Self.server(journal)
        let readers = try await offThePool { try (0..<3).map { _ in try EventStreamClient(port: server.port) } }
        try await Task.sleep(for: .milliseconds(100))
        let clock = ContinuousClock()
        let began = clock.now
        server.stop()
        #expect(began.duration(to: clock.now) < .seconds(2))
        let ended = try await offThePool { readers.map { $0.next(seconds: 3) == nil && $0.ended } }
        #expect(ended == [true, true, true])
    }
}
