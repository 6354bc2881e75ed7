import Foundation

/// Runs blocking work (a socket wait, a child process) on its own thread, so tests never tie up Swift's
/// small cooperative thread pool (two threads on a two-core machine).
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
        }
    }
}
