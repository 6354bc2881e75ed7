import Synchronization

/// A `Synchronization.Mutex` that ThreadSanitizer understands.
///
/// Use it exactly like `Mutex`: `let state = Locked(State())`, then `state.withLock { $0.count += 1 }`.
/// Each lock and unlock is also reported to ThreadSanitizer when the process runs under it (see
/// ``ThreadSanitizerHooks``), so `swift test --sanitize=thread` reports real races only.
package struct Locked<Value: ~Copyable>: ~Copyable {
    private let mutex: Mutex<Value>
    /// A unique address that names this lock to ThreadSanitizer.
    private let token: UnsafeMutableRawPointer

    /// A lock guarding `initialValue`.
    package init(_ initialValue: consuming sending Value) {
        mutex = Mutex(initialValue)
        token = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)
    }

    deinit { token.deallocate() }

    /// Runs `body` with exclusive access to the value.
    package borrowing func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        try mutex.withLock { (value: inout sending Value) throws(E) -> sending Result in
            ThreadSanitizerHooks.acquire?(token)
            defer { ThreadSanitizerHooks.release?(token) }
            return try body(&value)
        }
    }
}

extension Locked: @unchecked Sendable where Value: ~Copyable {}
