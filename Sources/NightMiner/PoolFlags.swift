import Stratum

/// The pool flags of the command line: `-o` repeated for backup pools (in priority order), and `-u`, `-p`,
/// `-O`, `-a` and the per-pool options paired with them by position; a flag given once applies to every pool.
package struct PoolFlags: Sendable {
    /// `-o`: pool URLs in priority order.
    package var urls: [String] = []
    /// `-u`: worker names.
    package var users: [String] = []
    /// `-p`: passwords.
    package var passwords: [String] = []
    /// `-O`: `USER:PASS` pairs.
    package var userpasses: [String] = []
    /// `-a`: proof-of-work algorithms (registry names).
    package var algorithms: [String] = []
    /// `--tls-ca`: PEM files of CAs to trust (TLS pools).
    package var tlsCA: [String] = []
    /// `--tls-fingerprint`: SHA-256 fingerprints to pin (TLS pools).
    package var tlsFingerprints: [String] = []
    /// `--tls-insecure`: no certificate checks for the TLS pools that have no check of their own (no
    /// `--tls-ca`, no `--tls-fingerprint`); a pin or a CA given for a pool always wins (logged).
    package var tlsInsecure = false
    /// `--suggest-diff`: difficulties to ask for with `mining.suggest_difficulty`.
    package var suggestDifficulty: [Double] = []
    /// `--no-extranonce-subscribe`: never send `mining.extranonce.subscribe`.
    package var noExtranonceSubscribe = false

    /// No pools yet.
    package init() {}

    /// The pools, each with its credentials and options. Throws a sentence naming the flag at fault.
    package func endpoints() throws(MinerError) -> [PoolEndpoint] {
        guard !urls.isEmpty else { throw .invalidConfiguration("a pool URL is required: -o stratum+tcp://HOST:PORT") }
        var pools = [PoolEndpoint]()
        for (index, url) in urls.enumerated() {
            var user = try Self.value(users, "-u", at: index, of: urls.count)
            var password = try Self.value(passwords, "-p", at: index, of: urls.count)
            if let pair = try Self.value(userpasses, "-O", at: index, of: urls.count) {
                guard let colon = pair.firstIndex(of: ":") else { throw .invalidConfiguration("-O must be USER:PASS") }
                user = String(pair[..<colon])
                password = String(pair[pair.index(after: colon)...])
            }
            guard let user else { throw .invalidConfiguration("a worker name is required for \(url): -u WORKER (or -O USER:PASS)") }
            var pool: PoolEndpoint
            do { pool = try PoolEndpoint(url: url, user: user, password: password ?? "") } catch {
                throw .invalidConfiguration(error.description)
            }
            if pool.tls != nil {
                pool.tls?.caFile = try Self.value(tlsCA, "--tls-ca", at: index, of: urls.count)
                if let text = try Self.value(tlsFingerprints, "--tls-fingerprint", at: index, of: urls.count) {
                    do { pool.tls?.fingerprint = try PoolTLS.parseFingerprint(text) } catch { throw .invalidConfiguration(error.description) }
                }
                // Per pool: only a pool with no check of its own goes unchecked.
                let ownCheck = pool.tls?.caFile != nil || pool.tls?.fingerprint != nil
                pool.tls?.insecure = tlsInsecure && !ownCheck
            }
            pool.suggestDifficulty = try Self.value(suggestDifficulty, "--suggest-diff", at: index, of: urls.count)
            if let difficulty = pool.suggestDifficulty, !(difficulty > 0 && difficulty.isFinite) {
                throw .invalidConfiguration("--suggest-diff must be a positive number")
            }
            pool.extranonceSubscribe = !noExtranonceSubscribe
            pool.algorithm = try Self.value(algorithms, "-a", at: index, of: urls.count)?.lowercased()
            pools.append(pool)
        }
        let tlsFlags = !tlsCA.isEmpty || !tlsFingerprints.isEmpty || tlsInsecure
        if tlsFlags, !pools.contains(where: { $0.tls != nil }) {
            throw .invalidConfiguration("--tls-ca, --tls-fingerprint and --tls-insecure apply to stratum+ssl:// pools; no pool uses TLS")
        }
        return pools
    }

    /// The value for pool `index`: the only one given, the one at `index`, or nil when none was given.
    private static func value<T>(_ values: [T], _ flag: String, at index: Int, of count: Int) throws(MinerError) -> T? {
        switch values.count {
        case 0: return nil
        case 1: return values[0]
        case count: return values[index]
        default: throw .invalidConfiguration("\(flag) was given \(values.count) times for \(count) pools: give it once, or once per -o")
        }
    }
}
