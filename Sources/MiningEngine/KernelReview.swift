import Guarded
import ProofOfWork
import Synchronization

/// The review of the kernel in use while mining: the calibration at start is a few milliseconds long and
/// can be fooled by load, so every ``MiningEngine/kernelReviewInterval`` hashing thread 0 spends a few
/// dozen batches of its real work alternating between the kernel in use and the algorithm's
/// ``ProofOfWork/runnerUp``, timing each batch by the thread's CPU time (time spent preempted does not
/// count). When the runner-up's median is faster by more than ``margin`` in ``requiredWins`` reviews in a
/// row, every thread moves to it: the switch is logged, reported to the handler (``MiningEngine/onKernelSwitch(_:)``)
/// and shown in ``MiningEngine/kernelReview``.
public struct KernelReviewReport: Sendable, Equatable {
    /// The algorithm reviewed (`sha256d`, `scrypt`).
    public var algorithm: String
    /// The kernel in use.
    public var kernel: String
    /// The kernel it was last timed against.
    public var runnerUp: String
    /// The kernel in use's median rate in the last review, hashes per second of one thread's CPU time.
    public var kernelHashesPerSecond: Double
    /// The runner-up's median rate in the last review.
    public var runnerUpHashesPerSecond: Double
    /// Reviews done (of any algorithm) since the process started.
    public var reviews: Int
    /// Reviews in a row the runner-up has won, towards ``KernelReview/requiredWins``.
    public var runnerUpWins: Int
    /// Kernel switches made.
    public var switches: Int
}

/// A switch of kernel made by the review.
public struct KernelSwitch: Sendable, Equatable {
    /// The algorithm.
    public var algorithm: String
    /// The kernel left.
    public var from: String
    /// The kernel now in use.
    public var to: String
    /// The medians of the review that decided it (hashes per second, one thread): the kernel left's.
    public var fromHashesPerSecond: Double
    /// The new kernel's.
    public var toHashesPerSecond: Double
}

/// The review's constants and the state the hashing threads share: the kernel in force per algorithm and
/// the last report.
package final class KernelReview: Sendable {
    /// How much faster the runner-up's median must be to count as a win.
    package static let margin = 1.03
    /// Wins in a row that make a switch.
    package static let requiredWins = 3
    /// Timed batches per kernel in one review (they alternate, so drift hits both alike).
    package static let batchesPerKernel = 16

    private struct State: Sendable {
        /// The algorithm in force instead of the published one, by algorithm name, with the kernel it replaces.
        var replacements: [String: (replaces: String, with: any ProofOfWork)] = [:]
        var report: KernelReviewReport?
        var handler: (@Sendable (KernelSwitch) -> Void)?
    }

    private let state = Locked(State())
    /// Bumped on every switch, so threads re-read the replacements only then.
    let generation = Atomic<UInt64>(0)

    /// The last review's report.
    var report: KernelReviewReport? { state.withLock { $0.report } }

    /// Sets the handler told of each switch (replacing the previous one).
    func setHandler(_ handler: (@Sendable (KernelSwitch) -> Void)?) { state.withLock { $0.handler = handler } }

    /// The algorithm to hash `published` with: a replacement made by a review for a calibrated algorithm
    /// (one with a runner-up), else `published` itself.
    func inForce(for published: any ProofOfWork, reviewable: Bool) -> any ProofOfWork {
        guard reviewable else { return published }
        return state.withLock { state in
            guard let replacement = state.replacements[published.name], replacement.replaces == published.kernelName else { return published }
            return replacement.with
        }
    }

    /// Records a finished trial; switches when the runner-up has won often enough. Returns the switch made.
    func record(_ trial: KernelTrial, algorithm: any ProofOfWork, published: any ProofOfWork) -> KernelSwitch? {
        let (current, other) = (trial.median(0), trial.median(1))
        let (made, handler) = state.withLock { state -> (KernelSwitch?, (@Sendable (KernelSwitch) -> Void)?) in
            var report = state.report ?? KernelReviewReport(algorithm: algorithm.name, kernel: algorithm.kernelName, runnerUp: "",
                                                            kernelHashesPerSecond: 0, runnerUpHashesPerSecond: 0,
                                                            reviews: 0, runnerUpWins: 0, switches: 0)
            if report.algorithm != algorithm.name || report.kernel != algorithm.kernelName || report.runnerUp != trial.runnerUp.kernelName {
                report.runnerUpWins = 0
            }
            report.algorithm = algorithm.name
            report.kernel = algorithm.kernelName
            report.runnerUp = trial.runnerUp.kernelName
            report.kernelHashesPerSecond = current
            report.runnerUpHashesPerSecond = other
            report.reviews += 1
            report.runnerUpWins = other > current * Self.margin ? report.runnerUpWins + 1 : 0
            var made: KernelSwitch?
            if report.runnerUpWins >= Self.requiredWins {
                made = KernelSwitch(algorithm: algorithm.name, from: algorithm.kernelName, to: trial.runnerUp.kernelName,
                                    fromHashesPerSecond: current, toHashesPerSecond: other)
                state.replacements[algorithm.name] = (replaces: published.kernelName, with: trial.runnerUp)
                report.kernel = trial.runnerUp.kernelName
                report.runnerUp = algorithm.kernelName
                report.kernelHashesPerSecond = other
                report.runnerUpHashesPerSecond = current
                report.runnerUpWins = 0
                report.switches += 1
                generation.add(1, ordering: .releasing)
            }
            state.report = report
            return (made, made == nil ? nil : state.handler)
        }
        if let made { handler?(made) }
        return made
    }
}

/// One review in progress on hashing thread 0 (used by that thread alone): the kernel in use (turn 0) and
/// the runner-up (turn 1) take turns on the thread's real nonces, batch by batch.
final class KernelTrial {
    /// The algorithm on the runner-up kernel.
    let runnerUp: any ProofOfWork
    /// Its scanner, loaded with the same header as the thread's.
    let scanner: any NonceScanner
    /// Whose batch is next: 0 the kernel in use, 1 the runner-up.
    private(set) var turn = 0
    /// Each kernel's batch rates (hashes per CPU second).
    private var rates: [[Double]]

    init(runnerUp: any ProofOfWork, header: [UInt8]) {
        self.runnerUp = runnerUp
        scanner = runnerUp.makeScanner()
        scanner.load(header: header)
        rates = [[], []]
        rates[0].reserveCapacity(KernelReview.batchesPerKernel)
        rates[1].reserveCapacity(KernelReview.batchesPerKernel)
    }

    /// Records the batch just scanned by `turn`'s kernel and passes the turn. A batch cut short by a share
    /// is not timed (too short to tell).
    func record(result: ScanResult, count: UInt32, cpu: Duration) {
        let seconds = cpu.inSeconds
        if result.nonce == nil, result.hashesDone == count, seconds > 0 {
            rates[turn].append(Double(result.hashesDone) / seconds)
        }
        turn ^= 1
    }

    /// Whether both kernels have their batches.
    var isComplete: Bool { rates.allSatisfy { $0.count >= KernelReview.batchesPerKernel } }

    /// The median rate of kernel `index` (0: in use, 1: runner-up).
    func median(_ index: Int) -> Double {
        rates[index].median ?? 0
    }
}
