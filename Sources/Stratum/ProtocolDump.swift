import Logging

/// `-P`: every stratum line sent and received, to the log, with the password of `mining.authorize` masked.
struct ProtocolDump: Sendable {
    /// Whether lines are logged at all.
    let enabled: Bool
    let logger: Logger

    /// Logs a line sent to the pool.
    func sent(_ line: String) {
        guard enabled else { return }
        logger.info("send \(Self.maskingPassword(in: line))")
    }

    /// Logs a line received from the pool.
    func received(_ line: String) {
        guard enabled else { return }
        logger.info("recv \(line)")
    }

    /// Replaces the password of a `mining.authorize` line with `***` so it never reaches a log.
    static func maskingPassword(in line: String) -> String {
        guard line.contains("mining.authorize"), case .request(let id, let method, var params)? = try? StratumMessage.parse(line),
              method == "mining.authorize", params.count > 1 else { return line }
        params[1] = .string("***")
        return StratumMessage.requestLine(id: id, method: method, params: params)
    }
}
