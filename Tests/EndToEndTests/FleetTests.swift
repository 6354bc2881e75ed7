import Foundation
import NightMiner
import ProofOfWork
import TestFixtures
import Testing

/// `nightminer fleet` against three live miners on loopback and a fourth address where nothing listens.
@Suite(.serialized, .timeLimit(.minutes(5))) struct FleetTests {
    @Test func theFleetCommandDrivesLiveMinersAndNamesTheOneThatIsDown() async throws {
        let pool = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192)
        defer { pool.stop() }
        let settings = Harness.settings(mining: pool, user: "fleet", threads: 1, autostart: false)
        var miners = [ControlPlaneTests.Daemon]()
        for _ in 0..<3 { miners.append(try await ControlPlaneTests.Daemon(settings: settings)) }
        let down = try TestSocket.listen(host: "127.0.0.1", port: 0)
        TestSocket.close(down.fd)  // nothing listens there now
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nm-fleet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let hostsFile = folder.appendingPathComponent("hosts").path
        let tokenFile = folder.appendingPathComponent("token").path
        try ("# the test fleet\n" + miners.map { "127.0.0.1:\($0.port)\n" }.joined() + "\nhttp://127.0.0.1:\(down.port)/  # down\n")
            .write(toFile: hostsFile, atomically: true, encoding: .utf8)
        try (ControlPlaneTests.token + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let fleet = ["fleet", "--hosts", hostsFile, "--token-file", tokenFile, "--timeout", "3"]

        let status = try await CommandLineTests.run(fleet + ["status"])
        #expect(status.status == 1, "a host is down: \(status.output) \(status.errors)")
        let rows = status.output.split(separator: "\n")
        #expect(rows.count == 5 && rows[0].hasPrefix("HOST") && rows.filter { $0.contains("stopped") }.count == 3, "\(status.output)")
        #expect(status.errors.contains("1 of 4 failed") && status.errors.contains("127.0.0.1:\(down.port)"), "\(status.errors)")

        let started = try await CommandLineTests.run(fleet + ["start", "--json"])
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(started.output.utf8)) as? [[String: Any]], "\(started.output)")
        #expect(objects.count == 4 && objects.filter { $0["ok"] as? Bool == true }.count == 3)
        #expect(objects.last?["ok"] as? Bool == false && (objects.last?["error"] as? String)?.isEmpty == false)
        #expect(await Harness.waitUntil(seconds: 20) { miners.allSatisfy { $0.service.stats().state == "mining" } })

        let other = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192)
        defer { other.stop() }
        let switched = try await CommandLineTests.run(fleet + ["switch-pool", other.url, "-u", "moved", "-p", "y", "-a", "sha256d"])
        #expect(switched.status == 1 && switched.errors.contains("1 of 4 failed"))
        #expect(await Harness.waitUntil(seconds: 20) { other.statistics.authorized >= 3 }, "not every miner moved to the new pool")
        #expect(miners.allSatisfy { $0.service.settings.activePool?.url == other.url }, "\(miners.map { $0.service.settings.pools.map { ($0.id, $0.url, $0.priority) } }) \(switched.output) \(switched.errors)")

        let configured = try await CommandLineTests.run(fleet + ["set-config", "threads=2", "log_level=debug"])
        #expect(configured.status == 1)
        #expect(miners.allSatisfy { $0.service.settings.threads == 2 && $0.service.settings.logLevel == "debug" })

        let unauthorized = try await CommandLineTests.run(["fleet", "--hosts", hostsFile, "stop"])
        #expect(unauthorized.status == 64 && unauthorized.errors.contains("--token-file"))
        for miner in miners { await miner.stop() }
    }
}
