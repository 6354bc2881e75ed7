import ArgumentParser
import Foundation
import ProcessSupport
import Logging

/// How the process runs and logs, for `mine` and `serve`: `-B` detaches it, `--pid-file` records its
/// process id, `--log-file` and `--log-format` say where and how it logs, `-q` and `-d` how much.
struct ProcessOptions: ParsableArguments {
    @Flag(name: [.customShort("B"), .customLong("background")], help: "Run in the background (detached from the terminal).")
    var background = false

    @Option(help: "Write the process id to this file (removed at exit).")
    var pidFile: String?

    @Option(help: "Append the log to this file instead of the terminal (with -B, the log goes nowhere without it).")
    var logFile: String?

    @Option(help: "Log lines as text (the original's) or json (one object per line).")
    var logFormat: ConsoleLogHandler.Format = .text

    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Print errors only.")
    var quiet = false

    @Flag(name: [.customShort("d"), .customLong("debug")], help: "Print debug messages.")
    var debug = false

    /// The log level the flags ask for (`fallback` when neither -q nor -d is given).
    func level(fallback: Logger.Level = .info) -> Logger.Level { quiet ? .error : (debug ? .debug : fallback) }

    /// Detaches with `-B` (false in the parent, which then exits), sends the log to `--log-file`, installs
    /// the log handler and writes the pid file. Returns the level holder.
    func begin(level: Logger.Level? = nil) throws -> ConsoleLogHandler.SharedLevel? {
        if background && !Background.isChild {
            try Background.detach()
            return nil
        }
        if let logFile {
            let descriptor = open(logFile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
            guard descriptor >= 0 else { throw ValidationError("cannot open the log file \(logFile): \(String(cString: strerror(errno)))") }
            dup2(descriptor, 1)
            dup2(descriptor, 2)
            close(descriptor)
        }
        let shared = ConsoleLogHandler.bootstrap(level: level ?? self.level(), format: logFormat)
        if let pidFile {
            let text = "\(getpid())\n"
            do { try text.write(toFile: pidFile, atomically: true, encoding: .utf8) } catch {
                throw ValidationError("cannot write the pid file \(pidFile): \(error.localizedDescription)")
            }
        }
        return shared
    }

    /// Removes the pid file.
    func end() {
        if let pidFile { unlink(pidFile) }
    }
}

extension ConsoleLogHandler.Format: ExpressibleByArgument {}
