import Guarded
import MiningEngine
import ProofOfWork

/// Measures the hashing engine on a synthetic job, without a pool: what `nightminer benchmark` prints.
package enum Benchmark {
    /// What one run measured.
    package struct Result: Sendable {
        /// Algorithm name.
        package var algorithm: String
        /// The scanner (kernel) type that hashed.
        package var kernel: String
        /// Threads used.
        package var threads: Int
        /// Measured seconds.
        package var seconds: Double
        /// Total hashes per second.
        package var hashrate: Double
        /// Each thread's hashes per second.
        package var perThread: [Double]
    }

    /// Hashes a synthetic header on `threads` engine threads for `seconds` (after a short warm-up) at a
    /// target no hash meets, so the loop measured is exactly the mining loop.
    package static func run(algorithm: any ProofOfWork, threads: Int, seconds: Double) async -> Result {
        let engine = MiningEngine()
        let work = MiningWork(jobID: "benchmark", algorithm: algorithm, target: Target(limbs: .zero)) { counter in
            var header = [UInt8](repeating: 0, count: 80)
            for i in 0..<80 { header[i] = UInt8(truncatingIfNeeded: i &* 31 &+ 7) }
            for i in 0..<8 { header[36 + i] = UInt8(truncatingIfNeeded: counter >> UInt64(8 * i)) }
            return header
        }
        engine.publish(work)
        engine.start(threads: threads)
        try? await Task.sleep(for: .milliseconds(500))
        let startCounts = engine.hashCounts
        let start = ContinuousClock.now
        try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
        let endCounts = engine.hashCounts
        let elapsed = start.duration(to: .now)
        engine.stop()
        await engine.stopped()
        let measured = elapsed.inSeconds
        let perThread = zip(endCounts, startCounts).map { Double($0 - $1) / measured }
        return Result(algorithm: algorithm.name, kernel: algorithm.kernelName, threads: threads,
                      seconds: measured, hashrate: perThread.reduce(0, +), perThread: perThread)
    }
}
