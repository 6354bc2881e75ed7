import Foundation
import NightMiner
import ProofOfWork
import TestFixtures
import Testing

/// `GET /events` on the live service: what the miner does, in order, with ids to resume from.
@Suite(.serialized, .timeLimit(.minutes(5))) struct EventsTests {
    @Test func theServiceReportsWhatHappensInOrderAndResumes() async throws {
        let pool = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192)
        defer { pool.stop() }
        let settings = Harness.settings(mining: pool, user: "w", threads: 1, autostart: false)
        let daemon = try await ControlPlaneTests.Daemon(settings: settings)
        let live = try await offThePool { try EventStreamClient(port: daemon.port) }
        _ = try await daemon.call("POST", "/mining/start")
        #expect(await Harness.waitUntil(seconds: 20) { pool.statistics.accepted >= 3 })
        _ = try await daemon.call("POST", "/mining/stop")
        #expect(await Harness.waitUntil(seconds: 10) { daemon.service.miner?.isRunning == false })
        _ = try await daemon.call("PATCH", "/config", json: #"{"threads":2}"#)

        let events = try await offThePool { () -> [EventStreamClient.Event] in
            var events: [EventStreamClient.Event] = []
            while let event = live.next(seconds: 5) {
                events.append(event)
                if event.name == "config" { break }
            }
            return events
        }
        let ids = events.compactMap(\.id)
        #expect(ids.count == events.count && ids == Array(ids.first!..<(ids.first! + UInt64(ids.count))), "ids not consecutive: \(ids)")
        let names = events.map(\.name)
        #expect(names.first == "mining" && events.first?.object["state"] as? String == "started", "\(names)")
        // Pools may send work before they answer the authorization: pool and job both come before shares.
        let firstShare = names.firstIndex(of: "share") ?? Int.max
        #expect(firstShare < Int.max && ["pool", "job"].allSatisfy { (names.firstIndex(of: $0) ?? Int.max) < firstShare }, "\(names)")
        let shares = events.filter { $0.name == "share" }
        #expect(shares.count >= 3 && shares.allSatisfy { $0.object["result"] as? String == "accepted" && $0.object["round_trip_ms"] is Double })
        #expect(events.contains { $0.name == "mining" && $0.object["state"] as? String == "stopped" })
        #expect(events.last?.name == "config" && events.last?.object["change"] as? String == "settings changed")
        #expect(events.allSatisfy { ($0.object["time"] as? String)?.hasSuffix("Z") == true })

        // A client that lost the connection resumes after the last id it saw.
        let seen = ids[ids.count / 2]
        let resumed = try await offThePool { try EventStreamClient(port: daemon.port, lastEventID: seen) }
        let replayed = try await offThePool { resumed.next(seconds: 5) }
        #expect(replayed?.id == seen + 1 && replayed?.name == events[ids.count / 2 + 1].name)
        await daemon.stop()
        #expect(try await offThePool { live.next(seconds: 5) == nil && live.ended }, "the stream outlived the service")
    }
}
