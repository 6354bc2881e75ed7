import NIOCore
import NIOSSL
import ProofOfWork
import Synchronization

/// The TLS side of a pool connection: the client handler for a pool's ``PoolTLS`` settings, and refusals
/// in words a user can act on.
enum TLSConnector {
    /// The context for a pool's TLS settings. A pinned certificate is checked by its fingerprint alone
    /// (a self-signed certificate need not name the host), and a pin always wins over `insecure`;
    /// `insecure` without a pin turns every check off. Reads the CA file: build it once per setting, off
    /// the event loop.
    static func context(for tls: PoolTLS) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile = tls.caFile {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw StratumError.connection("cannot read the CA certificates in \(caFile): \(error)")
            }
        }
        if tls.fingerprint != nil {
            // The pin is the check (the handler's callback): the name is not required to match.
            configuration.certificateVerification = .noHostnameVerification
        } else if tls.insecure {
            configuration.certificateVerification = .none
        }
        contextsBuilt.add(1, ordering: .relaxed)
        return try NIOSSLContext(configuration: configuration)
    }

    /// How many contexts were built (a test checks they are reused).
    static let contextsBuilt = Atomic<Int>(0)

    /// A handler that verifies the pool as `tls` asks, with its prebuilt `context`; nothing is sent until
    /// it has. A fingerprint mismatch is written to `link`'s report with the certificate's real fingerprint.
    static func handler(for tls: PoolTLS, context: NIOSSLContext, host: String, link: SessionLink) throws -> NIOSSLClientHandler {
        // SNI takes host names only; an IP address is checked against the certificate's IP entries.
        let serverName = isIPAddress(host) ? nil : host
        guard let pin = tls.fingerprint else {
            return try NIOSSLClientHandler(context: context, serverHostname: serverName)
        }
        return try NIOSSLClientHandler(context: context, serverHostname: serverName) { chain, promise in
            guard let leaf = chain.first, let der = try? leaf.toDERBytes() else { return promise.succeed(.failed) }
            let actual = SHA256.hash(der)
            if actual == pin { return promise.succeed(.certificateVerified) }
            link.noteEnd("TLS: fingerprint mismatch: the pool's certificate is SHA256 \(PoolTLS.format(fingerprint: actual)), "
                + "not the pinned \(PoolTLS.format(fingerprint: pin))")
            promise.succeed(.failed)
        }
    }

    /// A TLS failure in words, or nil when `error` is not one.
    static func describe(_ error: any Error, host: String) -> String? {
        if let error = error as? NIOSSLExtraError, error == .failedToValidateHostname {
            return "TLS: the pool's certificate is not for \(host)"
        }
        if let error = error as? NIOSSLError {
            if case .handshakeFailed(let reason) = error, "\(reason)".contains("CERTIFICATE_VERIFY_FAILED") {
                return "TLS: certificate not trusted: it does not chain to a trusted CA (--tls-ca FILE trusts a private CA, --tls-fingerprint pins the pool's certificate)"
            }
            return "TLS handshake failed: \(error)"
        }
        return nil
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}
