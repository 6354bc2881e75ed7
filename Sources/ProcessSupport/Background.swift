import Foundation

/// `-B`: starts this program again with the same arguments, in a new session, detached from the terminal,
/// with its output discarded, and returns in the parent. The child knows it is the child from its
/// environment, not from its arguments (`-qB` and other spellings of `-B` once made it spawn itself forever).
package enum Background {
    /// Set in the child's environment.
    package static let childVariable = "NIGHTMINER_BACKGROUND_CHILD"

    /// Whether this process is the detached child.
    package static var isChild: Bool { ProcessInfo.processInfo.environment[childVariable] == "1" }

    /// glibc's POSIX_SPAWN_SETSID (not imported into Swift): start the child in a new session.
    private static let spawnSetSession: Int16 = 0x80

    package static func detach() throws {
        let arguments = CommandLine.arguments
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, spawnSetSession)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor in [Int32(0), 1, 2] {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        // Nothing else is inherited: a pipe end kept open would keep whoever started us waiting for EOF.
        for descriptor in inheritedDescriptors() where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
        let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let environment = ProcessInfo.processInfo.environment.filter { $0.key != childVariable }.map { "\($0.key)=\($0.value)" }
            + ["\(childVariable)=1"]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, &argv, &envp)
        guard status == 0 else {
            throw BackgroundError(message: "cannot start in the background: \(String(cString: strerror(status)))")
        }
        print("nightminer is running in the background as process \(pid)")
    }
}

extension Background {
    /// This process's open descriptors (from /proc/self/fd).
    package static func inheritedDescriptors() -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return names.compactMap { Int32($0) }.filter { fcntl($0, F_GETFD) >= 0 }
    }
}

/// A failure to detach.
package struct BackgroundError: Error, CustomStringConvertible {
    package let message: String
    package var description: String { message }
}
