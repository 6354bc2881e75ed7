import ControlAPI
import Guarded
import NightMiner
import Prometheus

/// The Prometheus metrics of one service (`GET /metrics`), kept in a registry of its own with
/// swift-prometheus. Counters and gauges that mirror the share ledger, the hashrate meter and the pools
/// are brought up to date when scraped; the share round trip and failovers are recorded as they happen
/// (from ``MinerEvent``s).
final class ServiceMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let hashes: Counter
    private let roundTrip: DurationHistogram
    private let failovers: Counter
    private let mining: Gauge
    private let hashrate: [(rate: any KeyPath<StatsDocument.Hashrate, Double> & Sendable, gauge: Gauge)]
    /// What the mirrored counters showed at the last scrape, and the series that come and go.
    private let state = Locked(Mirrored())

    private struct Mirrored: Sendable {
        var hashes: UInt64 = 0
        var shares: [ShareSeries: UInt64] = [:]
        var poolGauges: [String: Gauge] = [:]
        var info: (labels: [String], gauge: Gauge)?
    }

    /// One series of `nightminer_shares_total`.
    private struct ShareSeries: Hashable, Sendable {
        var result: String
        var reason: String?
        var labels: [(String, String)] { [("result", result)] + (reason.map { [("reason", $0)] } ?? []) }
    }

    private static let sharesName = "nightminer_shares_total"
    private static let sharesHelp = "Shares by result (accepted, rejected, stale, lost, invalid); rejected ones also by reason."
    private static let poolName = "nightminer_pool_connected"
    private static let poolHelp = "1 while the pool is in use and authorized, else 0."
    private static let infoName = "nightminer_info"
    private static let infoHelp = "Always 1: the version, the algorithm mined and the hashing kernel, as labels."

    init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        hashes = registry.makeCounter(descriptor: .init(namespace: "nightminer", metricName: "hashes", unitName: "total",
                                                        helpText: "Hashes computed since the service started."))
        roundTrip = registry.makeDurationHistogram(
            descriptor: .init(namespace: "nightminer", metricName: "share_round_trip", unitName: "seconds",
                              helpText: "Time from submitting a share to the pool's answer."),
            buckets: [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                      .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10)])
        failovers = registry.makeCounter(descriptor: .init(namespace: "nightminer", metricName: "pool_failovers", unitName: "total",
                                                           helpText: "Moves from one pool of the list to another."))
        mining = registry.makeGauge(descriptor: .init(namespace: "nightminer", metricName: "mining", unitName: "",
                                                      helpText: "1 while mining is on (hashing or connecting), else 0."))
        let windows: [(String, any KeyPath<StatsDocument.Hashrate, Double> & Sendable)] = [("10s", \.tenSeconds), ("60s", \.oneMinute), ("15m", \.fifteenMinutes)]
        hashrate = windows.map { window, rate in
            (rate, registry.makeGauge(descriptor: .init(namespace: "nightminer", metricName: "hashrate", unitName: "hashes_per_second",
                                                          helpText: "Hash rate over a window of 10 s, 60 s or 15 min."),
                                        labels: [("window", window)]))
        }
        for result in ["accepted", "stale", "lost", "invalid"] { _ = shareCounter(ShareSeries(result: result)) }
        for reason in ["stale", "duplicate", "low-difficulty", "unauthorized", "not-subscribed", "other"] {
            _ = shareCounter(ShareSeries(result: "rejected", reason: reason))
        }
    }

    /// Records what is measured as it happens.
    func record(_ event: MinerEvent) {
        switch event {
        case .share(_, _, let roundTrip?):
            self.roundTrip.record(roundTrip)
        case .failover:
            failovers.increment()
        default:
            break
        }
    }

    /// The exposition, brought up to date from `stats`.
    func exposition(_ stats: StatsDocument, version: String) -> [UInt8] {
        state.withLock { mirrored in
            if stats.hashrate.totalHashes > mirrored.hashes {
                hashes.increment(by: Int64(stats.hashrate.totalHashes - mirrored.hashes))
                mirrored.hashes = stats.hashrate.totalHashes
            }
            var shares: [ShareSeries: UInt64] = [
                .init(result: "accepted"): stats.shares.accepted, .init(result: "stale"): stats.shares.stale,
                .init(result: "lost"): stats.shares.lost, .init(result: "invalid"): stats.shares.invalid,
            ]
            for (reason, count) in stats.shares.rejected { shares[.init(result: "rejected", reason: reason)] = count }
            for (series, count) in shares where count > mirrored.shares[series, default: 0] {
                shareCounter(series).increment(by: Int64(count - mirrored.shares[series, default: 0]))
                mirrored.shares[series] = count
            }
            for (rate, gauge) in hashrate { gauge.set(to: stats.hashrate[keyPath: rate]) }
            mining.set(to: stats.state == "stopped" ? 0 : 1)
            // One series per configured pool; a pool removed from the list loses its series.
            let urls = Set(stats.pools.map(\.url))
            for (url, gauge) in mirrored.poolGauges where !urls.contains(url) {
                registry.unregisterGauge(gauge)
                mirrored.poolGauges[url] = nil
            }
            for pool in stats.pools {
                let gauge = mirrored.poolGauges[pool.url] ?? registry.makeGauge(
                    descriptor: .init(metricName: Self.poolName, unitName: "", helpText: Self.poolHelp), labels: [("pool", pool.url)])
                mirrored.poolGauges[pool.url] = gauge
                gauge.set(to: pool.state == "active" ? 1 : 0)
            }
            let labels = [version, stats.algorithm, stats.kernel.isEmpty ? "none" : stats.kernel]
            if mirrored.info?.labels != labels {
                if let old = mirrored.info?.gauge { registry.unregisterGauge(old) }
                let gauge = registry.makeGauge(descriptor: .init(metricName: Self.infoName, unitName: "", helpText: Self.infoHelp),
                                               labels: [("version", labels[0]), ("algorithm", labels[1]), ("kernel", labels[2])])
                gauge.set(to: 1)
                mirrored.info = (labels, gauge)
            }
            return registry.emitToBuffer()
        }
    }

    private func shareCounter(_ series: ShareSeries) -> Counter {
        registry.makeCounter(descriptor: .init(metricName: Self.sharesName, unitName: "", helpText: Self.sharesHelp), labels: series.labels)
    }
}
