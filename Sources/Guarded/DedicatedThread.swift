import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts OS threads (never Swift's cooperative pool) with a name the system shows (`ps -L`, debuggers,
/// tools/malloc-counter). Without a name a new thread inherits its creator's, often a dispatch worker's.
package enum DedicatedThread {
    private typealias SetName = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32

    /// glibc's `pthread_setname_np`, which the Glibc module does not import (a GNU extension).
    private static let setName: SetName? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pthread_setname_np") else { return nil }
        return unsafeBitCast(symbol, to: SetName.self)
    }()

    /// Runs `body` on a new thread named `name` (cut to the 15 bytes Linux allows).
    package static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let shortName = String(decoding: name.utf8.prefix(15), as: UTF8.self)
        let thread = Thread {
            _ = setName?(pthread_self(), shortName)
            body()
        }
        thread.name = shortName
        thread.start()
    }
}
