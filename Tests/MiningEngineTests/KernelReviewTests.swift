import Foundation
import Guarded
import MiningEngine
import ProofOfWork
import Testing

/// The kernel review on real threads: an algorithm with two kernels over the same hash, one of which does
/// the same work several times over (so it is slower on any machine, loaded or not).
@Suite(.serialized, .timeLimit(.minutes(2))) struct KernelReviewTests {
    /// SHA256d with a fast kernel (one hash per nonce) and a slow one (`slowRepeats` hashes per nonce);
    /// each is the other's runner-up unless `named` (a kernel the user chose: nothing to review).
    struct TwoKernels: ProofOfWork {
        static let slowRepeats = 4
        let fast: Bool
        var named = false

        var name: String { "two-kernels" }
        var difficultyScale: Double { 1 }
        var batchSize: UInt32 { 256 }
        func hash(header: [UInt8]) -> [UInt8] { SHA256d().hash(header: header) }
        func makeScanner() -> any NonceScanner { RepeatingScanner(repeats: fast ? 1 : Self.slowRepeats) }
        var kernelName: String { fast ? "two-kernels-fast" : "two-kernels-slow" }
        var runnerUp: (any ProofOfWork)? { named ? nil : TwoKernels(fast: !fast) }
    }

    /// Hashes every nonce `repeats` times with the reference hash.
    final class RepeatingScanner: NonceScanner {
        let repeats: Int
        var header = [UInt8](repeating: 0, count: 80)
        init(repeats: Int) { self.repeats = repeats }
        func load(header: [UInt8]) { self.header = header }
        func scan(from start: UInt32, count: UInt32, target: Target) -> ScanResult {
            let total = UInt32(min(UInt64(count), (1 << 32) - UInt64(start)))
            for offset in 0..<total {
                BlockHeader.setNonce(start &+ offset, in: &header)
                var hash: [UInt8] = []
                for _ in 0..<repeats { hash = SHA256d().hash(header: header) }
                if target.isMet(byHash: hash) { return ScanResult(hashesDone: offset + 1, nonce: start &+ offset) }
            }
            return ScanResult(hashesDone: total, nonce: nil)
        }
    }

    final class Switches: Sendable {
        let made = Locked<[KernelSwitch]>([])
    }

    /// Polls `condition` every 20 ms for up to `seconds`.
    static func eventually(seconds: Double, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    @Test func movesToAFasterRunnerUpAfterThreeWinsAndStaysThere() async {
        let engine = MiningEngine(kernelReviewInterval: .milliseconds(50))
        let switches = Switches()
        engine.onKernelSwitch { made in switches.made.withLock { $0.append(made) } }
        let slow = TwoKernels(fast: false)
        engine.publish(MiningEngineTests.work("review", algorithm: slow, target: Target(limbs: .zero)))
        engine.start(threads: 2)
        defer { engine.stop() }
        #expect(engine.kernelInForce(for: slow) == "two-kernels-slow")

        let moved = await Self.eventually(seconds: 60) { (engine.kernelReview?.switches ?? 0) >= 1 }
        #expect(moved, "the review never moved to the faster kernel: \(String(describing: engine.kernelReview))")
        guard moved, let report = engine.kernelReview else { return }
        #expect(engine.kernelInForce(for: slow) == "two-kernels-fast")
        #expect(report.reviews >= KernelReview.requiredWins)
        #expect(report.kernel == "two-kernels-fast" && report.runnerUp == "two-kernels-slow")
        let made = switches.made.withLock { $0 }
        #expect(made.count == 1)
        #expect(made.first?.from == "two-kernels-slow" && made.first?.to == "two-kernels-fast")
        if let first = made.first { #expect(first.toHashesPerSecond > first.fromHashesPerSecond * KernelReview.margin) }

        // Reviews go on (now timing the slow kernel as the runner-up) and never move back.
        let reviewed = report.reviews
        #expect(await Self.eventually(seconds: 60) { (engine.kernelReview?.reviews ?? 0) >= reviewed + KernelReview.requiredWins + 1 })
        #expect(engine.kernelReview?.switches == 1)
        #expect(engine.kernelInForce(for: slow) == "two-kernels-fast")
        // Work published again with the slow kernel (a new job) is hashed with the fast one.
        engine.publish(MiningEngineTests.work("review-2", algorithm: slow, target: Target(limbs: .zero)))
        let before = engine.hashCounts.reduce(0, +)
        #expect(await Self.eventually(seconds: 10) { engine.hashCounts.reduce(0, +) > before + 10_000 }, "hashing stopped after the switch")
        #expect(engine.kernelReview?.switches == 1)
    }

    @Test func aKernelChosenByNameIsNeverReviewed() async {
        let engine = MiningEngine(kernelReviewInterval: .milliseconds(20))
        let named = TwoKernels(fast: false, named: true)
        engine.publish(MiningEngineTests.work("named", algorithm: named, target: Target(limbs: .zero)))
        engine.start(threads: 1)
        defer { engine.stop() }
        let before = engine.hashCounts.reduce(0, +)
        #expect(await Self.eventually(seconds: 10) { engine.hashCounts.reduce(0, +) > before + 20_000 })
        #expect(engine.kernelReview == nil)
        #expect(engine.kernelInForce(for: named) == "two-kernels-slow")
    }

    @Test func theBuiltInAlgorithmsOfferTheirRunnerUpOnlyWhenCalibrated() throws {
        for (automatic, figures) in [(SHA256d() as any ProofOfWork, SHA256d.calibration.figures),
                                     (Scrypt() as any ProofOfWork, Scrypt.calibration.figures)] {
            if figures.count > 1 {
                let runnerUp = try #require(automatic.runnerUp)
                #expect(runnerUp.kernelName == figures[1].kernel)
                #expect(runnerUp.name == automatic.name)
                // The runner-up's own runner-up is the first choice, so a review can move back.
                #expect(runnerUp.runnerUp?.kernelName == automatic.kernelName)
            } else {
                #expect(automatic.runnerUp == nil)
            }
        }
        #expect(try SHA256d(kernel: "sha256d-scalar").runnerUp == nil)
        #expect(try Scrypt(kernel: "scrypt-scalar").runnerUp == nil)
    }
}
