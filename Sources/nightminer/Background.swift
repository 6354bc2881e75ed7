import Foundation

/// `-B`: starts this program again without `-B`, in a new session, detached from the terminal, with its
/// output discarded, and returns in the parent.
enum Background {
    /// glibc's POSIX_SPAWN_SETSID (not imported into Swift): start the child in a new session.
    private static let spawnSetSession: Int16 = 0x80

    static func detach() throws {
        let arguments = CommandLine.arguments.enumerated().filter { index, argument in
            index == 0 || (argument != "-B" && argument != "--background")
        }.map { $0.element }
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
        let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, &argv, environ)
        guard status == 0 else {
            throw BackgroundError(message: "cannot start in the background: \(String(cString: strerror(status)))")
        }
        print("nightminer is running in the background as process \(pid)")
    }
}

/// A failure to detach.
struct BackgroundError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
