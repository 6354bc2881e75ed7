import MiningEngine
import NightMiner
import ProofOfWork
import Stratum
import Testing

/// The miner's memory of work done per pool: no sockets, no threads.
@Suite(.timeLimit(.minutes(1))) struct WorkBookTests {
    static func job(id: String = "j1", extranonce1: [UInt8] = [1, 2, 3, 4], ntime: UInt32 = 0x5000_0000, clean: Bool = false) throws -> Job {
        let notification = JobNotification(jobID: id, prevhash: [UInt8](repeating: 7, count: 32), coinbase1: [1, 2], coinbase2: [3],
                                           merkleBranch: [[UInt8](repeating: 9, count: 32)], version: 0x2000_0000,
                                           nbits: 0x1d00_ffff, ntime: ntime, cleanJobs: clean)
        return try Job(notification: notification, extranonce1: extranonce1, extranonce2Size: 4, difficulty: 1, algorithm: SHA256d())
    }

    static func share(nonce: UInt32) -> Share {
        Share(jobID: "j1", extranonce2: [0, 0, 0, 1], ntime: 0x5000_0000, nonce: nonce, hash: [UInt8](repeating: 0, count: 32), difficulty: 1)
    }

    @Test func theSameJobAgainContinuesAndAnotherStartsFresh() throws {
        var book = WorkBook()
        let pool = "stratum+tcp://pool:3333 w"
        let first = WorkBook.Identity(pool: pool, job: try Self.job())
        let (progress, resumed) = book.progress(for: first)
        #expect(!resumed)
        // The pool sends the job again (clean_jobs set, as on a resumed session): the same progress.
        let (same, seenBefore) = book.progress(for: WorkBook.Identity(pool: pool, job: try Self.job(clean: true)))
        #expect(seenBefore && same === progress)
        // Another extranonce1, another pool, or the same id with other fields: other work.
        for other in [WorkBook.Identity(pool: pool, job: try Self.job(extranonce1: [9, 9, 9, 9])),
                      WorkBook.Identity(pool: "stratum+tcp://other:3333 w", job: try Self.job()),
                      WorkBook.Identity(pool: pool, job: try Self.job(ntime: 0x5000_0001))] {
            let (fresh, seen) = book.progress(for: other)
            #expect(!seen && fresh !== progress)
        }
    }

    @Test func aShareIsSubmittedOnceAndTheMemoryIsBounded() throws {
        var book = WorkBook(capacity: 4, shareCapacity: 100)
        let job = WorkBook.Identity(pool: "p", job: try Self.job())
        let first = book.recordSubmission(of: Self.share(nonce: 1), job: job)
        let twice = book.recordSubmission(of: Self.share(nonce: 1), job: job)
        #expect(first && !twice, "the same share twice")
        let otherJob = WorkBook.Identity(pool: "p", job: try Self.job(extranonce1: [5, 5, 5, 5]))
        let other = book.recordSubmission(of: Self.share(nonce: 1), job: otherJob)
        #expect(other, "the same nonce for other work is another share")
        book.forgetSubmission(of: Self.share(nonce: 1), job: job)
        let later = book.recordSubmission(of: Self.share(nonce: 1), job: job)
        #expect(later, "a share that could not be sent may be sent later")
        for nonce in 2..<1_000 { _ = book.recordSubmission(of: Self.share(nonce: UInt32(nonce)), job: job) }
        #expect(book.counts.shares <= 100)
        // It keeps the newest 100: those are still refused, an older one is forgotten.
        let recent = (900..<1_000).map { book.recordSubmission(of: Self.share(nonce: UInt32($0)), job: job) }
        #expect(!recent.contains(true), "a share among the newest 100 was taken as new")
        let oldest = book.recordSubmission(of: Self.share(nonce: 2), job: job)
        #expect(oldest, "the oldest share should be forgotten by now")
        #expect(book.counts.shares == 100)
        for index in 0..<20 { _ = book.progress(for: WorkBook.Identity(pool: "p", job: try Self.job(id: "j\(index)"))) }
        #expect(book.counts.jobs <= 4)
    }
}
