import Foundation
import NightMiner
import ProofOfWork
import TestFixtures
import Testing

/// `GET /metrics` on the live service: valid Prometheus text (`promtool check metrics`), counters that move
/// with the share ledger, and a real Prometheus server that scrapes the miner and answers queries.
@Suite(.serialized, .timeLimit(.minutes(5))) struct MetricsTests {
    /// A service mining the embedded-style test pool until `check` is done.
    func mining(_ check: (ControlPlaneTests.Daemon) async throws -> Void) async throws {
        let pool = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192)
        defer { pool.stop() }
        let settings = Harness.settings(mining: pool, user: "w", threads: 1)
        let daemon = try await ControlPlaneTests.Daemon(settings: settings)
        #expect(await Harness.waitUntil(seconds: 20) { pool.statistics.accepted >= 3 })
        try await check(daemon)
        await daemon.stop()
    }

    /// The value of the series named exactly `series` (name and labels as exposed), if present.
    static func value(of series: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test func metricsAreValidPrometheusTextAndFollowTheLedger() async throws {
        try await mining { daemon in
            let ledger = try #require(daemon.service.miner?.engine.ledger)
            let before = ledger.snapshot.accepted
            let response = try await daemon.call("GET", "/metrics", token: nil)
            let after = ledger.snapshot.accepted
            #expect(response.status == 200 && response.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = response.text
            let check = try await offThePool { try TestProcess.run("promtool", ["check", "metrics"], input: Data(text.utf8)) }
            #expect(check.status == 0, "promtool: \(check.output) \(check.errors)\n\(text)")
            let accepted = try #require(Self.value(of: #"nightminer_shares_total{result="accepted"}"#, in: text), "\(text)")
            #expect(Double(before) <= accepted && accepted <= Double(after), "\(before) <= \(accepted) <= \(after)")
            for series in [#"nightminer_shares_total{result="rejected",reason="duplicate"}"#, "nightminer_mining",
                           #"nightminer_hashrate_hashes_per_second{window="10s"}"#, "nightminer_pool_failovers_total",
                           "nightminer_hashes_total", "nightminer_share_round_trip_seconds_count"] {
                #expect(Self.value(of: series, in: text) != nil, "\(series) missing")
            }
            #expect(Self.value(of: "nightminer_mining", in: text) == 1)
            #expect(text.contains(#"nightminer_info{version=""#) && text.contains(#"algorithm="sha256d""#))
            #expect(text.contains("nightminer_pool_connected{pool=\"stratum+tcp://127.0.0.1:"))
            // Later scrapes follow: the count only grows, and by what the ledger gained.
            #expect(await Harness.waitUntil(seconds: 20) { ledger.snapshot.accepted > after })
            let later = try await daemon.call("GET", "/metrics", token: nil).text
            let grown = try #require(Self.value(of: #"nightminer_shares_total{result="accepted"}"#, in: later))
            #expect(grown > accepted && grown <= Double(ledger.snapshot.accepted))
            #expect(Self.value(of: "nightminer_share_round_trip_seconds_count", in: later).map { $0 >= grown } == true)
        }
    }

    /// A real Prometheus server, started here, scrapes the miner; its query API returns the accepted shares.
    @Test func aPrometheusServerScrapesTheMiner() async throws {
        try await mining { daemon in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nm-prom-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let config = folder.appendingPathComponent("prometheus.yml")
            try """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            scrape_configs:
              - job_name: nightminer
                static_configs: [{targets: ['127.0.0.1:\(daemon.port)']}]
            """.write(to: config, atomically: true, encoding: .utf8)
            // A free port for Prometheus (it cannot report one it picked itself).
            let probe = try TestSocket.listen(host: "127.0.0.1", port: 0)
            TestSocket.close(probe.fd)
            let server = try TestProcess("prometheus", ["--config.file=\(config.path)", "--storage.tsdb.path=\(folder.path)/data",
                                                        "--web.listen-address=127.0.0.1:\(probe.port)", "--log.level=warn"])
            defer { server.stop() }
            let query = "/api/v1/query?query=" + #"nightminer_shares_total{result="accepted"}"#
                .addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let answered = await Harness.waitUntilOffThePool(seconds: 40) {
                guard let response = try? HTTPTestClient.send(port: probe.port, "GET", query),
                      let json = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                      let results = (json["data"] as? [String: Any])?["result"] as? [[String: Any]],
                      let value = (results.first?["value"] as? [Any])?.last as? String, let count = Double(value) else { return false }
                return count >= 1
            }
            #expect(answered, "Prometheus never returned accepted shares: \(server.output.suffix(2000))")
        }
    }
}
