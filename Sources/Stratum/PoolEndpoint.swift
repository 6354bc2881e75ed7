/// A pool to mine on: where it is and the credentials for it.
///
/// The password is a secret: ``description`` never shows it.
public struct PoolEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The URL as given, `stratum+tcp://host:port`.
    public var url: String
    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// Worker name (`mining.authorize`'s first param and `mining.submit`'s first).
    public var user: String
    /// Worker password (never logged or returned).
    public var password: String
    /// TLS and how the certificate is checked (`stratum+ssl://`, `stratum+tls://`); nil for plain TCP.
    public var tls: PoolTLS?
    /// Send `mining.extranonce.subscribe` after authorizing (pools that do not know it answer with an
    /// error, which is harmless).
    public var extranonceSubscribe = true
    /// A difficulty to ask for with `mining.suggest_difficulty` (`--suggest-diff`), or nil.
    public var suggestDifficulty: Double?
    /// The proof-of-work algorithm mined on this pool (a registry name such as `sha256d`); nil mines the
    /// client's default algorithm.
    public var algorithm: String?

    /// Parses `stratum+tcp://host:port` (also `tcp://` and a bare `host:port`; IPv6 as `[addr]:port`), and
    /// `stratum+ssl://` or `stratum+tls://` for TLS with the certificate verified (see ``PoolTLS``).
    public init(url: String, user: String, password: String) throws(StratumError) {
        var rest = Substring(url.trimmingWhitespace())
        if let range = rest.range(of: "://") {
            let scheme = rest[..<range.lowerBound].lowercased()
            switch scheme {
            case "stratum+tcp", "tcp", "stratum": tls = nil
            case "stratum+ssl", "stratum+tls", "ssl", "tls": tls = PoolTLS()
            default: throw .invalidURL("unsupported scheme '\(scheme)' in \(url) (use stratum+tcp://host:port or stratum+ssl://host:port)")
            }
            rest = rest[range.upperBound...]
        }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        let host: Substring
        let portText: Substring
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = rest[rest.index(after: rest.startIndex)..<close]
            let afterClose = rest[rest.index(after: close)...]
            guard afterClose.hasPrefix(":") else { throw .invalidURL("missing port in \(url)") }
            portText = afterClose.dropFirst()
        } else {
            guard let colon = rest.lastIndex(of: ":") else { throw .invalidURL("missing port in \(url) (use stratum+tcp://host:port)") }
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || ".-_:".contains($0) }) else {
            throw .invalidURL("bad host in \(url)")
        }
        guard let port = Int(portText), (1...65_535).contains(port) else { throw .invalidURL("bad port in \(url)") }
        self.url = url
        self.host = String(host)
        self.port = port
        self.user = user
        self.password = password
    }

    /// The URL and user, never the password.
    public var description: String { "\(url) as \(user)" }
}

extension String {
    func trimmingWhitespace() -> String {
        String(drop(while: { $0.isWhitespace }).reversed().drop(while: { $0.isWhitespace }).reversed())
    }
}
