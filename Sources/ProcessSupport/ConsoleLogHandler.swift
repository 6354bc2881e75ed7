import Foundation
import JSON
import Logging
import Synchronization

/// Prints log records as `[YYYY-MM-DD HH:MM:SS] message` lines, like the original nightminer, or as one JSON
/// object per line (`--log-format json`: time, level, label, message, metadata). Errors and warnings go to
/// standard error, everything else to standard output. Control characters in text lines are printed as
/// escapes (``LogText/printable(_:)``); JSON escapes them itself.
package struct ConsoleLogHandler: LogHandler {
    /// How a record is written.
    package enum Format: String, CaseIterable, Sendable {
        case text, json
    }

    /// The level every handler of the process reads, changeable at run time (`PATCH /config`).
    package final class SharedLevel: Sendable {
        private let raw: Atomic<Int>
        package init(_ level: Logger.Level) { raw = Atomic(Logger.Level.allCases.firstIndex(of: level) ?? 2) }
        package var level: Logger.Level {
            get { Logger.Level.allCases[raw.load(ordering: .relaxed)] }
            set { raw.store(Logger.Level.allCases.firstIndex(of: newValue) ?? 2, ordering: .relaxed) }
        }
    }

    let shared: SharedLevel
    let format: Format
    let label: String
    package var metadata: Logger.Metadata = [:]

    package var logLevel: Logger.Level {
        get { shared.level }
        set { shared.level = newValue }
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var time = timeval()
        gettimeofday(&time, nil)
        var seconds = time_t(time.tv_sec)
        var parts = tm()
        localtime_r(&seconds, &parts)
        let stamp = String(format: "%04d-%02d-%02d %02d:%02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                           parts.tm_hour, parts.tm_min, parts.tm_sec)
        let line: String
        switch format {
        case .text:
            let prefix = event.level >= .warning ? "\(event.level): " : ""
            // Messages can carry pool text: control characters are escaped so it cannot forge lines or drive the terminal.
            line = "[\(stamp)] \(prefix)\(LogText.printable(event.message.description))\n"
        case .json:
            var utc = tm()
            gmtime_r(&seconds, &utc)
            let stamp = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                               utc.tm_hour, utc.tm_min, utc.tm_sec, Int(time.tv_usec) / 1000)
            var fields: [String: JSONValue] = [
                "time": .string(stamp), "level": .string(event.level.rawValue), "label": .string(label),
                "message": .string(event.message.description),
            ]
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            if !all.isEmpty { fields["metadata"] = .object(all.mapValues { .string("\($0)") }) }
            line = JSONValue.object(fields).serialized + "\n"
        }
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
    package static func bootstrap(level: Logger.Level, format: Format = .text) -> SharedLevel {
        let shared = SharedLevel(level)
        LoggingSystem.bootstrap { label in ConsoleLogHandler(shared: shared, format: format, label: label) }
        return shared
    }
}
