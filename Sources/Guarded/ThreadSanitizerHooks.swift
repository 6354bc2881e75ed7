#if canImport(Glibc)
import Glibc
#endif

/// ThreadSanitizer's annotation entry points, found at run time.
///
/// `Synchronization.Mutex` locks with futexes inside the prebuilt standard library, where
/// ThreadSanitizer cannot see them, so every access under a `Mutex` is reported as a race. ``Locked``
/// tells ThreadSanitizer about each acquire and release through these hooks. Without the sanitizer
/// runtime in the process the symbols are absent and the hooks are nil: one predictable branch per lock.
enum ThreadSanitizerHooks {
    typealias Annotation = @convention(c) (UnsafeMutableRawPointer?) -> Void

    /// `__tsan_acquire`, when the process runs under ThreadSanitizer.
    static let acquire: Annotation? = lookup("__tsan_acquire")
    /// `__tsan_release`, when the process runs under ThreadSanitizer.
    static let release: Annotation? = lookup("__tsan_release")

    private static func lookup(_ name: String) -> Annotation? {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(symbol, to: Annotation.self)
        #else
        return nil
        #endif
    }
}
