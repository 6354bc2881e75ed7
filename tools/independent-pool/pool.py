#!/usr/bin/env python3
"""An independent stratum V1 test pool for interop-testing nightminer.

Written from the protocol description only (standard library, no code shared with the Swift
project), so that "every share the miner submits is accepted here" is an independent check of the
miner's coinbase / merkle / header assembly, hashing and target comparison.

Jobs are built from real block data in Tests/TestFixtures/vectors.json: the real Bitcoin pool job of
stratum_shares[0] and jobs made from the real 80-byte headers (version, prevhash, nbits, ntime) combined
with that job's real coinbase halves and merkle branch.

Faults (--fault NAME[,NAME...], one fires every --fault-interval seconds, in turn, on every connected
client) reproduce what real pools do to a miner: drop the connection, client.reconnect to this same pool,
mining.set_extranonce, a difficulty change, a burst of clean jobs, junk lines, slow submit answers, and a
stall (the pool stops reading the connection but keeps sending mining.ping every second, until the client
closes it). Every share is still checked against the extranonce1 and difficulty in force on its connection
when its job was sent (as ckpool does), so an invalid, duplicate or mis-assembled share is always rejected
and counted.

Session resume (as ckpool does; --no-resume turns it off): the pool remembers the last 1024 subscription
ids it issued with their extranonce1. A mining.subscribe whose second parameter is one of them gets the
same subscription id and extranonce1 back, and after mining.authorize the last job sent on the old
connection is sent again (same job id and fields) with clean_jobs = true. A share already submitted
(same extranonce1, job, extranonce2, ntime and nonce, or the same header), on this connection or any
other, is rejected as a duplicate (code 22); the last 100,000 shares are remembered.

--tls-cert/--tls-key serve stratum over TLS instead of plain TCP.

stdout: exactly one "LISTENING <port>" line once bound, and one "SUMMARY {json}" line on exit.
stderr: a log line per connection event, per fault and per share.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import decimal
import hashlib
import json
import os
import select
import signal
import ssl
import struct
import sys
import time
from fractions import Fraction

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_VECTORS = os.path.join(REPO_ROOT, "Tests", "TestFixtures", "vectors.json")

# Stratum reject codes.
E_OTHER = 20
E_JOB_NOT_FOUND = 21
E_DUPLICATE = 22
E_LOW_DIFFICULTY = 23
E_UNAUTHORIZED = 24
E_NOT_SUBSCRIBED = 25

NTIME_MAX_AHEAD = 7000  # seconds a submitted ntime may be ahead of the job's ntime
RESUME_SESSIONS = 1024  # subscription ids remembered for session resume
SEEN_SHARES = 100_000   # shares remembered for duplicate detection

# Difficulty-1 targets. A scrypt share target is 65536 times larger than a sha256d one.
DIFF1_TARGET = {
    "sha256d": 0xFFFF * 2**208,
    "scrypt": 0xFFFF * 2**224,
}


def _wall() -> str:
    """The wall-clock time with milliseconds, for events whose timing matters (stalls)."""
    t = time.time()
    return "%s.%03d" % (time.strftime("%H:%M:%S", time.localtime(t)), int(t * 1000) % 1000)


def log(msg: str) -> None:
    sys.stderr.write("%s pool: %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


# ----------------------------------------------------------------------------------------------------
# Hashing and header assembly


def sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def scrypt_pow(header: bytes) -> bytes:
    return hashlib.scrypt(header, salt=header, n=1024, r=1, p=1, dklen=32)


POW = {"sha256d": sha256d, "scrypt": scrypt_pow}


def swap_words(b: bytes) -> bytes:
    """Byte-reverse each 4-byte word. Maps header-order prevhash <-> stratum-order prevhash."""
    if len(b) % 4:
        raise ValueError("length not a multiple of 4")
    return b"".join(b[i:i + 4][::-1] for i in range(0, len(b), 4))


def merkle_root(coinbase: bytes, branch: list[bytes]) -> bytes:
    node = sha256d(coinbase)
    for b in branch:
        node = sha256d(node + b)
    return node


def build_header(version: int, prevhash_header_order: bytes, merkle: bytes, ntime: int,
                 nbits: int, nonce: int) -> bytes:
    if len(prevhash_header_order) != 32 or len(merkle) != 32:
        raise ValueError("prevhash and merkle root must be 32 bytes")
    return (struct.pack("<I", version) + prevhash_header_order + merkle
            + struct.pack("<III", ntime, nbits, nonce))


def target_for(algo: str, difficulty: Fraction) -> Fraction:
    return Fraction(DIFF1_TARGET[algo]) / difficulty


def hash_value(h: bytes) -> int:
    return int.from_bytes(h, "little")


def share_difficulty(algo: str, h: bytes) -> float:
    v = hash_value(h)
    return float("inf") if v == 0 else DIFF1_TARGET[algo] / v


# ----------------------------------------------------------------------------------------------------
# Jobs


class Job:
    """One mining.notify worth of work (fields kept as decoded values plus their wire form)."""

    def __init__(self, job_id: str, prevhash_header: bytes, coinb1: bytes, coinb2: bytes,
                 branch: list[bytes], version: int, nbits: int, ntime: int, clean: bool, origin: str):
        self.job_id = job_id
        self.prevhash_header = prevhash_header
        self.coinb1 = coinb1
        self.coinb2 = coinb2
        self.branch = branch
        self.version = version
        self.nbits = nbits
        self.ntime = ntime
        self.clean = clean
        self.origin = origin
        self.created = time.monotonic()

    def notify_params(self, clean: bool | None = None) -> list:
        """The mining.notify params; clean overrides the job's clean_jobs flag (a job re-sent on resume)."""
        return [
            self.job_id,
            swap_words(self.prevhash_header).hex(),
            self.coinb1.hex(),
            self.coinb2.hex(),
            [b.hex() for b in self.branch],
            "%08x" % self.version,
            "%08x" % self.nbits,
            "%08x" % self.ntime,
            self.clean if clean is None else clean,
        ]


class Template:
    """Real block data a job is made from; ntime is advanced with wall time when re-issued."""

    def __init__(self, origin, prevhash_header, coinb1, coinb2, branch, version, nbits, ntime):
        self.origin = origin
        self.prevhash_header = prevhash_header
        self.coinb1 = coinb1
        self.coinb2 = coinb2
        self.branch = branch
        self.version = version
        self.nbits = nbits
        self.ntime = ntime


def parse_header(header_hex: str):
    h = bytes.fromhex(header_hex)
    if len(h) != 80:
        raise ValueError("header is not 80 bytes")
    version, = struct.unpack_from("<I", h, 0)
    prevhash = h[4:36]
    ntime, nbits, _nonce = struct.unpack_from("<III", h, 68)
    return version, prevhash, nbits, ntime


def load_templates(vectors: dict, algo: str) -> list[Template]:
    share = vectors["stratum_shares"][0]
    n = share["notify"]
    coinb1 = bytes.fromhex(n["coinb1"])
    coinb2 = bytes.fromhex(n["coinb2"])
    branch = [bytes.fromhex(b) for b in n["merkle_branch"]]
    templates = []
    if algo == "sha256d":
        templates.append(Template(
            "stratum_shares[0]:" + share["name"],
            swap_words(bytes.fromhex(n["prevhash"])), coinb1, coinb2, branch,
            int(n["version"], 16), int(n["nbits"], 16), int(n["ntime"], 16)))
    key = "sha256d_headers" if algo == "sha256d" else "scrypt_headers"
    for i, entry in enumerate(vectors[key]):
        version, prevhash, nbits, ntime = parse_header(entry["header_hex"])
        templates.append(Template("%s[%d]:%s" % (key, i, entry["name"]), prevhash, coinb1, coinb2,
                                  branch, version, nbits, ntime))
    return templates


# ----------------------------------------------------------------------------------------------------
# Self-check against the known-answer vectors


def self_check(vectors: dict) -> list[str]:
    """Returns a list of failures (empty when everything reproduces the vectors)."""
    failures = []

    share = vectors["stratum_shares"][0]
    n, sub = share["notify"], share["submit"]
    en1 = bytes.fromhex(share["extranonce1"])
    en2 = bytes.fromhex(sub["extranonce2"])
    if en1 != bytes.fromhex("01000000") or en2 != bytes.fromhex("00000000"):
        failures.append("stratum share: unexpected extranonce1/extranonce2 in vectors")
    coinbase = bytes.fromhex(n["coinb1"]) + en1 + en2 + bytes.fromhex(n["coinb2"])
    merkle = merkle_root(coinbase, [bytes.fromhex(b) for b in n["merkle_branch"]])
    if merkle.hex() != share["merkle_root_internal_bytes"]:
        failures.append("stratum share: merkle root %s != %s" % (merkle.hex(), share["merkle_root_internal_bytes"]))
    header = build_header(int(n["version"], 16), swap_words(bytes.fromhex(n["prevhash"])), merkle,
                          int(sub["ntime"], 16), int(n["nbits"], 16), int(sub["nonce"], 16))
    if header.hex() != share["header_hex"]:
        failures.append("stratum share: header %s != %s" % (header.hex(), share["header_hex"]))
    h = sha256d(header)
    if h[::-1].hex() != share["hash_display"]:
        failures.append("stratum share: hash %s != %s" % (h[::-1].hex(), share["hash_display"]))
    d = share_difficulty("sha256d", h)
    if abs(d - share["share_difficulty"]) > 1e-9 * share["share_difficulty"]:
        failures.append("stratum share: difficulty %r != %r" % (d, share["share_difficulty"]))
    k = share["expected_int_difficulty"]
    if not hash_value(h) <= target_for("sha256d", Fraction(k)):
        failures.append("stratum share: should meet integer difficulty %d" % k)
    if hash_value(h) <= target_for("sha256d", Fraction(k + 1)):
        failures.append("stratum share: should not meet integer difficulty %d" % (k + 1))

    # Round trip: the stratum-order prevhash of the real job vs the header bytes.
    if swap_words(bytes.fromhex(share["header_hex"])[4:36]).hex() != n["prevhash"]:
        failures.append("stratum share: header-order -> stratum-order prevhash conversion mismatch")

    for entry in vectors["sha256d_headers"]:
        got = sha256d(bytes.fromhex(entry["header_hex"]))[::-1].hex()
        if got != entry["hash"]:
            failures.append("%s: sha256d %s != %s" % (entry["name"], got, entry["hash"]))
    for entry in vectors["scrypt_headers"]:
        hdr = bytes.fromhex(entry["header_hex"])
        got = scrypt_pow(hdr)[::-1].hex()
        if got != entry["scrypt_pow_hash"]:
            failures.append("%s: scrypt %s != %s" % (entry["name"], got, entry["scrypt_pow_hash"]))
        if "sha256d_block_id" in entry:
            got = sha256d(hdr)[::-1].hex()
            if got != entry["sha256d_block_id"]:
                failures.append("%s: sha256d id %s != %s" % (entry["name"], got, entry["sha256d_block_id"]))
        # A parse/rebuild round trip of the header fields must give the same bytes.
        version, prevhash, nbits, ntime = parse_header(entry["header_hex"])
        rebuilt = build_header(version, prevhash, hdr[36:68], ntime, nbits, struct.unpack_from("<I", hdr, 76)[0])
        if rebuilt != hdr:
            failures.append("%s: header field round trip mismatch" % entry["name"])
    return failures


# ----------------------------------------------------------------------------------------------------
# Pool

FAULTS = ("drop", "reconnect", "set-extranonce", "difficulty", "clean-storm", "garbage", "slow", "stall")

# Why a share was refused -> the stratum error code sent with it.
REASONS = {
    "not-subscribed": E_NOT_SUBSCRIBED,
    "unauthorized": E_UNAUTHORIZED,
    "malformed": E_OTHER,
    "job-not-found": E_JOB_NOT_FOUND,
    "stale-expired": E_JOB_NOT_FOUND,   # job superseded longer than --stale-grace ago
    "ntime-out-of-range": E_OTHER,
    "duplicate": E_DUPLICATE,
    "low-difficulty": E_LOW_DIFFICULTY,
    "wrong-extranonce1": E_OTHER,       # meets the target only with another extranonce1 of ours
}

MAX_JUNK_LINE = 8191  # bytes including the newline; every junk line stays under 8 KiB


def junk_lines() -> list[str]:
    """Lines a broken or hostile pool might send between its valid lines; a miner must skip them."""
    lines = [
        "this is not json",
        "   ",
        '{"id": 7, "result": tr',
        "[1, 2, 3]",
        "42",
        "null",
        '"just a string"',
        '{"neither_id_nor_method": true}',
        '{"id":null,"method":"mining.notify","params":"not-a-list"}',
        '{"id":null,"method":"mining.notify","params":["only-a-job-id"]}',
        '{"id":null,"method":"mining.set_difficulty","params":["not-a-number"]}',
        '{"id":null,"method":"mining.set_difficulty","params":[]}',
        '{"id":null,"method":"mining.set_extranonce","params":[42]}',
        '{"id":987654321,"result":true,"error":null}',
        '{"id":null,"method":"client.no_such_method","params":[1,"two",null]}',
        '{"id":"junk-request","method":"mining.no_such_request","params":[]}',
        '{"id":null,"method":"x.padding","params":["%s"]}' % ("p" * 7800),
        "#" * 7900,
    ]
    for line in lines:
        assert len(line) + 1 <= MAX_JUNK_LINE
    return lines


JUNK = junk_lines()


def difficulty_wire_text(d: Fraction) -> str:
    """A JSON number for difficulty d. The share target is always computed from the text sent."""
    with decimal.localcontext() as ctx:
        ctx.prec = 80
        text = format((decimal.Decimal(d.numerator) / decimal.Decimal(d.denominator)).normalize(), "f")
    return text if Fraction(text) == d else repr(float(d))


class Tally:
    def __init__(self):
        self.accepted = 0
        self.rejected: dict[str, int] = {}
        self.stale = 0

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "rejected": dict(sorted(self.rejected.items())), "stale": self.stale}


class Stats:
    def __init__(self, faults: list[str]):
        self.accepted = 0
        self.rejected: dict[int, int] = {}           # by stratum error code
        self.rejected_by_reason: dict[str, int] = {}
        self.connections = 0
        self.authorized = 0
        self.jobs_sent = 0          # mining.notify messages written, over all connections
        self.jobs_created = 0
        self.stale_within_grace = 0  # accepted shares on a job replaced by a clean job < grace ago
        self.stale_extranonce = 0    # shares answered "stale": job sent before an extranonce1 change < grace ago
        self.best_share_difficulty = 0.0
        self.fault_events = {f: 0 for f in faults}   # one per client a fault was applied to
        self.fault_ticks_idle = 0                    # fault turns with no client to apply it to
        self.reconnect_ignored = 0   # clients still connected well after client.reconnect (closed by us)
        self.junk_lines_sent = 0
        self.answers_delayed = 0
        self.resumed = 0             # subscribes that resumed a session (same subscription id, extranonce1)
        self.resume_unknown = 0      # subscribes with a session id this pool does not know (or --no-resume)
        self.stall_began_at: list[float] = []       # unix time of each stall
        self.stall_closed_after: list[float] = []   # seconds from a stall to the client closing the connection
        self.stall_closed_at: list[float] = []      # unix time the client closed a stalled connection
        self.stall_open_at_exit = 0                 # stalled connections the client never closed
        self.first_accepted_at: float | None = None  # unix time
        self.last_accepted_at: float | None = None
        self.by_scenario: dict[str, Tally] = {}

    def scenario(self, name: str) -> Tally:
        return self.by_scenario.setdefault(name, Tally())

    def summary(self) -> dict:
        return {
            "accepted": self.accepted,
            "rejected": {str(k): v for k, v in sorted(self.rejected.items())},
            "rejected_total": sum(self.rejected.values()),
            "rejected_by_reason": dict(sorted(self.rejected_by_reason.items())),
            "stale": self.stale_within_grace + self.stale_extranonce,
            "stale_within_grace": self.stale_within_grace,
            "stale_extranonce": self.stale_extranonce,
            "connections": self.connections,
            "authorized": self.authorized,
            "jobs_sent": self.jobs_sent,
            "jobs_created": self.jobs_created,
            "best_share_difficulty": self.best_share_difficulty,
            "faults": dict(self.fault_events),
            "fault_ticks_idle": self.fault_ticks_idle,
            "reconnect_ignored": self.reconnect_ignored,
            "junk_lines_sent": self.junk_lines_sent,
            "answers_delayed": self.answers_delayed,
            "duplicate": self.rejected_by_reason.get("duplicate", 0),
            "resumed": self.resumed,
            "resume_unknown": self.resume_unknown,
            "stall_began_at": [round(t, 3) for t in self.stall_began_at],
            "stall_closed_after": [round(t, 3) for t in self.stall_closed_after],
            "stall_closed_at": [round(t, 3) for t in self.stall_closed_at],
            "stall_open_at_exit": self.stall_open_at_exit,
            "first_accepted_at": self.first_accepted_at,
            "last_accepted_at": self.last_accepted_at,
            "by_scenario": {k: v.as_dict() for k, v in sorted(self.by_scenario.items())},
        }


class RejectError(Exception):
    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.code = REASONS[reason]
        self.message = message


class SentJob:
    """A job as one connection received it: the extranonce1 and difficulty in force when it was sent
    are the ones its shares are checked against."""

    def __init__(self, job: Job, en1: bytes, diff_text: str, target: Fraction):
        self.job = job
        self.en1 = en1
        self.diff_text = diff_text
        self.target = target
        self.sent_at = time.monotonic()
        self.invalidated_at: float | None = None
        self.invalidated_by: str | None = None  # "clean" (a later clean job) or "extranonce" (en1 changed)

    def invalidate(self, why: str, now: float) -> None:
        if self.invalidated_at is None:
            self.invalidated_at = now
            self.invalidated_by = why


class Session:
    """A subscription this pool issued, remembered for session resume: its id, the extranonce1 its client
    has now, and the last job sent to it."""

    def __init__(self, sub_id: str, en1: bytes):
        self.sub_id = sub_id
        self.en1 = en1
        self.last_job: Job | None = None
        self.conn: "Connection | None" = None  # the connection using it now (or last)


class SeenShares:
    """Shares already submitted (key -> who sent it first and when), the most recent `limit` of them."""

    def __init__(self, limit: int):
        self.limit = limit
        self.items: collections.OrderedDict = collections.OrderedDict()

    def get(self, key):
        return self.items.get(key)

    def add(self, key, value) -> None:
        self.items[key] = value
        while len(self.items) > self.limit:
            self.items.popitem(last=False)


class Connection:
    def __init__(self, pool: "Pool", reader, writer, en1: bytes, sub_id: str):
        self.pool = pool
        self.reader = reader
        self.writer = writer
        self.en1 = en1
        self.en1_history = [en1]
        self.sub_id = sub_id
        self.subscribed = False
        self.extranonce_subscribed = False
        self.workers: set[str] = set()
        self.diff_text = pool.difficulty_text
        self.target = pool.target
        self.diff_changes = 0
        self.sent: dict[str, SentJob] = {}
        self.garbage_until = 0.0
        self.slow_until = 0.0
        self.junk_index = 0
        self.answers: asyncio.Queue = asyncio.Queue()
        self.answers_pending = 0
        self.answer_task: asyncio.Task | None = None
        self.closed = False
        self.session: Session | None = None
        self.resume_job: Job | None = None     # re-sent (clean) once this resumed connection authorizes
        self.stall_started: float | None = None  # monotonic time the stall fault began on this connection
        self.stall_ended = asyncio.Event()      # set once the client closed the stalled connection (or we did)
        peer = writer.get_extra_info("peername")
        self.name = "%s:%s" % (peer[0], peer[1]) if peer else "?"
        local = writer.get_extra_info("sockname")
        self.local_host = local[0] if local else "127.0.0.1"  # the address the client connected to

    def ready(self) -> bool:
        return self.subscribed and bool(self.workers) and not self.closed and not self.writer.is_closing()

    def write_line(self, line: str) -> None:
        if self.closed or self.writer.is_closing():
            return
        self.writer.write((line + "\n").encode())

    def send_junk(self) -> None:
        line = JUNK[self.junk_index % len(JUNK)]
        self.junk_index += 1
        self.pool.stats.junk_lines_sent += 1
        self.write_line(line)

    def send_raw(self, line: str) -> None:
        # While a garbage fault is active every valid line is preceded by a junk line.
        if time.monotonic() < self.garbage_until:
            self.send_junk()
        self.write_line(line)

    def send(self, obj: dict) -> None:
        self.send_raw(json.dumps(obj, separators=(",", ":")))

    def send_notify(self, job: Job, clean: bool | None = None) -> None:
        now = time.monotonic()
        if job.clean if clean is None else clean:
            for rec in self.sent.values():
                rec.invalidate("clean", now)
        self.sent[job.job_id] = SentJob(job, self.en1, self.diff_text, self.target)
        self.send({"id": None, "method": "mining.notify", "params": job.notify_params(clean)})
        self.pool.stats.jobs_sent += 1
        if self.session is not None:
            self.session.last_job = job
        if self.resume_job is not None and job is not self.resume_job:
            self.resume_job = None  # a newer job reached the resumed connection before it authorized

    def send_difficulty(self, text: str) -> None:
        """Applies to the jobs sent from now on (those already sent keep theirs)."""
        self.diff_text = text
        self.target = target_for(self.pool.algo, Fraction(text))
        self.send_raw('{"id":null,"method":"mining.set_difficulty","params":[%s]}' % text)

    def answer(self, obj: dict) -> None:
        """Sends a submit answer: at once, or (slow fault) after --slow-delay; always in order."""
        now = time.monotonic()
        delay = self.pool.args.slow_delay if now < self.slow_until else 0.0
        if delay > 0 or self.answers_pending:
            if delay > 0:
                self.pool.stats.answers_delayed += 1
            self.answers_pending += 1
            self.answers.put_nowait((now + delay, obj))
            if self.answer_task is None:
                self.answer_task = asyncio.get_running_loop().create_task(self.answer_loop())
        else:
            self.send(obj)

    async def answer_loop(self) -> None:
        while True:
            due, obj = await self.answers.get()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self.send(obj)
            self.answers_pending -= 1
            try:
                await self.writer.drain()
            except (ConnectionError, OSError):
                return

    def close(self, abort: bool = False) -> None:
        self.closed = True
        try:
            if abort:
                self.writer.transport.abort()
            else:
                self.writer.close()
        except Exception:
            pass


class Pool:
    def __init__(self, args, templates: list[Template]):
        self.args = args
        self.algo = args.algo
        # The difficulty goes on the wire as the exact decimal text given on the command line, and the
        # share target is computed from the exact rational value of that text.
        self.difficulty_text = args.difficulty
        self.difficulty = Fraction(args.difficulty)
        self.target = target_for(self.algo, self.difficulty)
        self.templates = templates
        self.template_index = -1
        self.template_last_ntime: dict[int, int] = {}
        self.jobs: dict[str, Job] = {}
        self.current: Job | None = None
        self.conns: set[Connection] = set()
        self.faults: list[str] = args.fault
        self.stats = Stats(self.faults)
        self.last_fault: str | None = None
        self.seen_shares = SeenShares(SEEN_SHARES)   # (job id, extranonce1, extranonce2, ntime, nonce)
        self.seen_headers = SeenShares(SEEN_SHARES)  # 80-byte headers
        self.sessions: collections.OrderedDict[str, Session] = collections.OrderedDict()  # for resume
        self.next_en1 = int.from_bytes(os.urandom(4), "big")
        self.recent_en1: collections.deque = collections.deque(maxlen=64)
        self.job_counter = 0
        self.port = 0
        self.tasks: set[asyncio.Task] = set()
        self.started = time.monotonic()

    def spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def allocate_en1(self) -> bytes:
        en1 = (self.next_en1 & 0xFFFFFFFF).to_bytes(4, "big")
        self.next_en1 += 1
        self.recent_en1.append(en1)
        return en1

    # -- jobs

    def new_job(self, force_clean: bool = False, same_template: bool = False) -> Job:
        """A job from the next template (or the current one again, with a later ntime). Clean when the
        prevhash changes, or when force_clean."""
        if not same_template or self.template_index < 0:
            self.template_index = (self.template_index + 1) % len(self.templates)
        t = self.templates[self.template_index]
        # ntime advances with wall time like a real pool's, so a re-issued template is never the
        # same work twice. The first issue of each template carries the real ntime.
        last = self.template_last_ntime.get(self.template_index)
        if last is None:
            ntime = t.ntime
        else:
            ntime = max(t.ntime + int(time.monotonic() - self.started), last + 1)
        self.template_last_ntime[self.template_index] = ntime
        self.job_counter += 1
        job_id = "%x" % (0x1000 + self.job_counter)
        clean = force_clean or self.current is None or self.current.prevhash_header != t.prevhash_header
        job = Job(job_id, t.prevhash_header, t.coinb1, t.coinb2, t.branch, t.version, t.nbits,
                  ntime, clean, t.origin)
        self.jobs[job_id] = job
        self.current = job
        self.stats.jobs_created += 1
        log("job %s from %s version=%08x nbits=%08x ntime=%08x clean=%s"
            % (job_id, t.origin, job.version, job.nbits, job.ntime, clean))
        return job

    def broadcast(self, job: Job) -> None:
        for c in list(self.conns):
            if c.subscribed and not c.closed:
                c.send_notify(job)

    async def rotate_jobs(self) -> None:
        while True:
            await asyncio.sleep(self.args.job_interval)
            self.broadcast(self.new_job())

    # -- faults

    async def run_faults(self) -> None:
        loop = asyncio.get_running_loop()
        turn = 0
        due = loop.time()
        while self.args.fault_count <= 0 or turn < self.args.fault_count:
            # Fixed rate: a fault that takes a while (clean-storm, difficulty) does not push the next one.
            due += self.args.fault_interval
            await asyncio.sleep(max(0.0, due - loop.time()))
            name = self.faults[turn % len(self.faults)]
            turn += 1
            # A stalled connection gets no further fault (which could end the stall for the client).
            targets = [c for c in self.conns
                       if c.ready() and c.stall_started is None
                       and (name != "set-extranonce" or c.extranonce_subscribed)]
            if not targets:
                self.stats.fault_ticks_idle += 1
                log("FAULT %s: no client to apply it to%s%s" % (
                    name, " (none sent mining.extranonce.subscribe)" if name == "set-extranonce" and self.conns else "",
                    "; tried again next turn" if self.args.fault_hold_idle else ""))
                if self.args.fault_hold_idle:
                    turn -= 1
                continue
            self.stats.fault_events[name] += len(targets)
            self.last_fault = name
            log("FAULT %s on %s" % (name, ", ".join(c.name for c in targets)))
            await self.fire(name, targets)
        log("FAULT: --fault-count %d reached, no more faults" % self.args.fault_count)

    async def fire(self, name: str, targets: list[Connection]) -> None:
        a = self.args
        now = time.monotonic()
        if name == "drop":
            for c in targets:
                log("%s: dropping the connection (abort)" % c.name)
                c.close(abort=True)
        elif name == "reconnect":
            for c in targets:
                params = [c.local_host, self.port, a.reconnect_wait]
                log("%s: client.reconnect %s" % (c.name, json.dumps(params)))
                c.send({"id": None, "method": "client.reconnect", "params": params})
                self.spawn(self.close_if_still_there(c, a.reconnect_wait + a.reconnect_grace))
        elif name == "set-extranonce":
            for c in targets:
                en1 = self.allocate_en1()
                for rec in c.sent.values():
                    rec.invalidate("extranonce", now)
                log("%s: mining.set_extranonce %s -> %s, extranonce2_size=%d"
                    % (c.name, c.en1.hex(), en1.hex(), a.en2_size))
                c.en1 = en1
                if c.session is not None:
                    c.session.en1 = en1  # a resume of this session gets the extranonce1 the client has now
                c.en1_history.append(en1)
                c.send({"id": None, "method": "mining.set_extranonce", "params": [en1.hex(), a.en2_size]})
            self.broadcast(self.new_job(force_clean=True))
        elif name == "difficulty":
            for c in targets:
                c.diff_changes += 1
                d = self.difficulty * 2 if c.diff_changes % 2 else self.difficulty / 2
                text = difficulty_wire_text(d)
                log("%s: mining.set_difficulty %s -> %s (applies from the next job)" % (c.name, c.diff_text, text))
                c.send_difficulty(text)
                try:
                    await c.writer.drain()
                except (ConnectionError, OSError):
                    pass
            # Like a pool whose vardiff moves between jobs: the miner keeps hashing the job it has (at
            # that job's difficulty) until the next notify.
            await asyncio.sleep(a.difficulty_notify_delay)
            self.broadcast(self.new_job(same_template=True))
        elif name == "clean-storm":
            for i in range(a.storm_jobs):
                if i:
                    await asyncio.sleep(a.storm_gap)
                self.broadcast(self.new_job(force_clean=True))
        elif name == "garbage":
            for c in targets:
                c.garbage_until = now + a.garbage_window
                c.send_junk()
                c.send_junk()
                c.send_difficulty(c.diff_text)  # a valid (unchanged) difficulty between junk lines
            self.broadcast(self.new_job(same_template=True))
        elif name == "slow":
            for c in targets:
                log("%s: submit answers delayed by %.1f s for the next %.1f s" % (c.name, a.slow_delay, a.slow_window))
                c.slow_until = now + a.slow_window
        elif name == "stall":
            for c in targets:
                self.start_stall(c)
            return  # no drain: the client may stop reading too
        for c in targets:
            if not c.closed:
                try:
                    await c.writer.drain()
                except (ConnectionError, OSError):
                    pass

    def start_stall(self, c: Connection) -> None:
        """Stops reading c (what the client sends piles up in the socket buffers, unanswered) but keeps
        sending it mining.ping requests and jobs, until the client closes the connection."""
        c.stall_started = time.monotonic()
        self.stats.stall_began_at.append(time.time())
        try:
            c.writer.transport.pause_reading()
        except Exception as e:
            log("%s: cannot pause reading: %r" % (c.name, e))
        log("%s: STALL began at %s: no longer reading what the client sends; mining.ping every %.1f s"
            % (c.name, _wall(), self.args.stall_ping_interval))
        self.spawn(self.stall_loop(c))

    async def stall_loop(self, c: Connection) -> None:
        # Whether the client closed the connection is read from the socket's state (POLLRDHUP: the peer's
        # FIN or RST arrived) without reading the data queued before it; failing that, from a write error.
        poller = None
        sock = c.writer.get_extra_info("socket")
        if sock is not None and hasattr(select, "poll") and hasattr(select, "POLLRDHUP"):
            try:
                poller = select.poll()
                poller.register(sock.fileno(), select.POLLRDHUP | select.POLLHUP | select.POLLERR)
            except (OSError, ValueError):
                poller = None
        pings = 0
        next_ping = time.monotonic()
        why = None
        try:
            while why is None:
                now = time.monotonic()
                if c.writer.is_closing() or c.writer.transport.is_closing():
                    why = "a write failed (the client is gone)"
                    break
                if poller is not None:
                    try:
                        events = poller.poll(0)
                    except (OSError, ValueError):
                        events = [(0, select.POLLHUP)]
                    if events:
                        flags = events[0][1]
                        why = "the client closed it (%s)" % "|".join(
                            n for n, b in (("RDHUP", select.POLLRDHUP), ("HUP", select.POLLHUP), ("ERR", select.POLLERR))
                            if flags & b)
                        break
                if now >= next_ping:
                    pings += 1
                    c.send({"id": "stall-ping-%d" % pings, "method": "mining.ping", "params": []})
                    next_ping += self.args.stall_ping_interval
                await asyncio.sleep(0.05)
        finally:
            if why is None and poller is not None:
                try:  # the pool is stopping: one last look, so a close just before it is not missed
                    if poller.poll(0):
                        why = "the client closed it"
                except (OSError, ValueError):
                    pass
            after = time.monotonic() - c.stall_started
            if why is not None:
                self.stats.stall_closed_after.append(after)
                self.stats.stall_closed_at.append(time.time())
                log("%s: STALL ended at %s: %s %.2f s after the stall began (%d ping(s) sent)"
                    % (c.name, _wall(), why, after, pings))
            else:
                self.stats.stall_open_at_exit += 1
                log("%s: STALL still open at exit, %.2f s after it began: the client never closed the connection"
                    " (%d ping(s) sent)" % (c.name, after, pings))
            c.close(abort=True)
            c.stall_ended.set()

    async def close_if_still_there(self, c: Connection, after: float) -> None:
        await asyncio.sleep(after)
        if c in self.conns and not c.closed:
            self.stats.reconnect_ignored += 1
            log("%s: still connected %.1f s after client.reconnect; closing it" % (c.name, after))
            c.close()

    # -- connections

    async def handle(self, reader, writer) -> None:
        conn = Connection(self, reader, writer, self.allocate_en1(), os.urandom(4).hex())
        self.conns.add(conn)
        self.stats.connections += 1
        log("connect %s extranonce1=%s" % (conn.name, conn.en1.hex()))
        try:
            while True:
                if conn.stall_started is not None:
                    break
                try:
                    line = await reader.readline()
                except (asyncio.LimitOverrunError, ValueError):
                    log("%s: line too long, closing" % conn.name)
                    break
                if conn.stall_started is not None:
                    break  # read as the stall began: left unanswered like the rest
                if not line:
                    break
                text = line.decode("utf-8", "replace").strip()
                if not text:
                    continue
                if self.args.verbose:
                    log("%s -> %s" % (conn.name, text))
                try:
                    self.dispatch(conn, text)
                except Exception as e:  # never let one bad line kill the pool or the connection
                    log("%s: internal error on %r: %r" % (conn.name, text, e))
                    conn.send({"id": None, "result": None, "error": [E_OTHER, "Internal error", None]})
                await writer.drain()
        except (ConnectionError, OSError, ssl.SSLError) as e:
            log("%s: %r" % (conn.name, e))
        finally:
            if conn.stall_started is not None:
                await conn.stall_ended.wait()  # until the client closes it (or the pool stops)
            self.conns.discard(conn)
            if conn.answer_task is not None:
                conn.answer_task.cancel()
            if conn.answers_pending:
                log("%s: %d delayed answer(s) not sent (client left)" % (conn.name, conn.answers_pending))
            log("disconnect %s" % conn.name)
            conn.close()

    def dispatch(self, conn: Connection, text: str) -> None:
        try:
            msg = json.loads(text)
        except json.JSONDecodeError:
            conn.send({"id": None, "result": None, "error": [E_OTHER, "Parse error", None]})
            return
        if not isinstance(msg, dict):
            conn.send({"id": None, "result": None, "error": [E_OTHER, "Invalid request", None]})
            return
        mid = msg.get("id")
        method = msg.get("method")
        params = msg.get("params", [])
        if not isinstance(params, list):
            conn.send({"id": mid, "result": None, "error": [E_OTHER, "params must be a list", None]})
            return
        if method == "mining.subscribe":
            self.on_subscribe(conn, mid, params)
        elif method == "mining.authorize":
            self.on_authorize(conn, mid, params)
        elif method == "mining.submit":
            self.on_submit(conn, mid, params)
        elif method == "mining.extranonce.subscribe":
            conn.extranonce_subscribed = True
            conn.send({"id": mid, "result": True, "error": None})
            log("%s extranonce.subscribe" % conn.name)
        elif method is None:
            pass  # a response (e.g. to a junk request of ours); ignore
        else:
            conn.send({"id": mid, "result": None, "error": [E_OTHER, "Unsupported method %s" % method, None]})

    def on_subscribe(self, conn: Connection, mid, params) -> None:
        agent = params[0] if params else ""
        first = not conn.subscribed
        resumed = False
        if first and len(params) > 1 and params[1] is not None:
            wanted = params[1]
            session = self.sessions.get(wanted) if isinstance(wanted, str) and self.args.resume else None
            if session is None:
                self.stats.resume_unknown += 1
                log("%s asked to resume session %s: %s; new session %s extranonce1 %s"
                    % (conn.name, json.dumps(wanted), "unknown" if self.args.resume else "resume is off (--no-resume)",
                       conn.sub_id, conn.en1.hex()))
            else:
                resumed = True
                self.stats.resumed += 1
                old = session.conn
                still_open = old is not None and old is not conn and old in self.conns and not old.closed
                log("%s resumed session %s extranonce1 %s (its last connection %s%s); job %s is sent again, clean, "
                    "after authorize" % (conn.name, session.sub_id, session.en1.hex(), old.name if old else "?",
                                         " is still open" if still_open else "",
                                         session.last_job.job_id if session.last_job else "(none)"))
                self.sessions.move_to_end(session.sub_id)
                conn.en1 = session.en1
                conn.en1_history = [session.en1]
                conn.sub_id = session.sub_id
                conn.session = session
                conn.resume_job = session.last_job
                session.conn = conn
        if first and not resumed and self.args.resume:
            session = Session(conn.sub_id, conn.en1)
            session.conn = conn
            conn.session = session
            self.sessions[conn.sub_id] = session
            while len(self.sessions) > RESUME_SESSIONS:
                self.sessions.popitem(last=False)
        if self.args.ckpool_style:
            subs = [["mining.notify", conn.sub_id]]
        else:
            subs = [["mining.set_difficulty", conn.sub_id], ["mining.notify", conn.sub_id]]
        conn.send({"id": mid, "result": [subs, conn.en1.hex(), self.args.en2_size], "error": None})
        conn.subscribed = True
        log("%s subscribed agent=%r subscription=%s extranonce1=%s extranonce2_size=%d%s"
            % (conn.name, agent, conn.sub_id, conn.en1.hex(), self.args.en2_size, " (resumed)" if resumed else ""))
        if first:
            conn.send_difficulty(conn.diff_text)
            if conn.resume_job is None:
                conn.send_notify(self.current)

    def on_authorize(self, conn: Connection, mid, params) -> None:
        user = params[0] if len(params) > 0 else None
        password = params[1] if len(params) > 1 else None
        ok = isinstance(user, str) and user != ""
        if ok and self.args.user is not None and user != self.args.user:
            ok = False
        if ok and self.args.password is not None and password != self.args.password:
            ok = False
        if ok:
            conn.workers.add(user)
            self.stats.authorized += 1
            conn.send({"id": mid, "result": True, "error": None})
        else:
            conn.send({"id": mid, "result": False, "error": [E_UNAUTHORIZED, "Unauthorized worker", None]})
        log("%s authorize %r -> %s" % (conn.name, user, ok))
        if ok and conn.resume_job is not None:
            # As ckpool does on a resumed session: the job in progress again, with clean_jobs = true.
            job, conn.resume_job = conn.resume_job, None
            log("%s: resumed session %s: job %s sent again with clean_jobs=true" % (conn.name, conn.sub_id, job.job_id))
            conn.send_notify(job, clean=True)
            if self.current is not None and self.current is not job:
                conn.send_notify(self.current)

    def on_submit(self, conn: Connection, mid, params) -> None:
        tally = self.stats.scenario(self.last_fault or "baseline")
        try:
            info = self.check_share(conn, params)
        except RejectError as e:
            self.stats.rejected[e.code] = self.stats.rejected.get(e.code, 0) + 1
            self.stats.rejected_by_reason[e.reason] = self.stats.rejected_by_reason.get(e.reason, 0) + 1
            tally.rejected[e.reason] = tally.rejected.get(e.reason, 0) + 1
            conn.answer({"id": mid, "result": None, "error": [e.code, e.message, None]})
            log("REJECT [%d %s: %s] from %s params=%s"
                % (e.code, e.reason, e.message, conn.name, json.dumps(params)))
            return
        if info["stale"] == "extranonce":
            # Valid work for the extranonce1 this job was sent with, but that extranonce1 was replaced
            # moments ago: answered as stale (not counted as rejected, not credited).
            self.stats.stale_extranonce += 1
            tally.stale += 1
            conn.answer({"id": mid, "result": None, "error": [E_JOB_NOT_FOUND, "Stale share (extranonce1 changed)", None]})
            log("STALE from %s job=%s en1=%s en2=%s (job sent before the extranonce1 change)"
                % (conn.name, info["job"], info["en1"], info["en2"]))
            return
        self.stats.accepted += 1
        tally.accepted += 1
        self.stats.last_accepted_at = round(time.time(), 3)
        if self.stats.first_accepted_at is None:
            self.stats.first_accepted_at = self.stats.last_accepted_at
        if info["stale"] == "clean":
            self.stats.stale_within_grace += 1
            tally.stale += 1
        self.stats.best_share_difficulty = max(self.stats.best_share_difficulty, info["difficulty"])
        conn.answer({"id": mid, "result": True, "error": None})
        log("ACCEPT from %s job=%s en1=%s en2=%s ntime=%s nonce=%s diff=%.6g/%s hash=%s header=%s%s"
            % (conn.name, info["job"], info["en1"], info["en2"], info["ntime"], info["nonce"],
               info["difficulty"], info["required"], info["hash"], info["header"],
               " (stale job, within grace)" if info["stale"] else ""))

    def header_for(self, rec: SentJob, en1: bytes, en2: bytes, ntime: int, nonce: int) -> bytes:
        job = rec.job
        coinbase = job.coinb1 + en1 + en2 + job.coinb2
        return build_header(job.version, job.prevhash_header, merkle_root(coinbase, job.branch),
                            ntime, job.nbits, nonce)

    def check_share(self, conn: Connection, params) -> dict:
        if not conn.subscribed:
            raise RejectError("not-subscribed", "Not subscribed")
        if len(params) < 1 or not isinstance(params[0], str) or params[0] not in conn.workers:
            raise RejectError("unauthorized", "Unauthorized worker")
        if len(params) != 5 or not all(isinstance(p, str) for p in params):
            raise RejectError("malformed", "Malformed submit: expected 5 string params")
        _worker, job_id, en2_hex, ntime_hex, nonce_hex = params
        rec = conn.sent.get(job_id)
        if rec is None:
            raise RejectError("job-not-found", "Job not found" + (
                " (never sent on this connection)" if job_id in self.jobs else ""))
        en2 = _hex_field(en2_hex, self.args.en2_size, "extranonce2")
        ntime = int.from_bytes(_hex_field(ntime_hex, 4, "ntime"), "big")
        nonce = int.from_bytes(_hex_field(nonce_hex, 4, "nonce"), "big")
        if ntime < rec.job.ntime or ntime > rec.job.ntime + NTIME_MAX_AHEAD:
            raise RejectError("ntime-out-of-range", "ntime out of range")
        stale = None
        if rec.invalidated_at is not None:
            age = time.monotonic() - rec.invalidated_at
            if age > self.args.stale_grace:
                raise RejectError("stale-expired", "Stale job (superseded %.1f s ago by %s)"
                                  % (age, "a clean job" if rec.invalidated_by == "clean" else "an extranonce1 change"))
            stale = rec.invalidated_by
        key = (job_id, rec.en1, en2, ntime, nonce)
        first = self.seen_shares.get(key)
        if first is not None:
            log("duplicate share: job=%s en1=%s en2=%s ntime=%s nonce=%s was first submitted by %s %.1f s ago%s"
                % (job_id, rec.en1.hex(), en2.hex(), ntime_hex, nonce_hex, first[0], time.monotonic() - first[1],
                   " (on this connection)" if first[0] == conn.name else ""))
            raise RejectError("duplicate", "Duplicate share")

        header = self.header_for(rec, rec.en1, en2, ntime, nonce)
        first = self.seen_headers.get(header)
        if first is not None:
            log("duplicate share (same header as one first submitted by %s %.1f s ago): job=%s header=%s"
                % (first[0], time.monotonic() - first[1], job_id, header.hex()))
            raise RejectError("duplicate", "Duplicate share")
        h = POW[self.algo](header)
        value = hash_value(h)
        diff = share_difficulty(self.algo, h)
        if not value <= rec.target:
            # Diagnose: the same share with another extranonce1 this pool handed out?
            for other in dict.fromkeys(conn.en1_history + list(self.recent_en1)):
                if other == rec.en1:
                    continue
                if hash_value(POW[self.algo](self.header_for(rec, other, en2, ntime, nonce))) <= rec.target:
                    log("share for job %s meets its target with extranonce1 %s, but the job was sent with %s"
                        % (job_id, other.hex(), rec.en1.hex()))
                    raise RejectError("wrong-extranonce1", "Wrong extranonce1 for this job")
            note = ""
            if rec.diff_text != conn.diff_text and value <= conn.target:
                note = " (meets the current difficulty %s, not the %s in force when job %s was sent)" % (
                    conn.diff_text, rec.diff_text, job_id)
            log("low difficulty share: job=%s header=%s hash=%s share_diff=%.6g < %s%s"
                % (job_id, header.hex(), h[::-1].hex(), diff, rec.diff_text, note))
            raise RejectError("low-difficulty", "Low difficulty share" + note)
        self.seen_shares.add(key, (conn.name, time.monotonic()))
        self.seen_headers.add(header, (conn.name, time.monotonic()))
        return {"job": job_id, "en1": rec.en1.hex(), "en2": en2.hex(), "ntime": ntime_hex, "nonce": nonce_hex,
                "difficulty": diff, "required": rec.diff_text, "hash": h[::-1].hex(),
                "header": header.hex(), "stale": stale}


def _hex_field(s: str, nbytes: int, what: str) -> bytes:
    if len(s) != 2 * nbytes:
        raise RejectError("malformed", "%s must be %d hex digits" % (what, 2 * nbytes))
    try:
        return bytes.fromhex(s)
    except ValueError:
        raise RejectError("malformed", "%s is not hex" % what)


# ----------------------------------------------------------------------------------------------------


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Independent stratum V1 test pool (sha256d / scrypt).")
    p.add_argument("--algo", choices=["sha256d", "scrypt"], default="sha256d")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="TCP port (0 = pick a free one)")
    p.add_argument("--difficulty", default=None,
                   help="share difficulty (default 0.001 for sha256d, 0.05 for scrypt)")
    p.add_argument("--seconds", type=float, default=0, help="exit after this many seconds (0 = run until signalled)")
    p.add_argument("--job-interval", type=float, default=10.0, help="seconds between new jobs")
    p.add_argument("--en2-size", type=int, default=4, help="extranonce2 size in bytes (2..8)")
    p.add_argument("--ckpool-style", action="store_true",
                   help="subscribe result lists only the mining.notify subscription")
    p.add_argument("--user", default=None, help="require this worker name")
    p.add_argument("--password", default=None, help="require this password")
    p.add_argument("--stale-grace", type=float, default=2.0,
                   help="seconds a job replaced by a clean job still accepts shares, and a job sent before an "
                        "extranonce1 change gets them answered as stale rather than rejected (in-flight race)")
    p.add_argument("--vectors", default=DEFAULT_VECTORS)
    p.add_argument("--verbose", action="store_true", help="log every line received")
    f = p.add_argument_group("faults")
    f.add_argument("--fault", action="append", default=[], metavar="NAME[,NAME...]",
                   help="inject faults, one every --fault-interval seconds in turn: " + ", ".join(FAULTS))
    f.add_argument("--fault-interval", type=float, default=5.0, help="seconds between faults (default 5)")
    f.add_argument("--reconnect-wait", type=int, default=1, help="wait (s) sent in client.reconnect")
    f.add_argument("--reconnect-grace", type=float, default=3.0,
                   help="after client.reconnect, close the connection if the client is still there this long after the wait")
    f.add_argument("--difficulty-notify-delay", type=float, default=1.0,
                   help="seconds between a difficulty fault's set_difficulty and its notify")
    f.add_argument("--storm-jobs", type=int, default=5, help="clean jobs per clean-storm")
    f.add_argument("--storm-gap", type=float, default=0.05, help="seconds between clean-storm jobs")
    f.add_argument("--garbage-window", type=float, default=2.5,
                   help="seconds after a garbage fault during which every valid line is preceded by junk")
    f.add_argument("--slow-delay", type=float, default=1.5, help="seconds each submit answer is delayed (slow)")
    f.add_argument("--slow-window", type=float, default=3.0, help="seconds a slow fault lasts")
    f.add_argument("--stall-ping-interval", type=float, default=1.0,
                   help="seconds between the mining.ping requests sent on a stalled connection")
    f.add_argument("--fault-count", type=int, default=0,
                   help="stop after this many fault turns (0 = no limit)")
    f.add_argument("--fault-hold-idle", action="store_true",
                   help="a turn with no client to apply its fault to does not move the rotation on (the same fault "
                        "is tried next turn), so every fault gets its turn even when clients come and go")
    p.add_argument("--no-resume", dest="resume", action="store_false",
                   help="forget subscription ids: a mining.subscribe asking to resume a session gets a new one")
    t = p.add_argument_group("TLS")
    t.add_argument("--tls-cert", default=None, help="PEM certificate (chain): serve stratum over TLS")
    t.add_argument("--tls-key", default=None, help="PEM private key for --tls-cert")
    args = p.parse_args(argv)
    if not 2 <= args.en2_size <= 8:
        p.error("--en2-size must be between 2 and 8")
    if args.difficulty is None:
        args.difficulty = "0.001" if args.algo == "sha256d" else "0.05"
    args.difficulty = args.difficulty.strip()
    try:
        d = Fraction(args.difficulty)
        if not isinstance(json.loads(args.difficulty), (int, float)):
            raise ValueError
    except (ValueError, ZeroDivisionError, json.JSONDecodeError):
        p.error("--difficulty must be a decimal number")
    if d <= 0:
        p.error("--difficulty must be positive")
    if args.job_interval <= 0:
        p.error("--job-interval must be positive")
    faults = []
    for item in args.fault:
        for name in item.split(","):
            name = name.strip()
            if not name:
                continue
            if name not in FAULTS:
                p.error("unknown fault %r (known: %s)" % (name, ", ".join(FAULTS)))
            faults.append(name)
    args.fault = faults
    if args.fault_interval <= 0:
        p.error("--fault-interval must be positive")
    if args.stall_ping_interval <= 0:
        p.error("--stall-ping-interval must be positive")
    if (args.tls_cert is None) != (args.tls_key is None):
        p.error("--tls-cert and --tls-key go together")
    return args


async def main_async(args, templates) -> dict:
    pool = Pool(args, templates)
    pool.new_job()
    tls = None
    if args.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    server = await asyncio.start_server(pool.handle, host=args.host, port=args.port, ssl=tls)
    pool.port = server.sockets[0].getsockname()[1]
    log("algo=%s difficulty=%s target=%064x en2_size=%d ckpool_style=%s jobs=%d tls=%s resume=%s faults=%s"
        % (args.algo, args.difficulty, int(pool.target), args.en2_size, args.ckpool_style, len(templates),
           bool(tls), args.resume, ",".join(pool.faults) or "none"))
    sys.stdout.write("LISTENING %d\n" % pool.port)
    sys.stdout.flush()

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    background = [asyncio.create_task(pool.rotate_jobs())]
    if pool.faults:
        background.append(asyncio.create_task(pool.run_faults()))
    try:
        if args.seconds > 0:
            try:
                await asyncio.wait_for(stop.wait(), timeout=args.seconds)
            except asyncio.TimeoutError:
                pass
        else:
            await stop.wait()
    finally:
        tasks = background + list(pool.tasks)
        for task in tasks:
            task.cancel()
        server.close()
        for c in list(pool.conns):
            c.close()
        await asyncio.sleep(0)
        if tasks:
            await asyncio.wait(tasks, timeout=2)  # their clean-ups count (stalls still open)
    summary = pool.stats.summary()
    summary["tls"] = bool(tls)
    return summary


def main(argv=None) -> int:
    args = parse_args(argv)
    with open(args.vectors) as f:
        vectors = json.load(f)
    failures = self_check(vectors)
    if failures:
        for msg in failures:
            log("SELF-CHECK FAILED: " + msg)
        return 2
    log("self-check passed (stratum share header/merkle/hash/difficulty, %d sha256d and %d scrypt headers)"
        % (len(vectors["sha256d_headers"]), len(vectors["scrypt_headers"])))
    templates = load_templates(vectors, args.algo)
    summary = asyncio.run(main_async(args, templates))
    sys.stdout.write("SUMMARY %s\n" % json.dumps(summary, sort_keys=True))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
