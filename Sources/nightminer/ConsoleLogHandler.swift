import Foundation
import Logging
import NightMiner
import Synchronization

/// Prints log records as `[YYYY-MM-DD HH:MM:SS] message` lines, like the original nightminer.
/// Errors and warnings go to standard error, everything else to standard output. Control characters in
/// messages are printed as escapes (``LogText/printable(_:)``).
struct ConsoleLogHandler: LogHandler {
    /// The level every handler of the process reads, changeable at run time (`PATCH /config`).
    final class SharedLevel: Sendable {
        private let raw: Atomic<Int>
        init(_ level: Logger.Level) { raw = Atomic(Logger.Level.allCases.firstIndex(of: level) ?? 2) }
        var level: Logger.Level {
            get { Logger.Level.allCases[raw.load(ordering: .relaxed)] }
            set { raw.store(Logger.Level.allCases.firstIndex(of: newValue) ?? 2, ordering: .relaxed) }
        }
    }

    let shared: SharedLevel
    var metadata: Logger.Metadata = [:]

    var logLevel: Logger.Level {
        get { shared.level }
        set { shared.level = newValue }
    }

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
        // Messages can carry pool text: control characters are escaped so it cannot forge lines or drive the terminal.
        let line = "[\(stamp)] \(prefix)\(LogText.printable(event.message.description))\n"
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

    /// Installs the handler for the whole process at `level`; returns the level holder to change it later.
    @discardableResult
    static func bootstrap(level: Logger.Level) -> SharedLevel {
        let shared = SharedLevel(level)
        LoggingSystem.bootstrap { _ in ConsoleLogHandler(shared: shared) }
        return shared
    }
}
