import Foundation

/// Certificates for TLS tests, made by `openssl` in a fresh temporary folder: a private CA, a pool
/// certificate it signed for `127.0.0.1` and `localhost`, and a self-signed pool certificate.
public struct TestCertificates: Sendable {
    /// The folder holding every file (remove it with ``remove()``).
    public let directory: URL
    /// The private CA's certificate (PEM).
    public var caCertificate: String { path("ca.pem") }
    /// The pool certificate signed by the CA, and its key.
    public var signed: (certificate: String, key: String) { (path("signed.pem"), path("signed.key")) }
    /// The self-signed pool certificate, and its key.
    public var selfSigned: (certificate: String, key: String) { (path("self.pem"), path("self.key")) }
    /// A self-signed certificate for another name (`pool.example`), and its key: only a pin can trust it here.
    public var otherName: (certificate: String, key: String) { (path("other.pem"), path("other.key")) }

    /// Makes the certificates (EC P-256, valid for a day). Blocking: call it off the cooperative pool.
    public static func make() throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nightminer-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificates = TestCertificates(directory: directory)
        let names = "subjectAltName=IP:127.0.0.1,DNS:localhost"
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"]
        try certificates.openssl(["req", "-x509"] + key + ["-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=nightminer test CA",
                                  "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"])
        try certificates.openssl(["req"] + key + ["-keyout", "signed.key", "-out", "signed.csr", "-subj", "/CN=127.0.0.1"])
        try String("\(names)\nbasicConstraints=CA:FALSE\n").write(to: directory.appendingPathComponent("signed.ext"), atomically: true, encoding: .utf8)
        try certificates.openssl(["x509", "-req", "-in", "signed.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                                  "-days", "1", "-out", "signed.pem", "-extfile", "signed.ext"])
        try certificates.openssl(["req", "-x509"] + key + ["-keyout", "self.key", "-out", "self.pem", "-subj", "/CN=127.0.0.1",
                                  "-addext", names])
        try certificates.openssl(["req", "-x509"] + key + ["-keyout", "other.key", "-out", "other.pem", "-subj", "/CN=pool.example",
                                  "-addext", "subjectAltName=DNS:pool.example"])
        return certificates
    }

    /// The SHA-256 fingerprint of a certificate, as `openssl x509 -fingerprint -sha256` prints it (`AB:CD:…`).
    public func fingerprint(of certificate: String) throws -> String {
        let output = try openssl(["x509", "-in", certificate, "-noout", "-fingerprint", "-sha256"])
        guard let equals = output.firstIndex(of: "=") else { throw Failure("no fingerprint in '\(output)'") }
        return output[output.index(after: equals)...].trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Removes the folder.
    public func remove() { try? FileManager.default.removeItem(at: directory) }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    @discardableResult
    private func openssl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = directory
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw Failure("openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(text)") }
        return text
    }

    /// An `openssl` run that failed.
    public struct Failure: Error, CustomStringConvertible {
        /// What openssl said.
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
