import ProofOfWork

/// How the TLS certificate of a `stratum+ssl://` (or `stratum+tls://`) pool is checked.
///
/// By default the certificate must chain to the system's trust store and name the host (or its IP
/// address). ``caFile`` trusts a private CA instead; ``fingerprint`` pins the pool's own certificate and
/// accepts it even when self-signed; ``insecure`` turns every check off (logged at each connection).
public struct PoolTLS: Sendable, Hashable {
    /// A PEM file of CA certificates to trust instead of the system's (`--tls-ca`).
    public var caFile: String?
    /// The SHA-256 of the pool's leaf certificate (DER), pinned (`--tls-fingerprint`).
    public var fingerprint: [UInt8]?
    /// No certificate checks at all (`--tls-insecure`).
    public var insecure: Bool

    /// TLS with the given checks (the defaults verify against the system's trust store).
    public init(caFile: String? = nil, fingerprint: [UInt8]? = nil, insecure: Bool = false) {
        self.caFile = caFile
        self.fingerprint = fingerprint
        self.insecure = insecure
    }

    /// Reads a SHA-256 fingerprint written as 64 hex digits, with or without colons (`AB:CD:…`).
    public static func parseFingerprint(_ text: String) throws(StratumError) -> [UInt8] {
        let digits = text.filter { $0 != ":" && !$0.isWhitespace }
        guard digits.count == 64, let bytes = Hex.decode(digits) else {
            throw .invalidURL("a TLS fingerprint is the certificate's SHA-256: 64 hex digits, colons optional (got '\(text.prefix(100))')")
        }
        return bytes
    }

    /// `AB:CD:…`, as `openssl x509 -fingerprint -sha256` prints it.
    public static func format(fingerprint: [UInt8]) -> String {
        fingerprint.map { Hex.encode([$0]).uppercased() }.joined(separator: ":")
    }
}
