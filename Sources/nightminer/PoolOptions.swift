import ArgumentParser
import NightMiner
import Stratum

/// The pool flags `mine` and `serve` share: `-o` (repeat for backup pools) and what pairs with it.
struct PoolOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .customLong("url")],
            help: "Stratum pool URL (stratum+tcp://host:port, or stratum+ssl:// for TLS). Repeat for backup pools, in priority order.")
    var urls: [String] = []

    @Option(name: [.customShort("u"), .customLong("user")], help: "Worker name (once for every pool, or once per -o).")
    var users: [String] = []

    @Option(name: [.customShort("p"), .customLong("pass")], help: "Worker password (once, or once per -o).")
    var passwords: [String] = []

    @Option(name: [.customShort("O"), .customLong("userpass")], help: "Worker name and password as USER:PASS (once, or once per -o).")
    var userpasses: [String] = []

    @Option(name: [.customShort("a"), .customLong("algo")], help: "Proof of work: scrypt (default) or sha256d (once, or once per -o).")
    var algorithms: [String] = []

    @Option(name: .customLong("tls-ca"), help: "Trust the CA certificates in this PEM file for TLS pools (once, or once per -o).")
    var tlsCA: [String] = []

    @Option(name: .customLong("tls-fingerprint"), help: "Pin a TLS pool's certificate by its SHA-256 (64 hex digits, colons optional).")
    var tlsFingerprints: [String] = []

    @Flag(name: .customLong("tls-insecure"), help: "Do not check the certificates of TLS pools that have no --tls-ca or --tls-fingerprint of their own (anyone in between can read the credentials).")
    var tlsInsecure = false

    @Option(name: .customLong("suggest-diff"), help: "Ask the pool for this share difficulty (mining.suggest_difficulty).")
    var suggestDifficulty: [Double] = []

    @Flag(help: "Do not send mining.extranonce.subscribe.")
    var noExtranonceSubscribe = false

    @Flag(help: "Follow client.reconnect to another host (by default only the same host is followed).")
    var allowRedirect = false

    @Option(help: "Seconds a higher-priority pool must stay healthy (probed) before the miner moves back to it.")
    var failbackAfter: Double = 120

    @Option(help: "Seconds a pool may leave a request (a share) unanswered before it counts as unresponsive: the session ends, the shares in flight count as lost, and the next pool is used.")
    var responseTimeout: Double = 20

    /// The flags as the library pairs them.
    var flags: PoolFlags {
        var flags = PoolFlags()
        flags.urls = urls
        flags.users = users
        flags.passwords = passwords
        flags.userpasses = userpasses
        flags.algorithms = algorithms
        flags.tlsCA = tlsCA
        flags.tlsFingerprints = tlsFingerprints
        flags.tlsInsecure = tlsInsecure
        flags.suggestDifficulty = suggestDifficulty
        flags.noExtranonceSubscribe = noExtranonceSubscribe
        return flags
    }

    /// Checks the flags that were given (pools are optional here: `mine` requires one itself).
    func validate() throws {
        if !urls.isEmpty {
            do { _ = try flags.endpoints() } catch { throw ValidationError(error.description) }
        } else if !users.isEmpty || !passwords.isEmpty || !userpasses.isEmpty || !tlsCA.isEmpty || !tlsFingerprints.isEmpty {
            throw ValidationError("-u, -p, -O and the TLS flags go with a pool: add -o stratum+tcp://HOST:PORT")
        }
        for algorithm in algorithms { try AlgorithmRegistryNames.validate(algorithm) }
        guard failbackAfter >= 1, failbackAfter <= 86_400 else { throw ValidationError("--failback-after must be between 1 and 86400 seconds") }
        guard responseTimeout >= 1, responseTimeout <= 600 else { throw ValidationError("--response-timeout must be between 1 and 600 seconds") }
    }

    /// Sets the stratum client's options these flags decide.
    func apply(to options: inout StratumClientOptions) {
        options.allowRedirect = allowRedirect
        options.failbackAfter = .milliseconds(Int64(failbackAfter * 1000))
        options.responseTimeout = .milliseconds(Int64(responseTimeout * 1000))
    }

    /// The pools, or none when no `-o` was given.
    func endpoints() throws -> [PoolEndpoint] {
        guard !urls.isEmpty else { return [] }
        do { return try flags.endpoints() } catch { throw ValidationError(error.description) }
    }
}
