import Foundation
import Logging

/// Prints log records as `[YYYY-MM-DD HH:MM:SS] message` lines, like the original nightminer.
/// Errors and warnings go to standard error, everything else to standard output.
struct ConsoleLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var time = timeval()
        gettimeofday(&time, nil)
        var seconds = time_t(time.tv_sec)
        var parts = tm()
        localtime_r(&seconds, &parts)
        let stamp = String(format: "%04d-%02d-%02d %02d:%02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                           parts.tm_hour, parts.tm_min, parts.tm_sec)
        let prefix = event.level >= .warning ? "\(event.level): " : ""
        let line = "[\(stamp)] \(prefix)\(event.message)\n"
        let descriptor: Int32 = event.level >= .warning ? 2 : 1
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    /// Installs the handler for the whole process at `level`.
    static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { _ in ConsoleLogHandler(logLevel: level) }
    }
}
