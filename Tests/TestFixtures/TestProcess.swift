import Foundation

/// Another program run by a test: found on PATH, fed `input`, its output collected, killed after a time
/// limit, and always ended when the test is done with it.
public final class TestProcess: @unchecked Sendable {
    /// What a finished program left.
    public struct Outcome: Sendable {
        /// Exit status.
        public var status: Int32
        /// Standard output.
        public var output: String
        /// Standard error.
        public var errors: String
    }

    private let process = Process()
    private let outputFile: URL
    private let errorFile: URL

    /// Starts `program` (a name on PATH or a path) with `arguments`; output goes to temporary files.
    public init(_ program: String, _ arguments: [String], input: Data? = nil) throws {
        guard let path = Self.locate(program) else { throw TestProcessError("\(program) is not installed (run scripts/setup)") }
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let folder = FileManager.default.temporaryDirectory
        outputFile = folder.appendingPathComponent("nm-proc-\(UUID().uuidString).out")
        errorFile = folder.appendingPathComponent("nm-proc-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        if let input {
            let pipe = Pipe()
            process.standardInput = pipe
            try process.run()
            pipe.fileHandleForWriting.write(input)
            try pipe.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
    }

    /// Runs `program` to the end (killed after `seconds`).
    public static func run(_ program: String, _ arguments: [String], input: Data? = nil, seconds: Double = 60) throws -> Outcome {
        let child = try TestProcess(program, arguments, input: input)
        return child.wait(seconds: seconds)
    }

    /// Waits for the end (terminates the program after `seconds`), then reads what it wrote.
    public func wait(seconds: Double) -> Outcome {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        stop()
        return Outcome(status: process.terminationStatus, output: read(outputFile), errors: read(errorFile))
    }

    /// What it wrote so far.
    public var output: String { read(outputFile) + read(errorFile) }

    /// Ends the program (SIGTERM, then SIGKILL after 5 s) and removes its output files' names.
    public func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: outputFile)
        try? FileManager.default.removeItem(at: errorFile)
    }

    private func read(_ file: URL) -> String { (try? String(contentsOf: file, encoding: .utf8)) ?? "" }

    private static func locate(_ program: String) -> String? {
        if program.contains("/") { return program }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") + ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"] {
            let candidate = "\(folder)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// A program a test needs could not be run.
public struct TestProcessError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String
    init(_ description: String) { self.description = description }
}
