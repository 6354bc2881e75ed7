#!/usr/bin/env python3
"""An independent stratum V1 test pool for interop-testing nightminer.

Written from the protocol description only (standard library, no code shared with the Swift
project), so that "every share the miner submits is accepted here" is an independent check of the
miner's coinbase / merkle / header assembly, hashing and target comparison.

Jobs are built from real block data in Tests/TestFixtures/vectors.json: the real Bitcoin pool job of
stratum_shares[0] and jobs made from the real 80-byte headers (version, prevhash, nbits, ntime) combined
with that job's real coinbase halves and merkle branch.

stdout: exactly one "LISTENING <port>" line once bound, and one "SUMMARY {json}" line on exit.
stderr: a log line per connection event and per share.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import signal
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

# Difficulty-1 targets. A scrypt share target is 65536 times larger than a sha256d one.
DIFF1_TARGET = {
    "sha256d": 0xFFFF * 2**208,
    "scrypt": 0xFFFF * 2**224,
}


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
        self.invalidated_at: float | None = None  # set when a later clean job replaces it

    def notify_params(self) -> list:
        return [
            self.job_id,
            swap_words(self.prevhash_header).hex(),
            self.coinb1.hex(),
            self.coinb2.hex(),
            [b.hex() for b in self.branch],
            "%08x" % self.version,
            "%08x" % self.nbits,
            "%08x" % self.ntime,
            self.clean,
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


class Stats:
    def __init__(self):
        self.accepted = 0
        self.rejected: dict[int, int] = {}
        self.connections = 0
        self.authorized = 0
        self.jobs_sent = 0          # mining.notify messages written, over all connections
        self.jobs_created = 0
        self.stale_within_grace = 0  # accepted shares on a job replaced by a clean job < grace ago
        self.best_share_difficulty = 0.0

    def summary(self) -> dict:
        return {
            "accepted": self.accepted,
            "rejected": {str(k): v for k, v in sorted(self.rejected.items())},
            "rejected_total": sum(self.rejected.values()),
            "connections": self.connections,
            "authorized": self.authorized,
            "jobs_sent": self.jobs_sent,
            "jobs_created": self.jobs_created,
            "stale_within_grace": self.stale_within_grace,
            "best_share_difficulty": self.best_share_difficulty,
        }


class RejectError(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class Connection:
    def __init__(self, pool: "Pool", reader, writer, en1: bytes, sub_id: str):
        self.pool = pool
        self.reader = reader
        self.writer = writer
        self.en1 = en1
        self.sub_id = sub_id
        self.subscribed = False
        self.workers: set[str] = set()
        peer = writer.get_extra_info("peername")
        self.name = "%s:%s" % (peer[0], peer[1]) if peer else "?"

    def send(self, obj: dict) -> None:
        self.send_raw(json.dumps(obj, separators=(",", ":")))

    def send_raw(self, line: str) -> None:
        if self.writer.is_closing():
            return
        self.writer.write((line + "\n").encode())

    def send_notify(self, job: Job) -> None:
        self.send({"id": None, "method": "mining.notify", "params": job.notify_params()})
        self.pool.stats.jobs_sent += 1


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
        self.jobs: dict[str, Job] = {}
        self.current: Job | None = None
        self.conns: set[Connection] = set()
        self.stats = Stats()
        self.seen_shares: set[tuple] = set()
        self.seen_headers: set[bytes] = set()
        self.next_en1 = int.from_bytes(os.urandom(4), "big")
        self.job_counter = 0
        self.started = time.monotonic()

    # -- jobs

    def new_job(self) -> Job:
        self.template_index = (self.template_index + 1) % len(self.templates)
        t = self.templates[self.template_index]
        # ntime advances with wall time like a real pool's, so a re-issued template is never the
        # same work twice. The first issue of each template carries the real ntime.
        elapsed = int(time.monotonic() - self.started)
        ntime = t.ntime + (elapsed if self.job_counter >= len(self.templates) else 0)
        self.job_counter += 1
        job_id = "%x" % (0x1000 + self.job_counter)
        clean = self.current is None or self.current.prevhash_header != t.prevhash_header
        job = Job(job_id, t.prevhash_header, t.coinb1, t.coinb2, t.branch, t.version, t.nbits,
                  ntime, clean, t.origin)
        now = time.monotonic()
        if clean:
            for old in self.jobs.values():
                if old.invalidated_at is None:
                    old.invalidated_at = now
        self.jobs[job_id] = job
        self.current = job
        self.stats.jobs_created += 1
        log("job %s from %s version=%08x nbits=%08x ntime=%08x clean=%s"
            % (job_id, t.origin, job.version, job.nbits, job.ntime, clean))
        return job

    async def rotate_jobs(self) -> None:
        while True:
            await asyncio.sleep(self.args.job_interval)
            job = self.new_job()
            for c in list(self.conns):
                if c.subscribed:
                    c.send_notify(job)

    # -- connections

    async def handle(self, reader, writer) -> None:
        en1 = (self.next_en1 & 0xFFFFFFFF).to_bytes(4, "big")
        self.next_en1 += 1
        conn = Connection(self, reader, writer, en1, os.urandom(4).hex())
        self.conns.add(conn)
        self.stats.connections += 1
        log("connect %s extranonce1=%s" % (conn.name, en1.hex()))
        try:
            while True:
                try:
                    line = await reader.readline()
                except (asyncio.LimitOverrunError, ValueError):
                    log("%s: line too long, closing" % conn.name)
                    break
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
        except (ConnectionError, OSError) as e:
            log("%s: %s" % (conn.name, e))
        finally:
            self.conns.discard(conn)
            log("disconnect %s" % conn.name)
            try:
                writer.close()
            except Exception:
                pass

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
        elif method is None:
            pass  # a response to something we never ask; ignore
        else:
            conn.send({"id": mid, "result": None, "error": [E_OTHER, "Unsupported method %s" % method, None]})

    def on_subscribe(self, conn: Connection, mid, params) -> None:
        agent = params[0] if params else ""
        if self.args.ckpool_style:
            subs = [["mining.notify", conn.sub_id]]
        else:
            subs = [["mining.set_difficulty", conn.sub_id], ["mining.notify", conn.sub_id]]
        conn.send({"id": mid, "result": [subs, conn.en1.hex(), self.args.en2_size], "error": None})
        first = not conn.subscribed
        conn.subscribed = True
        log("%s subscribed agent=%r extranonce1=%s extranonce2_size=%d"
            % (conn.name, agent, conn.en1.hex(), self.args.en2_size))
        if first:
            conn.send_raw('{"id":null,"method":"mining.set_difficulty","params":[%s]}' % self.difficulty_text)
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

    def on_submit(self, conn: Connection, mid, params) -> None:
        try:
            info = self.check_share(conn, params)
        except RejectError as e:
            self.stats.rejected[e.code] = self.stats.rejected.get(e.code, 0) + 1
            conn.send({"id": mid, "result": None, "error": [e.code, e.message, None]})
            log("REJECT [%d %s] from %s params=%s" % (e.code, e.message, conn.name, json.dumps(params)))
            return
        self.stats.accepted += 1
        self.stats.best_share_difficulty = max(self.stats.best_share_difficulty, info["difficulty"])
        conn.send({"id": mid, "result": True, "error": None})
        log("ACCEPT from %s job=%s en1=%s en2=%s ntime=%s nonce=%s diff=%.6g hash=%s header=%s%s"
            % (conn.name, info["job"], conn.en1.hex(), info["en2"], info["ntime"], info["nonce"],
               info["difficulty"], info["hash"], info["header"],
               " (stale job, within grace)" if info["stale"] else ""))

    def check_share(self, conn: Connection, params) -> dict:
        if not conn.subscribed:
            raise RejectError(E_NOT_SUBSCRIBED, "Not subscribed")
        if len(params) < 1 or not isinstance(params[0], str) or params[0] not in conn.workers:
            raise RejectError(E_UNAUTHORIZED, "Unauthorized worker")
        if len(params) != 5 or not all(isinstance(p, str) for p in params):
            raise RejectError(E_OTHER, "Malformed submit: expected 5 string params")
        _worker, job_id, en2_hex, ntime_hex, nonce_hex = params
        job = self.jobs.get(job_id)
        if job is None:
            raise RejectError(E_JOB_NOT_FOUND, "Job not found")
        stale = False
        if job.invalidated_at is not None:
            if time.monotonic() - job.invalidated_at > self.args.stale_grace:
                raise RejectError(E_JOB_NOT_FOUND, "Job not found (stale)")
            stale = True
        en2 = _hex_field(en2_hex, self.args.en2_size, "extranonce2")
        ntime = int.from_bytes(_hex_field(ntime_hex, 4, "ntime"), "big")
        nonce = int.from_bytes(_hex_field(nonce_hex, 4, "nonce"), "big")
        if ntime < job.ntime or ntime > job.ntime + NTIME_MAX_AHEAD:
            raise RejectError(E_OTHER, "ntime out of range")
        key = (job_id, conn.en1, en2, ntime, nonce)
        if key in self.seen_shares:
            raise RejectError(E_DUPLICATE, "Duplicate share")

        coinbase = job.coinb1 + conn.en1 + en2 + job.coinb2
        merkle = merkle_root(coinbase, job.branch)
        header = build_header(job.version, job.prevhash_header, merkle, ntime, job.nbits, nonce)
        if header in self.seen_headers:
            raise RejectError(E_DUPLICATE, "Duplicate share (same header)")
        h = POW[self.algo](header)
        value = hash_value(h)
        diff = share_difficulty(self.algo, h)
        if not value <= self.target:
            log("low difficulty share: header=%s hash=%s share_diff=%.6g < %s"
                % (header.hex(), h[::-1].hex(), diff, self.args.difficulty))
            raise RejectError(E_LOW_DIFFICULTY, "Low difficulty share")
        self.seen_shares.add(key)
        self.seen_headers.add(header)
        if stale:
            self.stats.stale_within_grace += 1
        return {"job": job_id, "en2": en2.hex(), "ntime": ntime_hex, "nonce": nonce_hex,
                "difficulty": diff, "hash": h[::-1].hex(), "header": header.hex(), "stale": stale}


def _hex_field(s: str, nbytes: int, what: str) -> bytes:
    if len(s) != 2 * nbytes:
        raise RejectError(E_OTHER, "%s must be %d hex digits" % (what, 2 * nbytes))
    try:
        return bytes.fromhex(s)
    except ValueError:
        raise RejectError(E_OTHER, "%s is not hex" % what)


# ----------------------------------------------------------------------------------------------------


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Independent stratum V1 test pool (sha256d / scrypt).")
    p.add_argument("--algo", choices=["sha256d", "scrypt"], default="sha256d")
    p.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 = pick a free one)")
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
                   help="seconds a job replaced by a clean job still accepts shares (in-flight race)")
    p.add_argument("--vectors", default=DEFAULT_VECTORS)
    p.add_argument("--verbose", action="store_true", help="log every line received")
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
    return args


async def main_async(args, templates) -> dict:
    pool = Pool(args, templates)
    pool.new_job()
    server = await asyncio.start_server(pool.handle, host="127.0.0.1", port=args.port)
    port = server.sockets[0].getsockname()[1]
    log("algo=%s difficulty=%s target=%064x en2_size=%d ckpool_style=%s jobs=%d"
        % (args.algo, args.difficulty, int(pool.target), args.en2_size, args.ckpool_style, len(templates)))
    sys.stdout.write("LISTENING %d\n" % port)
    sys.stdout.flush()

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    rotator = asyncio.create_task(pool.rotate_jobs())
    try:
        if args.seconds > 0:
            try:
                await asyncio.wait_for(stop.wait(), timeout=args.seconds)
            except asyncio.TimeoutError:
                pass
        else:
            await stop.wait()
    finally:
        rotator.cancel()
        server.close()
        for c in list(pool.conns):
            try:
                c.writer.close()
            except Exception:
                pass
        await asyncio.sleep(0)
    return pool.stats.summary()


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
