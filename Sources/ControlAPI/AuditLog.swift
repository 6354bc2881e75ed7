import Foundation
import Glibc

/// Every state change asked of the API, one JSON object a line, in a file only its owner can read
/// (mode 0600): time, client address, method, path and status; never a header or a body, so never a
/// secret. Each line is one `write` to a file opened for appending, so lines never interleave.
package final class AuditLog: Sendable {
    /// The file written to.
    package let path: String
    private let descriptor: Int32
    private let echo: @Sendable (String) -> Void

    /// Opens (or creates, mode 0600) the audit file at `path`; `echo` also gets each entry (for the log).
    package init(path: String, echo: @escaping @Sendable (String) -> Void = { _ in }) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AuditLogError(description: "cannot open the audit file \(path): \(String(cString: strerror(errno)))") }
        fchmod(fd, 0o600)
        self.path = path
        descriptor = fd
        self.echo = echo
    }

    deinit { close(descriptor) }

    /// Records one request that asked for a state change, with the status it got.
    package func record(_ request: HTTPRequest, status: Int) {
        let time = Date().formatted(.iso8601)
        let entry: [String: Any] = ["time": time, "client": request.clientAddress, "method": request.method,
                                    "path": String(request.path.prefix(256)), "status": status]
        guard let data = try? JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        let line = Array(data) + [UInt8(ascii: "\n")]
        _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        echo("audit: \(request.clientAddress) \(request.method) \(String(request.path.prefix(256))) -> \(status)")
    }
}

/// The audit file could not be opened.
package struct AuditLogError: Error, CustomStringConvertible {
    /// A sentence for the user.
    package let description: String
}
