import Guarded
import Foundation
import Logging
import ProofOfWork
import Synchronization

/// Dedicated hashing threads that mine whatever work is posted on the job board.
///
/// - Threads are OS threads, never Swift's cooperative pool. Between batches each reads the board's
///   atomic epoch; when it changed, the thread picks up the new work at once (a clean job reaches every
///   thread within one batch, a few milliseconds).
/// - Nonces are claimed in chunks with an atomic add, so ranges are disjoint.
/// - A share's hash comes from the scanner's exact check (hashed once, never again downstream) and is
///   compared with the whole target before it is put on the share stream (``makeShareStream()``); one that
///   fails is counted as invalid and dropped.
package final class MiningEngine: Sendable {
    /// Where verified shares go; set with ``setShareSink(_:)``.
    private let sink = Locked<AsyncStream<FoundShare>.Continuation?>(nil)
    /// The share tally (the ``Miner`` records pool verdicts here).
    package let ledger = ShareLedger()
    /// Hash rates.
    package let meter = HashrateMeter()

    private let board = JobBoard()
    private let logger: Logger
    private let control = Locked<Control>(Control())
    private let generation = Atomic<UInt64>(0)
    /// Every hashing and sampling thread is in this group while it runs: ``stopped()`` waits on it.
    private let threadGroup = DispatchGroup()
    /// The most shares one thread delivers per second (see ``init(logger:maximumSharesPerSecond:)``).
    private let maximumSharesPerSecond: Int
    private let lastThrottleWarning = Locked<ContinuousClock.Instant?>(nil)
    /// The kernel review (see ``KernelReviewReport``).
    private let review = KernelReview()
    /// Time between two kernel reviews; `nil`: never.
    package let kernelReviewInterval: Duration?

    private struct Control: Sendable {
        var threadCount = 0
        var counters: [HashCounter] = []
        var epochs: [HashCounter] = []
        var running = false
    }

    /// One atomic counter in a class, so arrays of them can be shared.
    final class HashCounter: Sendable {
        let value = Atomic<UInt64>(0)
    }

    /// An engine with no threads running yet. A thread that finds more than `maximumSharesPerSecond`
    /// shares in a second (a difficulty far too low for this machine) pauses for the rest of that second,
    /// so no difficulty can turn the miner into a flood of submits. Every `kernelReviewInterval` (`nil`:
    /// never) thread 0 reviews the kernel in use against the algorithm's runner-up (see ``KernelReviewReport``).
    package init(logger: Logger = Logger(label: "nightminer.engine"), maximumSharesPerSecond: Int = 20,
                kernelReviewInterval: Duration? = .seconds(300)) {
        self.logger = logger
        self.maximumSharesPerSecond = max(1, maximumSharesPerSecond)
        self.kernelReviewInterval = kernelReviewInterval
    }

    /// The last kernel review's figures; `nil` before the first review.
    package var kernelReview: KernelReviewReport? { review.report }

    /// Sets the handler told of every kernel switch the review makes (called on a hashing thread).
    package func onKernelSwitch(_ handler: (@Sendable (KernelSwitch) -> Void)?) { review.setHandler(handler) }

    /// The kernel that hashes `algorithm`'s work: its own, or the one a review moved to.
    package func kernelInForce(for algorithm: any ProofOfWork) -> String {
        review.inForce(for: algorithm, reviewable: algorithm.runnerUp != nil).kernelName
    }

    /// Makes a fresh stream of verified shares, in the order found; the previous stream (if any) ends.
    /// Shares found while no stream is installed are counted in the ledger but not delivered.
    package func makeShareStream() -> AsyncStream<FoundShare> {
        let (stream, continuation) = AsyncStream.makeStream(of: FoundShare.self,
                                                            bufferingPolicy: .bufferingOldest(Self.maximumQueuedShares))
        sink.withLock { old in
            old?.finish()
            old = continuation
        }
        return stream
    }

    /// Ends the current share stream.
    package func closeShareStream() {
        sink.withLock { old in
            old?.finish()
            old = nil
        }
    }

    /// The default thread count: one per core.
    package static var defaultThreadCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Whether threads are running.
    package var isRunning: Bool { control.withLock { $0.running } }

    /// The number of hashing threads while running.
    package var threadCount: Int { control.withLock { $0.threadCount } }

    /// Starts `threads` hashing threads (restarting them if a different count is running).
    package func start(threads: Int) {
        let count = max(1, threads)
        if control.withLock({ $0.running && $0.threadCount == count }) { return }
        stop()
        let (counters, epochs, myGeneration) = control.withLock { control -> ([HashCounter], [HashCounter], UInt64) in
            control.threadCount = count
            control.counters = (0..<count).map { _ in HashCounter() }
            control.epochs = (0..<count).map { _ in HashCounter() }
            control.running = true
            return (control.counters, control.epochs, generation.add(1, ordering: .sequentiallyConsistent).newValue)
        }
        meter.reset()
        for index in 0..<count {
            threadGroup.enter()
            DedicatedThread.start(name: "nm-hash-\(index)") { [self] in
                self.hashLoop(index: index, counter: counters[index], adoptedEpoch: epochs[index], generation: myGeneration)
                self.threadGroup.leave()
            }
        }
        threadGroup.enter()
        DedicatedThread.start(name: "nm-meter") { [self] in
            self.sampleLoop(generation: myGeneration)
            self.threadGroup.leave()
        }
        logger.info("started \(count) hashing thread\(count == 1 ? "" : "s")")
    }

    /// Tells every hashing thread to stop; each leaves within one batch. Returns at once: await
    /// ``stopped()`` to know they have exited.
    package func stop() {
        let wasRunning = control.withLock { control -> Bool in
            let was = control.running
            control.running = false
            return was
        }
        guard wasRunning else { return }
        generation.add(1, ordering: .sequentiallyConsistent)
        logger.info("hashing threads stopping")
    }

    /// Returns once every thread this engine started has exited (at once when none runs). It waits
    /// without blocking a thread.
    package func stopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            threadGroup.notify(queue: .global()) { continuation.resume() }
        }
    }

    /// Posts new work; every thread switches to it within one batch.
    package func publish(_ work: MiningWork) { board.publish(work) }

    /// Makes the running job's target stricter (a difficulty rise applies to running jobs this way).
    package func tighten(to target: Target, jobID: String) { board.tighten(to: target, jobID: jobID) }

    /// Removes the work; threads idle (for example while disconnected).
    package func withdrawWork() { board.withdraw() }

    /// The board's epoch and the epoch each thread has adopted (equal once every thread switched).
    package var epochs: (board: UInt64, threads: [UInt64]) {
        let threads = control.withLock { $0.epochs.map { $0.value.load(ordering: .acquiring) } }
        return (board.epoch.load(ordering: .acquiring), threads)
    }

    /// Rates over 10 s / 60 s / 15 min.
    package var hashrate: HashrateSnapshot { meter.snapshot() }

    /// Cumulative hashes per thread.
    package var hashCounts: [UInt64] { control.withLock { $0.counters.map { $0.value.load(ordering: .relaxed) } } }

    private func sampleLoop(generation myGeneration: UInt64) {
        while generation.load(ordering: .sequentiallyConsistent) == myGeneration {
            meter.record(hashCounts)
            for _ in 0..<10 where generation.load(ordering: .relaxed) == myGeneration { usleep(100_000) }
        }
    }

    private func hashLoop(index: Int, counter: HashCounter, adoptedEpoch: HashCounter, generation myGeneration: UInt64) {
        var seenEpoch = UInt64.max
        var assignment: JobBoard.Assignment?
        /// Whether the assignment's algorithm was calibrated (has a runner-up), so a review may replace it.
        var reviewable = false
        var seenReview = UInt64.max
        /// The algorithm hashing the assignment's work (its kernel possibly replaced by a review).
        var inForce: (any ProofOfWork)?
        var scanner: (any NonceScanner)?
        var scannerKernel = ""
        var loadedExtranonce2 = UInt64.max
        var header = [UInt8]()
        var window = ShareWindow()
        var trial: KernelTrial?
        var nextReview = kernelReviewInterval.map { ContinuousClock.now + $0 }
        while generation.load(ordering: .relaxed) == myGeneration {
            let epoch = board.epoch.load(ordering: .acquiring)
            let reviewGeneration = review.generation.load(ordering: .acquiring)
            if epoch != seenEpoch || reviewGeneration != seenReview {
                if epoch != seenEpoch {
                    seenEpoch = epoch
                    assignment = board.assignment
                    reviewable = assignment?.work.algorithm.runnerUp != nil
                    loadedExtranonce2 = .max
                    adoptedEpoch.value.store(epoch, ordering: .releasing)
                }
                seenReview = reviewGeneration
                inForce = assignment.map { review.inForce(for: $0.work.algorithm, reviewable: reviewable) }
            }
            guard let current = assignment, let algorithm = inForce else {
                usleep(2_000)
                continue
            }
            if scanner == nil || scannerKernel != algorithm.kernelName {
                scanner = algorithm.makeScanner()
                scannerKernel = algorithm.kernelName
                loadedExtranonce2 = .max
                trial = nil
            }
            let batch = UInt64(max(1, algorithm.batchSize))
            let chunk = Self.chunkSize(batch: batch)
            let claim = current.cursor.claim(chunk)
            if claim.extranonce2 != loadedExtranonce2 {
                header = current.work.header(claim.extranonce2)
                guard header.count == 80 else {
                    logger.error("work \(current.work.jobID) built a \(header.count)-byte header; idling")
                    assignment = nil
                    continue
                }
                scanner!.load(header: header)
                trial?.scanner.load(header: header)
                loadedExtranonce2 = claim.extranonce2
            }
            if index == 0, trial == nil, reviewable, let due = nextReview, ContinuousClock.now >= due {
                nextReview = kernelReviewInterval.map { ContinuousClock.now + $0 }
                if let other = algorithm.runnerUp { trial = KernelTrial(runnerUp: other, header: header) }
            }
            var position = UInt64(claim.nonce)
            let end = position + chunk
            while position < end {
                // New work or a stop ends the chunk at once (a chunk can take long when shares are frequent).
                if board.epoch.load(ordering: .relaxed) != seenEpoch || generation.load(ordering: .relaxed) != myGeneration { break }
                let count = UInt32(min(batch, end - position))
                let result: ScanResult
                if let running = trial {
                    let before = KernelVariant.threadCPUTime()
                    result = (running.turn == 0 ? scanner! : running.scanner).scan(from: UInt32(position), count: count, target: current.target)
                    running.record(result: result, count: count, cpu: KernelVariant.threadCPUTime() - before)
                    if running.isComplete {
                        trial = nil
                        if let made = review.record(running, algorithm: algorithm, published: current.work.algorithm) {
                            logger.notice("kernel review: \(made.algorithm) moves from \(made.from) to \(made.to) (\(Int(made.fromHashesPerSecond)) -> \(Int(made.toHashesPerSecond)) H/s on one thread, \(KernelReview.requiredWins) reviews in a row)")
                        }
                    }
                } else {
                    result = scanner!.scan(from: UInt32(position), count: count, target: current.target)
                }
                counter.value.add(UInt64(result.hashesDone), ordering: .relaxed)
                position += UInt64(result.hashesDone)
                if let nonce = result.nonce {
                    deliver(nonce: nonce, hash: result.hash, header: &header, extranonce2: claim.extranonce2, assignment: current, thread: index)
                    if window.count(at: .now) >= maximumSharesPerSecond {
                        throttle(until: window.end, epoch: seenEpoch, generation: myGeneration, thread: index)
                    }
                }
            }
        }
    }

    /// The shares one thread found in the current one-second window.
    struct ShareWindow {
        private(set) var end = ContinuousClock.now
        private var shares = 0

        /// Counts a share found at `now`; returns the count in its window.
        mutating func count(at now: ContinuousClock.Instant) -> Int {
            if now >= end {
                end = now + .seconds(1)
                shares = 0
            }
            shares += 1
            return shares
        }
    }

    /// Pauses a thread that found its share quota until its window ends (or new work or a stop comes).
    private func throttle(until end: ContinuousClock.Instant, epoch: UInt64, generation myGeneration: UInt64, thread: Int) {
        let warn = lastThrottleWarning.withLock { last -> Bool in
            guard last.map({ $0.duration(to: .now) > .seconds(60) }) ?? true else { return false }
            last = .now
            return true
        }
        if warn {
            logger.warning("thread \(thread) finds more than \(maximumSharesPerSecond) shares a second: the difficulty is too low for this machine; pausing each thread for the rest of such a second")
        }
        while ContinuousClock.now < end, board.epoch.load(ordering: .relaxed) == epoch,
              generation.load(ordering: .relaxed) == myGeneration {
            usleep(5_000)
        }
    }

    /// Queues a share the scanner found. Its hash is the one the scanner's exact check computed (the C
    /// kernels' candidates are confirmed by the scalar code, which reports the hash): it is not hashed again.
    /// A scanner that does not report the hash (a plug-in's) gets its nonce hashed once here with the
    /// reference function. Either way the hash is compared with the whole target before the share is queued.
    private func deliver(nonce: UInt32, hash reported: [UInt8]?, header: inout [UInt8], extranonce2: UInt64,
                         assignment: JobBoard.Assignment, thread: Int) {
        let algorithm = assignment.work.algorithm
        let hash = reported ?? {
            BlockHeader.setNonce(nonce, in: &header)
            return algorithm.hash(header: header)
        }()
        guard hash.count == 32, assignment.target.isMet(byHash: hash) else {
            ledger.invalid()
            logger.error("thread \(thread): nonce \(nonce) of job \(assignment.work.jobID) does not meet the target; dropped")
            return
        }
        let difficulty = Target.difficulty(ofHash: hash, scale: algorithm.difficultyScale)
        ledger.found(difficulty: difficulty)
        let share = FoundShare(jobID: assignment.work.jobID, extranonce2: extranonce2, nonce: nonce, hash: hash,
                               difficulty: difficulty, thread: thread)
        if case .dropped = sink.withLock({ $0 })?.yield(share) {
            ledger.lost()
            logger.warning("more than \(Self.maximumQueuedShares) shares wait to be submitted; one was dropped and counted as lost")
        }
    }

    /// Shares the stream holds before new ones are dropped (counted as lost): a difficulty so low that
    /// shares come faster than they can be sent must not grow memory.
    package static let maximumQueuedShares = 4_096

    /// Nonces claimed at once: 16 batches, rounded up to a power of two (so claims never straddle headers).
    static func chunkSize(batch: UInt64) -> UInt64 {
        var chunk: UInt64 = 1
        while chunk < batch * 16 { chunk <<= 1 }
        return min(chunk, 1 << 32)
    }
}
