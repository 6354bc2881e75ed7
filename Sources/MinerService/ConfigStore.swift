import Foundation
import NightMiner

/// Reads and writes the service's configuration file so that it is never half-written: each save goes to
/// a temporary file in the same folder, is flushed to disk, then renamed over the old file.
package struct ConfigStore: Sendable {
    /// Why the file could not be read or written, naming the file.
    package struct Failure: Error, Sendable, CustomStringConvertible {
        /// A sentence naming the file and the problem.
        package let description: String
    }

    /// The file.
    package let path: String

    /// A store for `path`.
    package init(path: String) { self.path = path }

    /// Whether the file exists.
    package var exists: Bool { FileManager.default.fileExists(atPath: path) }

    /// Reads and validates the file. A corrupt file is reported, never replaced.
    package func load() throws(Failure) -> ServiceSettings {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw Failure(description: "cannot read the configuration file \(path): \(error.localizedDescription)")
        }
        let settings: ServiceSettings
        do {
            settings = try JSONDecoder().decode(ServiceSettings.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            throw Failure(description: "the configuration file \(path) is not valid JSON (\(context.debugDescription)); fix or remove it")
        } catch let DecodingError.keyNotFound(key, _) {
            throw Failure(description: "the configuration file \(path) lacks '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw Failure(description: "the configuration file \(path) has a wrong type at '\(field)'")
        } catch {
            throw Failure(description: "the configuration file \(path) cannot be read: \(error)")
        }
        guard settings.version == 1 else {
            throw Failure(description: "the configuration file \(path) has version \(settings.version); this nightminer reads version 1")
        }
        if let problem = MinerConfiguration.threadProblem(settings.threads) {
            throw Failure(description: "the configuration file \(path): \(problem)")
        }
        guard Set(settings.pools.map(\.id)).count == settings.pools.count else {
            throw Failure(description: "the configuration file \(path) has two pools with the same id")
        }
        return settings
    }

    /// Writes `settings` atomically (temporary file, fsync, rename, fsync of the folder), mode 0600.
    package func save(_ settings: ServiceSettings) throws(Failure) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(settings.persistable) else { throw Failure(description: "cannot encode the configuration") }
        let directory = (path as NSString).deletingLastPathComponent
        let folder = directory.isEmpty ? "." : directory
        let temporary = "\(folder)/.\((path as NSString).lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        var ok = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return false }
                offset += written
            }
            return true
        }
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(temporary)
            throw Failure(description: "cannot save the configuration file \(path): \(why)")
        }
        let directoryFD = open(folder, O_RDONLY)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }
}
