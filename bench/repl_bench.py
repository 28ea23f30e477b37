#!/usr/bin/python3
"""Replication of vigil-server against redis-server, measured in the same run.

Two measurements, each on a fresh master -> replica pair of the same server (redis -> redis,
vigil -> vigil), the two systems alternating round by round; medians over the rounds and the
ratio vigil/redis are printed.

1. Full sync: the master gets DEBUG POPULATE <keys>; a fresh, empty replica is sent
   REPLICAOF 127.0.0.1 <master port>; the time is taken from just before REPLICAOF is sent until
   the replica's INFO replication shows master_link_status:up (polled every 5 ms on one
   persistent connection). The replica's key count, RSS and used_memory are read after the sync.
2. Lag under write load: an empty master with one synced replica (and one write seen to reach
   the replica, so that the command stream is known to flow) runs
       redis-benchmark -c 50 -n <requests> -t set,lpush,incr -P 16 -r 100000
   while INFO replication of both is sampled every 10 ms on two persistent connections, in the
   order master, replica, master. lag = (second master master_repl_offset) - (replica
   slave_repl_offset), in bytes. The two servers cannot be read atomically, so this is an
   upper bound: it includes what the master took in while the replica was being read (the lower
   bound, first master offset - replica offset, is printed for p50 and kept in the JSON). After
   redis-benchmark exits, catch-up is the time until the replica's offset reaches the master's
   offset taken at that moment.

repl-diskless-sync is each server's default unless --diskless yes|no forces it;
repl-diskless-sync-delay is 0 on every master (--sync-delay changes it; Redis's default of 5 s
would otherwise be most of a diskless full sync).

    bench/repl_bench.py [--rounds 5] [--keys 1000000] [--requests 200000] [--systems redis,vigil]
                        [--diskless default|yes|no] [--timeout 60] [--json out.json]

It is a measurement, not a test: it never fails on a slow result. It exits 1 when a system did
not sync (or crashed) within --timeout, after printing what it measured. Only 127.0.0.1 is used.
"""

import argparse
import csv
import io
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_VIGIL = os.environ.get("VIGIL_SERVER") or os.path.join(ROOT, "build", "release", "server",
                                                               "vigil-server")
LOAD_TESTS = "set,lpush,incr"


class BenchError(Exception):
    """A system did not do what was measured (no sync within the deadline, crash, error reply)."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Conn:
    """A minimal RESP2 client on one persistent socket; every read has a timeout."""

    def __init__(self, port, timeout=10.0):
        self.port = port
        self.timeout = timeout
        self.sock = None
        self.reconnect()

    def reconnect(self):
        """After a timeout or error the stream position is lost: start on a new socket."""
        self.close()
        self.buf = b""
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 2:]
                return line
            self._fill()

    def _fill(self):
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("connection closed by server")
        self.buf += chunk

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return BenchError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self._fill()
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data.decode(errors="replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise ConnectionError(f"unexpected reply {line[:80]!r}")

    def call(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        reply = self._reply()
        if isinstance(reply, BenchError):
            raise BenchError(f"{' '.join(map(str, args))}: {reply}")
        return reply

    def info(self, section):
        fields = {}
        for line in (self.call("INFO", section) or "").splitlines():
            if ":" in line and not line.startswith("#"):
                k, v = line.split(":", 1)
                fields[k] = v.strip()
        return fields


class Server:
    def __init__(self, name, binary, extra, role):
        self.name = name
        self.role = role
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix=f"repl-bench-{name}-{role}-")
        self.logpath = os.path.join(self.dir, "server.log")
        self.proc = None
        cmd = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
               "--save", "", "--appendonly", "no"] + extra
        self.cmd = cmd
        with open(self.logpath, "wb") as logf:
            # Own process group, so that a forked child (BGSAVE, diskless sync) is stopped too.
            self.proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                c = Conn(self.port, timeout=2)
                try:
                    if c.call("PING") == "PONG":
                        return
                finally:
                    c.close()
            except (OSError, ConnectionError, BenchError):
                pass
            time.sleep(0.02)
        tail = self.log_tail()
        self.stop()
        raise BenchError(f"{name} {role} did not start: {' '.join(cmd)}\n{tail}")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def rss(self):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def log_tail(self, lines=15):
        try:
            with open(self.logpath, errors="replace") as f:
                text = f.read().splitlines()[-lines:]
        except OSError:
            return ""
        return "\n".join(f"    [{self.name} {self.role} log] {x}" for x in text)

    def stop(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
            try:  # whatever the server forked and left behind
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        shutil.rmtree(self.dir, ignore_errors=True)


def server_args(args, role):
    extra = ["--enable-debug-command", "yes"]
    if role == "master":
        extra += ["--repl-diskless-sync-delay", str(args.sync_delay)]
        if args.diskless != "default":
            extra += ["--repl-diskless-sync", args.diskless]
    return extra


def master_offset(fields):
    if "master_repl_offset" not in fields:
        raise BenchError(f"master INFO replication has no master_repl_offset: {fields}")
    return int(fields["master_repl_offset"])


def replica_offset(fields):
    for k in ("slave_repl_offset", "master_repl_offset"):
        if k in fields:
            return int(fields[k])
    raise BenchError(f"replica INFO replication has no slave_repl_offset: {fields}")


def start_sync(master, rconn):
    """Sends REPLICAOF; returns the monotonic time just before it was sent."""
    t0 = time.monotonic()
    rconn.call("REPLICAOF", "127.0.0.1", master.port)
    return t0


def wait_link_up(master, replica, rconn, t0, timeout, what):
    """Polls the replica every 5 ms until master_link_status:up; returns seconds since t0."""
    deadline = t0 + timeout
    fields = {}
    while True:
        try:
            if rconn.sock is None:
                rconn.reconnect()
            rconn.sock.settimeout(max(0.1, deadline - time.monotonic()))
            fields = rconn.info("replication")
        except OSError as e:  # includes timeouts and a closed connection
            fields = {"error": f"{type(e).__name__}: {e}"}
            rconn.close()
        now = time.monotonic()
        if fields.get("master_link_status") == "up":
            return now - t0
        for s in (master, replica):
            if not s.alive():
                raise BenchError(f"{s.name} {s.role} exited (code {s.proc.returncode}) during "
                                 f"{what}\n{s.log_tail()}")
        if now > deadline:
            state = {k: fields.get(k) for k in ("role", "master_link_status",
                                                "master_sync_in_progress", "error")
                     if k in fields}
            raise BenchError(f"TIMEOUT: {replica.name} replica not in sync after {timeout:g} s "
                             f"({what}); last INFO replication: {state}\n"
                             f"{master.log_tail()}\n{replica.log_tail()}")
        time.sleep(0.005)


def wait_stream_flowing(master, replica, mconn, rconn, timeout):
    """Writes one key on the master and waits until the replica's offset reaches the master's.

    master_link_status:up on the replica does not mean the master streams commands yet: Redis
    7.0 starts the stream on the replica's first REPLCONF ACK after the RDB, and when that ACK
    races with the master noticing the end of the (diskless) transfer, the stream waits for the
    next periodic ACK, up to 1 s. A load started in that window would measure it as lag.
    Returns the seconds waited."""
    t0 = time.monotonic()
    mconn.call("SET", "repl-bench:probe", "1")
    target = master_offset(mconn.info("replication"))
    while True:
        r = replica_offset(rconn.info("replication"))
        if r >= target:
            return time.monotonic() - t0
        if time.monotonic() > t0 + timeout or not replica.alive() or not master.alive():
            raise BenchError(f"TIMEOUT: {replica.name} replica at offset {r}, master at {target}: "
                             f"a write on the master did not reach the replica within "
                             f"{timeout:g} s after link up\n{master.log_tail()}\n"
                             f"{replica.log_tail()}")
        time.sleep(0.001)


def full_sync_round(name, binary, args):
    master = replica = None
    conns = []
    try:
        master = Server(name, binary, server_args(args, "master"), "master")
        mconn = Conn(master.port, timeout=600)
        conns.append(mconn)
        mconn.call("DEBUG", "POPULATE", args.keys)
        mkeys = int(mconn.call("DBSIZE"))
        if mkeys != args.keys:
            raise BenchError(f"{name} master has {mkeys} keys after DEBUG POPULATE {args.keys}")
        mode = mconn.call("CONFIG", "GET", "repl-diskless-sync")
        mode = "diskless" if mode and len(mode) == 2 and mode[1] == "yes" else "disk"
        replica = Server(name, binary, server_args(args, "replica"), "replica")
        rconn = Conn(replica.port, timeout=args.timeout)  # a replica may be slow while loading
        conns.append(rconn)
        t0 = start_sync(master, rconn)
        secs = wait_link_up(master, replica, rconn, t0, args.timeout, "full sync")
        rkeys = int(rconn.call("DBSIZE"))
        mem = rconn.info("memory")
        return {"seconds": secs, "mode": mode, "replica_keys": rkeys,
                "replica_rss": replica.rss(), "replica_used_memory": int(mem.get("used_memory", 0)),
                "master_rss": master.rss()}
    finally:
        for c in conns:
            c.close()
        for s in (replica, master):
            if s is not None:
                s.stop()


def percentile(values, p):
    if not values:
        return 0
    v = sorted(values)
    k = math.ceil(p / 100.0 * len(v)) - 1  # nearest rank
    return v[max(0, min(len(v) - 1, k))]


def lag_round(name, binary, args):
    master = replica = bench = None
    conns = []
    try:
        master = Server(name, binary, server_args(args, "master"), "master")
        replica = Server(name, binary, server_args(args, "replica"), "replica")
        mconn = Conn(master.port, timeout=10)
        rconn = Conn(replica.port, timeout=10)
        conns += [mconn, rconn]
        t0 = start_sync(master, rconn)
        wait_link_up(master, replica, rconn, t0, args.timeout, "initial sync before the load")
        stream_wait = wait_stream_flowing(master, replica, mconn, rconn, args.timeout)

        cmd = ["redis-benchmark", "-p", str(master.port), "-c", "50", "-n", str(args.requests),
               "-t", LOAD_TESTS, "-P", "16", "-r", "100000", "--csv"]
        bench_out = tempfile.TemporaryFile(mode="w+")
        bench = subprocess.Popen(cmd, stdout=bench_out, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL)
        t_start = time.monotonic()
        deadline = t_start + args.timeout
        samples = []  # (t, lag upper bound, lag lower bound)
        next_t = t_start
        while bench.poll() is None:
            if time.monotonic() > deadline:
                raise BenchError(f"TIMEOUT: redis-benchmark against {name} master still running "
                                 f"after {args.timeout:g} s")
            m1 = master_offset(mconn.info("replication"))
            r = replica_offset(rconn.info("replication"))
            m2 = master_offset(mconn.info("replication"))
            samples.append((time.monotonic() - t_start, m2 - r, max(0, m1 - r)))
            for s in (master, replica):
                if not s.alive():
                    raise BenchError(f"{s.name} {s.role} exited (code {s.proc.returncode}) "
                                     f"under load\n{s.log_tail()}")
            next_t += 0.010
            pause = next_t - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            else:
                next_t = time.monotonic()
        t_end = time.monotonic()
        load_secs = t_end - t_start
        target = master_offset(mconn.info("replication"))
        catch_deadline = t_end + args.timeout
        while True:
            r = replica_offset(rconn.info("replication"))
            if r >= target:
                catchup = time.monotonic() - t_end
                break
            if time.monotonic() > catch_deadline or not replica.alive():
                raise BenchError(f"TIMEOUT: {name} replica at offset {r}, master at {target}, "
                                 f"{args.timeout:g} s after the load ended\n{replica.log_tail()}")
            time.sleep(0.001)

        bench_out.seek(0)
        out = bench_out.read()
        bench_out.close()
        if bench.returncode != 0:
            raise BenchError(f"redis-benchmark exited {bench.returncode}: {out[-500:]}")
        rps = {}
        for row in csv.reader(io.StringIO(out)):
            if len(row) >= 2 and row[0] != "test":
                try:
                    rps[row[0]] = float(row[1])
                except ValueError:
                    pass
        lags = [s[1] for s in samples]
        los = [s[2] for s in samples]
        return {"samples": len(samples), "load_seconds": load_secs, "rps": rps,
                "master_offset_end": target,
                "lag_p50": statistics.median(lags) if lags else 0,
                "lag_p99": percentile(lags, 99), "lag_max": max(lags) if lags else 0,
                "lag_lo_p50": statistics.median(los) if los else 0,
                "lag_lo_p99": percentile(los, 99),
                "catchup_seconds": catchup, "stream_wait_seconds": stream_wait,
                "series": [[round(t, 4), u, lo] for t, u, lo in samples]}
    finally:
        if bench is not None and bench.poll() is None:
            bench.kill()
            bench.wait(timeout=10)
        for c in conns:
            c.close()
        for s in (replica, master):
            if s is not None:
                s.stop()


def med(rounds, key):
    vals = [r[key] for r in rounds]
    return statistics.median(vals) if vals else None


def ratio(v, r):
    if v is None or r is None:
        return None
    return v / r if r else float("inf")


def fmt_ratio(x):
    return "n/a" if x is None else f"{x:.2f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vigil", default=DEFAULT_VIGIL, help="vigil-server (env VIGIL_SERVER)")
    ap.add_argument("--redis", default="/usr/bin/redis-server")
    ap.add_argument("--systems", default="redis,vigil", help="comma list of redis, vigil")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--keys", type=int, default=1000000, help="DEBUG POPULATE for the full sync")
    ap.add_argument("--requests", type=int, default=200000,
                    help=f"redis-benchmark -n (per test of {LOAD_TESTS}) for the lag test")
    ap.add_argument("--diskless", choices=("default", "yes", "no"), default="default",
                    help="repl-diskless-sync on the masters (default: each server's default)")
    ap.add_argument("--sync-delay", type=int, default=0,
                    help="repl-diskless-sync-delay on the masters, seconds (default 0)")
    ap.add_argument("--timeout", type=float, default=60,
                    help="deadline in seconds of every sync, load and catch-up")
    ap.add_argument("--skip-full-sync", action="store_true")
    ap.add_argument("--skip-lag", action="store_true")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()

    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    binaries = {"redis": args.redis, "vigil": args.vigil}
    for s in systems:
        if s not in binaries:
            ap.error(f"unknown system {s!r} (redis, vigil)")
        if not (os.path.isfile(binaries[s]) and os.access(binaries[s], os.X_OK)):
            ap.error(f"{s} binary not found or not executable: {binaries[s]}")
    if not args.skip_lag and not shutil.which("redis-benchmark"):
        ap.error("redis-benchmark is not on PATH")

    phases = []
    if not args.skip_full_sync:
        phases.append(("full_sync", full_sync_round))
    if not args.skip_lag:
        phases.append(("lag", lag_round))
    results = {p: {s: [] for s in systems} for p, _ in phases}
    failures = {}  # (phase, system) -> message
    for phase, fn in phases:
        for rnd in range(args.rounds):
            order = systems if rnd % 2 == 0 else list(reversed(systems))
            for name in order:
                if (phase, name) in failures:
                    continue
                try:
                    res = fn(name, binaries[name], args)
                except (BenchError, OSError, KeyError, ValueError) as e:
                    failures[(phase, name)] = str(e) if isinstance(e, BenchError) else \
                        f"{type(e).__name__}: {e} (talking to the {name} servers)"
                    log(f"  {phase} round {rnd + 1} {name}: FAILED, skipping its other rounds\n"
                        f"{e}")
                    continue
                results[phase][name].append(res)
                if phase == "full_sync":
                    log(f"  full sync round {rnd + 1} {name}: {res['seconds']:.3f} s "
                        f"({res['mode']}), replica {res['replica_keys']} keys, "
                        f"RSS {res['replica_rss'] / 2**20:.1f} MiB")
                else:
                    log(f"  lag round {rnd + 1} {name}: p50 {res['lag_p50']:.0f} B, "
                        f"p99 {res['lag_p99']:.0f} B, max {res['lag_max']} B, "
                        f"catch-up {res['catchup_seconds'] * 1000:.1f} ms, "
                        f"first write after link up took "
                        f"{res['stream_wait_seconds'] * 1000:.0f} ms, "
                        f"{res['samples']} samples in {res['load_seconds']:.2f} s")

    machine = f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, " \
              f"{platform.platform()}"
    print(f"\nreplication, master -> replica of the same server, median of {args.rounds} "
          f"alternating rounds\nmachine: {machine}\n")
    summary = {}
    if "full_sync" in results:
        print(f"Full sync of DEBUG POPULATE {args.keys} (REPLICAOF -> master_link_status:up; "
              f"repl-diskless-sync {args.diskless}, delay {args.sync_delay} s):\n")
        print("| server | mode | rounds | sync s (median) | min | max | replica keys | "
              "replica RSS MiB | replica used_memory MiB |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for name in systems:
            rs = results["full_sync"][name]
            if not rs:
                print(f"| {name} | | 0 | FAILED | | | | | |")
                continue
            secs = [r["seconds"] for r in rs]
            summary[("full_sync", name)] = med(rs, "seconds")
            print(f"| {name} | {rs[0]['mode']} | {len(rs)} | {statistics.median(secs):.3f} | "
                  f"{min(secs):.3f} | {max(secs):.3f} | {int(med(rs, 'replica_keys'))} | "
                  f"{med(rs, 'replica_rss') / 2**20:.1f} | "
                  f"{med(rs, 'replica_used_memory') / 2**20:.1f} |")
        if "redis" in systems and "vigil" in systems:
            r = ratio(summary.get(("full_sync", "vigil")), summary.get(("full_sync", "redis")))
            verdict = "" if r is None else (" — met" if r <= 1.0 else " — NOT met")
            print(f"\nfull sync time vigil/redis: {fmt_ratio(r)} (target <= 1.00){verdict}")
            rr = results["full_sync"]
            if rr["redis"] and rr["vigil"]:
                rss = ratio(med(rr["vigil"], "replica_rss"), med(rr["redis"], "replica_rss"))
                print(f"replica RSS vigil/redis: {fmt_ratio(rss)}")
        print()
    if "lag" in results:
        print(f"Lag under redis-benchmark -c 50 -n {args.requests} -t {LOAD_TESTS} -P 16 "
              f"-r 100000 on the master (bytes, master offset - replica offset, sampled every "
              f"10 ms; per-round figures, median over rounds):\n")
        tests = sorted({t for name in systems for r in results["lag"][name] for t in r["rps"]})
        print("| server | rounds | lag p50 B | lag p99 B | lag max B | lag p50 lower bound B | "
              "catch-up ms | samples |" + "".join(f" {t} rps |" for t in tests))
        print("|---|---:|---:|---:|---:|---:|---:|---:|" + "---:|" * len(tests))
        for name in systems:
            rs = results["lag"][name]
            if not rs:
                print(f"| {name} | 0 | FAILED | | | | | |" + " |" * len(tests))
                continue
            for key in ("lag_p50", "lag_p99", "lag_max", "catchup_seconds"):
                summary[("lag", name, key)] = med(rs, key)
            rps = [statistics.median(r["rps"].get(t, 0) for r in rs) for t in tests]
            print(f"| {name} | {len(rs)} | {med(rs, 'lag_p50'):.0f} | {med(rs, 'lag_p99'):.0f} | "
                  f"{med(rs, 'lag_max'):.0f} | {med(rs, 'lag_lo_p50'):.0f} | "
                  f"{med(rs, 'catchup_seconds') * 1000:.1f} | {med(rs, 'samples'):.0f} |"
                  + "".join(f" {x:.0f} |" for x in rps))
        if "redis" in systems and "vigil" in systems:
            for key, label in (("lag_p50", "lag p50"), ("lag_p99", "lag p99")):
                r = ratio(summary.get(("lag", "vigil", key)), summary.get(("lag", "redis", key)))
                verdict = "" if r is None else (" — met" if r <= 1.2 else " — NOT met")
                print(f"\n{label} vigil/redis: {fmt_ratio(r)} (target <= 1.20){verdict}", end="")
            r = ratio(summary.get(("lag", "vigil", "catchup_seconds")),
                      summary.get(("lag", "redis", "catchup_seconds")))
            print(f"\ncatch-up vigil/redis: {fmt_ratio(r)}")
        print()
    for (phase, name), msg in failures.items():
        print(f"FAILED {phase} {name}: {msg.splitlines()[0]}")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": machine, "args": vars(args), "results": results,
                       "failures": {f"{p}/{n}": m for (p, n), m in failures.items()}}, f,
                      indent=2)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
