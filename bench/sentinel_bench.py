#!/usr/bin/python3
"""Failover time of vigil-sentinel against redis-sentinel, measured in the same run.

Each run builds a fresh topology on 127.0.0.1: one master, two replicas of it (redis-server by
default for both systems, so that only the sentinel differs; --servers vigil uses vigil-server)
and three sentinels of one system watching it as `mymaster` with quorum 2,
`sentinel down-after-milliseconds 1000` and `sentinel failover-timeout 6000` (only an election
retry would feel the latter: it is retried after 2 x failover-timeout). The two systems
alternate run by run (the order flips every run).

Before the kill the script waits until the run starts from the same state everywhere:
- both replicas are linked and in sync (a probe key written on the master, replica offsets
  reach the master's offset);
- every sentinel reports for mymaster flags "master", num-slaves 2, num-other-sentinels 2, both
  replicas with flags "slave" and master-link-status ok, both peers with flags "sentinel";
- one client round trip (below) writes to the master.
Then it sleeps a random 0..1000 ms (so that the kill falls at a random phase of the 1 s ping
period), and `kill -9`s the master; t = 0 is taken just before the signal is sent.

Measured, in seconds after the kill:
- events: every sentinel's event channels are subscribed to before the kill, and each message is
  timestamped when it arrives here. Reported: the first +sdown and +odown of the master, the
  first +try-failover, +elected-leader and +promoted-slave, the first +switch-master, and the
  time at which every sentinel has published +switch-master;
- agree: the first poll (every 10 ms) at which every sentinel's SENTINEL get-master-addr-by-name
  gives the same address, other than the old master's;
- write: a client loop that, every ~10 ms, asks the sentinels in order for
  SENTINEL get-master-addr-by-name, then for each address given (the old master's included:
  connecting there fails at once) connects, checks that ROLE is master and SETs a key; the time
  of the first SET answered +OK. Like redis-py, which skips a sentinel that sees its master down,
  this client takes the first address that works, whichever sentinel gave it.

After a run the new master must be one of the replicas, every sentinel must name it, and every
sentinel process must still be alive (and a vigil-sentinel must exit 0 on SIGTERM); a -sdown or
-odown of the master before the promotion, a second epoch, a failover abort or TILT also fail the
run. A failed run is reported and written to the JSON with the sentinels' log tails, and left out
of the medians. A sentinel that publishes +sdown before down-after has passed since the kill is
counted and warned about (the master is dead from t = 0, so down-after was not honoured); the
JSON keeps each sentinel's last-ok-ping-reply taken just before the kill, which explains it.

    bench/sentinel_bench.py [--runs 7] [--servers redis|vigil] [--systems vigil,redis]
                            [--deadline 60] [--seed N] [--json out.json] [--logs DIR]

Binaries: --vigil-sentinel (env VIGIL_SENTINEL, default build/release/sentinel/vigil-sentinel),
--vigil-server (env VIGIL_SERVER, default build/release/server/vigil-server), --redis-sentinel,
--redis-server (default /usr/bin/...). Run it with /usr/bin/python3 (standard library only).

It is a measurement, not a test: it never fails on a slow result. It exits 1 when a run failed
(no failover within --deadline, disagreement, a crash), after printing what it measured.
"""

import argparse
import json
import os
import platform
import random
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_VIGIL_SENTINEL = os.environ.get("VIGIL_SENTINEL") or os.path.join(
    ROOT, "build", "release", "sentinel", "vigil-sentinel")
DEFAULT_VIGIL_SERVER = os.environ.get("VIGIL_SERVER") or os.path.join(
    ROOT, "build", "release", "server", "vigil-server")
HOST = "127.0.0.1"
MASTER_NAME = "mymaster"
MAX_RUNS = 50
CLIENT_PERIOD = 0.010
SETUP_TIMEOUT = 30.0

# Every event channel a sentinel publishes on (redis-sentinel 7.0); subscribed to by name so
# that PSUBSCRIBE support is not assumed.
EVENT_CHANNELS = [
    "+reset-master", "+slave", "+failover-state-reconf-slaves", "+failover-detected",
    "+slave-reconf-sent", "+slave-reconf-inprog", "+slave-reconf-done", "-dup-sentinel",
    "+sentinel", "+sdown", "-sdown", "+odown", "-odown", "+new-epoch", "+try-failover",
    "+elected-leader", "+failover-state-select-slave", "no-good-slave", "selected-slave",
    "+selected-slave", "+failover-state-send-slaveof-noone", "+failover-state-wait-promotion",
    "+promoted-slave", "-failover-abort-not-elected", "-failover-abort-no-good-slave",
    "-failover-abort-slave-timeout", "+failover-end-for-timeout", "+failover-end",
    "+switch-master", "+tilt", "-tilt", "+vote-for-leader", "+config-update-from",
    "+convert-to-slave", "+fix-slave-config", "+role-change", "-role-change", "+reboot",
    "-slave-reconf-sent-timeout", "+slave-reconf-sent-be", "+sentinel-address-switch",
    "+sentinel-invalid-addr", "+sentinel-address-update", "-monitor", "+monitor",
]

# Rows of the summary: (key, label). Times are seconds after the kill.
PHASES = [
    ("sdown", "first +sdown (master)"),
    ("odown", "first +odown"),
    ("try_failover", "first +try-failover"),
    ("elected", "first +elected-leader"),
    ("promoted", "first +promoted-slave"),
    ("switch_first", "first +switch-master"),
    ("write", "client write OK on new master"),
    ("switch_all", "all 3 sentinels +switch-master"),
    ("agree", "all 3 get-master-addr agree"),
]


class BenchError(Exception):
    """A run did not do what was measured (no failover in time, disagreement, crash)."""


class Interrupted(BaseException):
    """SIGTERM: unwinds like Ctrl-C so that every finally stops its processes."""


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---- RESP2 ----

class ReplyError(str):
    """An error reply (-ERR ...), returned as a value."""


def parse_reply(buf, pos=0):
    """Parses one reply from buf at pos; returns (value, next_pos) or None if incomplete."""
    end = buf.find(b"\r\n", pos)
    if end < 0:
        return None
    kind, rest = buf[pos:pos + 1], buf[pos + 1:end]
    nxt = end + 2
    if kind == b"+":
        return rest.decode(), nxt
    if kind == b"-":
        return ReplyError(rest.decode()), nxt
    if kind == b":":
        return int(rest), nxt
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None, nxt
        if len(buf) < nxt + n + 2:
            return None
        return buf[nxt:nxt + n].decode(errors="replace"), nxt + n + 2
    if kind == b"*":
        n = int(rest)
        if n < 0:
            return None, nxt
        out = []
        for _ in range(n):
            r = parse_reply(buf, nxt)
            if r is None:
                return None
            v, nxt = r
            out.append(v)
        return out, nxt
    raise ConnectionError(f"unexpected reply {bytes(buf[pos:pos + 80])!r}")


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    """A blocking RESP2 client on one socket; every read has a timeout."""

    def __init__(self, port, timeout=2.0):
        self.port = port
        self.buf = b""
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def read(self):
        while True:
            r = parse_reply(self.buf)
            if r is not None:
                v, n = r
                self.buf = self.buf[n:]
                return v
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("connection closed by peer")
            self.buf += chunk

    def call(self, *args):
        self.sock.sendall(encode(*args))
        return self.read()

    def check(self, *args):
        r = self.call(*args)
        if isinstance(r, ReplyError):
            raise BenchError(f"{' '.join(map(str, args))}: {r}")
        return r


def call_once(port, *args, timeout=2.0):
    c = Conn(port, timeout)
    try:
        return c.check(*args)
    finally:
        c.close()


def info_fields(text):
    fields = {}
    for line in (text or "").splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            fields[k] = v.strip()
    return fields


def pairs(flat):
    """A flat [k1, v1, k2, v2, ...] reply as a dict."""
    return dict(zip(flat[::2], flat[1::2])) if isinstance(flat, list) else {}


# ---- processes ----

class Proc:
    """One server or sentinel in its own directory and process group."""

    def __init__(self, label, cmd, workdir, port, registry):
        self.label = label
        self.port = port
        self.dir = workdir
        self.logpath = os.path.join(workdir, f"{label}.log")
        self.cmd = cmd
        with open(self.logpath, "wb") as logf:
            # Own session: Ctrl-C reaches only this script, which stops everything in finally;
            # and a forked child (diskless sync, script) is stopped with its group.
            self.proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=workdir,
                                         start_new_session=True)
        self.exit_code = None
        registry.append(self)  # from now on the owner's close() stops it, whatever happens
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if call_once(port, "PING", timeout=1) == "PONG":
                    return
            except (OSError, ConnectionError, BenchError):
                pass
            time.sleep(0.02)
        raise BenchError(f"{label} did not start: {' '.join(cmd)}\n{self.log_tail()}")

    def alive(self):
        return self.proc.poll() is None

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)

    def log_tail(self, lines=25):
        try:
            with open(self.logpath, errors="replace") as f:
                text = f.read().splitlines()[-lines:]
        except OSError:
            return ""
        return "\n".join(f"    [{self.label}] {x}" for x in text)

    def stop(self):
        """SIGTERM, then SIGKILL after 10 s; returns the exit code (negative: a signal)."""
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGCONT)
                self.proc.terminate()
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
            except ProcessLookupError:
                self.proc.wait(timeout=10)
        try:  # whatever it forked and left behind
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.exit_code is None:
            self.exit_code = self.proc.returncode
        return self.exit_code


class Topology:
    """A master, two replicas of it and three sentinels of one system, in one temp dir."""

    def __init__(self, system, args):
        self.system = system
        self.dir = tempfile.mkdtemp(prefix=f"sentinel-bench-{system}-")
        self.servers = []
        self.sentinels = []
        server_bin = args.vigil_server if args.servers == "vigil" else args.redis_server
        sentinel_bin = args.vigil_sentinel if system == "vigil" else args.redis_sentinel
        common = ["--bind", HOST, "--save", "", "--appendonly", "no",
                  "--repl-diskless-sync-delay", "0"]
        try:
            mport = free_port()
            self.master = self._server("master", server_bin, mport, common)
            self.replicas = [
                self._server(f"replica{i}", server_bin, free_port(),
                             common + ["--replicaof", HOST, str(mport)])
                for i in (1, 2)]
            conf = (f"sentinel monitor {MASTER_NAME} {HOST} {mport} 2\n"
                    f"sentinel down-after-milliseconds {MASTER_NAME} {args.down_after}\n"
                    f"sentinel failover-timeout {MASTER_NAME} {args.failover_timeout}\n")
            for i in range(3):
                port = free_port()
                sdir = os.path.join(self.dir, f"sentinel{i}")
                os.mkdir(sdir)
                path = os.path.join(sdir, "sentinel.conf")
                with open(path, "w") as f:
                    f.write(f"port {port}\nbind {HOST}\ndir {sdir}\n" + conf)
                Proc(f"sentinel{i}", [sentinel_bin, path], sdir, port, self.sentinels)
        except BaseException:
            self.close()
            raise

    def _server(self, label, binary, port, extra):
        sdir = os.path.join(self.dir, label)
        os.mkdir(sdir)
        return Proc(label, [binary, "--port", str(port), "--dir", sdir] + extra, sdir, port,
                    self.servers)

    def server_on(self, port):
        for s in self.servers:
            if s.port == port:
                return s
        return None

    def log_tails(self, lines=25):
        return "\n".join(s.log_tail(lines) for s in self.sentinels)

    def save_logs(self, dest):
        os.makedirs(dest, exist_ok=True)
        for p in self.servers + self.sentinels:
            try:
                shutil.copy(p.logpath, os.path.join(dest, os.path.basename(p.logpath)))
            except OSError:
                pass

    def close(self):
        """Stops every process (sentinels first); returns {label: exit code}."""
        codes = {}
        for p in self.sentinels + self.servers:
            try:
                codes[p.label] = p.stop()
            except Exception as e:  # noqa: BLE001 - keep stopping the others
                codes[p.label] = f"stop failed: {e}"
        for _ in range(50):  # a killed server's child may still be writing its files
            shutil.rmtree(self.dir, ignore_errors=True)
            if not os.path.exists(self.dir):
                break
            time.sleep(0.1)
        return codes


# ---- readiness ----

def wait_until(what, pred, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            ok, last = pred()
            if ok:
                return
        except (OSError, ConnectionError, BenchError, ValueError, KeyError) as e:
            last = f"{type(e).__name__}: {e}"
        if time.monotonic() > deadline:
            raise BenchError(f"TIMEOUT after {timeout:g} s waiting for {what}; last: {last}")
        time.sleep(interval)


def replicas_in_sync(topo, target):
    mrep = info_fields(call_once(topo.master.port, "INFO", "replication"))
    states = [v for k, v in mrep.items() if k.startswith("slave") and k[5:].isdigit()]
    online = [s for s in states if "state=online" in s]
    if len(online) != 2:
        return False, f"master sees {states}"
    for r in topo.replicas:
        f = info_fields(call_once(r.port, "INFO", "replication"))
        if f.get("master_link_status") != "up":
            return False, f"replica {r.port} link {f.get('master_link_status')}"
        off = int(f.get("slave_repl_offset", f.get("master_repl_offset", -1)))
        if off < target:
            return False, f"replica {r.port} at offset {off} < {target}"
    return True, "in sync"


def sentinel_ready(s, topo):
    c = Conn(s.port, timeout=2)
    try:
        m = pairs(c.check("SENTINEL", "MASTER", MASTER_NAME))
        if m.get("flags") != "master" or str(m.get("num-slaves")) != "2" \
                or str(m.get("num-other-sentinels")) != "2":
            return False, (f"sentinel {s.port}: flags {m.get('flags')} num-slaves "
                           f"{m.get('num-slaves')} num-other-sentinels "
                           f"{m.get('num-other-sentinels')}")
        reps = [pairs(x) for x in c.check("SENTINEL", "REPLICAS", MASTER_NAME)]
        want = sorted(r.port for r in topo.replicas)
        if sorted(int(r.get("port", 0)) for r in reps) != want:
            return False, f"sentinel {s.port}: replicas {[r.get('port') for r in reps]}"
        for r in reps:
            if r.get("flags") != "slave" or r.get("master-link-status") != "ok":
                return False, (f"sentinel {s.port}: replica {r.get('port')} flags "
                               f"{r.get('flags')} link {r.get('master-link-status')}")
        peers = [pairs(x) for x in c.check("SENTINEL", "SENTINELS", MASTER_NAME)]
        want = sorted(x.port for x in topo.sentinels if x is not s)
        if sorted(int(p.get("port", 0)) for p in peers) != want:
            return False, f"sentinel {s.port}: peers {[p.get('port') for p in peers]}"
        for p in peers:
            if p.get("flags") != "sentinel":
                return False, f"sentinel {s.port}: peer {p.get('port')} flags {p.get('flags')}"
        return True, "ready"
    finally:
        c.close()


# ---- measurement ----

class EventLog:
    """Subscribes to every event channel of every sentinel; a thread timestamps each message as
    it arrives: events is a list of (monotonic time, sentinel index, channel, message)."""

    def __init__(self, sentinels):
        self.events = []
        self.lock = threading.Lock()
        self.stop_flag = threading.Event()
        self.error = None
        self.sel = selectors.DefaultSelector()
        self.socks = []
        for i, s in enumerate(sentinels):
            c = Conn(s.port, timeout=5)
            c.sock.sendall(encode("SUBSCRIBE", *EVENT_CHANNELS))
            for _ in EVENT_CHANNELS:  # the confirmations, in order
                r = c.read()
                if not (isinstance(r, list) and r and r[0] == "subscribe"):
                    raise BenchError(f"sentinel {s.port}: SUBSCRIBE answered {r!r}")
            c.sock.setblocking(False)
            self.socks.append(c)
            self.sel.register(c.sock, selectors.EVENT_READ, (i, c))
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            while not self.stop_flag.is_set():
                for key, _ in self.sel.select(timeout=0.05):
                    i, c = key.data
                    try:
                        chunk = c.sock.recv(1 << 16)
                    except BlockingIOError:
                        continue
                    now = time.monotonic()
                    if not chunk:
                        self.sel.unregister(c.sock)
                        with self.lock:
                            self.events.append((now, i, "(closed)", ""))
                        continue
                    c.buf += chunk
                    while True:
                        r = parse_reply(c.buf)
                        if r is None:
                            break
                        v, n = r
                        c.buf = c.buf[n:]
                        if isinstance(v, list) and len(v) == 3 and v[0] == "message":
                            with self.lock:
                                self.events.append((now, i, v[1], v[2]))
        except Exception as e:  # noqa: BLE001 - reported by the run
            self.error = f"{type(e).__name__}: {e}"

    def snapshot(self):
        with self.lock:
            return list(self.events)

    def close(self):
        self.stop_flag.set()
        self.thread.join(timeout=5)
        for c in self.socks:
            c.close()
        self.sel.close()


class Client:
    """What an application does: ask the sentinels, connect, check ROLE, write."""

    def __init__(self, sentinels):
        self.ports = [s.port for s in sentinels]
        self.conns = [None] * len(self.ports)

    def ask(self, i):
        """SENTINEL get-master-addr-by-name on sentinel i: (host, port), or None on error."""
        try:
            if self.conns[i] is None:
                self.conns[i] = Conn(self.ports[i], timeout=0.5)
            r = self.conns[i].call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME)
            if isinstance(r, list) and len(r) == 2:
                return (r[0], int(r[1]))
            return None
        except (OSError, ConnectionError, ValueError):
            if self.conns[i] is not None:
                self.conns[i].close()
                self.conns[i] = None
            return None

    @staticmethod
    def write(addr, value):
        """Connect, ROLE must be master, SET: True when the SET was answered +OK."""
        try:
            c = Conn(addr[1], timeout=0.5)
        except OSError:
            return False
        try:
            role = c.call("ROLE")
            if not (isinstance(role, list) and role and role[0] == "master"):
                return False
            return c.call("SET", "sentinel-bench:key", value) == "OK"
        except (OSError, ConnectionError, ValueError):
            return False
        finally:
            c.close()

    def close(self):
        for c in self.conns:
            if c is not None:
                c.close()


def first_event(events, channel, pred=lambda e: True):
    for e in events:
        if e[2] == channel and pred(e):
            return e
    return None


def is_master_event(e):
    return e[3].startswith(f"master {MASTER_NAME} ")


def wait_ready(topo):
    """Replicas in sync with a probe write; every sentinel knows both replicas and both peers."""
    mc = Conn(topo.master.port, timeout=5)
    try:
        mc.check("SET", "sentinel-bench:probe", "1")
        target = int(info_fields(mc.check("INFO", "replication"))["master_repl_offset"])
    finally:
        mc.close()
    wait_until("replicas in sync", lambda: replicas_in_sync(topo, target), SETUP_TIMEOUT)
    for s in topo.sentinels:
        wait_until(f"{s.label} to know 2 replicas and 2 peers",
                   lambda s=s: sentinel_ready(s, topo), SETUP_TIMEOUT)


def last_ok_ping(topo):
    """[(monotonic time, last-ok-ping-reply ms)] per sentinel: diagnostics for the detection."""
    out = []
    for s in topo.sentinels:
        try:
            m = pairs(call_once(s.port, "SENTINEL", "MASTER", MASTER_NAME, timeout=1))
            out.append((time.monotonic(), int(m.get("last-ok-ping-reply", -1))))
        except (OSError, ConnectionError, BenchError, ValueError):
            out.append((time.monotonic(), None))
    return out


def follow_failover(topo, events, client, old, t0, deadline, run_index):
    """The client loop after the kill, every CLIENT_PERIOD, until a write succeeded, every
    sentinel names the same new master and every sentinel published +switch-master."""
    n = len(topo.sentinels)
    f = {"write": None, "write_addr": None, "write_via": None, "agree": None,
         "agreed_addr": None, "first_new_addr": [None] * n, "attempts": 0}
    next_t = t0
    while True:
        now = time.monotonic()
        addrs = [client.ask(i) for i in range(n)]
        for i, a in enumerate(addrs):
            if a is not None and a != old and f["first_new_addr"][i] is None:
                f["first_new_addr"][i] = now - t0
        if f["write"] is None:
            tried = []
            for i, a in enumerate(addrs):
                if a is None or a in tried:
                    continue
                tried.append(a)
                f["attempts"] += 1
                if Client.write(a, f"after-{run_index}"):
                    f["write"] = time.monotonic() - t0
                    f["write_addr"], f["write_via"] = a, i
                    break
        if f["agree"] is None and None not in addrs and len(set(addrs)) == 1 \
                and addrs[0] != old:
            f["agree"] = time.monotonic() - t0
            f["agreed_addr"] = addrs[0]
        switched = {e[1] for e in events.snapshot() if e[0] >= t0 and e[2] == "+switch-master"}
        if f["write"] is not None and f["agree"] is not None and len(switched) == n:
            return f
        for s in topo.sentinels:
            if not s.alive():
                raise BenchError(f"{s.label} (port {s.port}) exited with code "
                                 f"{s.proc.returncode} during the failover")
        if time.monotonic() > deadline:
            missing = []
            if f["write"] is None:
                missing.append("no client write succeeded")
            if f["agree"] is None:
                missing.append(f"sentinels do not agree: {addrs}")
            if len(switched) != n:
                missing.append(f"+switch-master only from sentinels {sorted(switched)}")
            raise BenchError(f"TIMEOUT {deadline - t0:g} s after the kill: " + "; ".join(missing))
        next_t += CLIENT_PERIOD
        pause = next_t - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        else:
            next_t = time.monotonic()


def analyse(res, evs, f, topo, args):
    """Fills res from the events (times relative to the kill) and the client loop's findings;
    appends to res["problems"] what makes the run a failed one, to res["warnings"] the rest."""
    times = res["times"]
    for key, channel, pred in (("sdown", "+sdown", is_master_event),
                               ("odown", "+odown", is_master_event),
                               ("try_failover", "+try-failover", is_master_event),
                               ("elected", "+elected-leader", is_master_event),
                               ("promoted", "+promoted-slave", lambda e: True),
                               ("switch_first", "+switch-master", lambda e: True)):
        e = first_event(evs, channel, pred)
        times[key] = None if e is None else e[0]
    per = res["per_sentinel_switch"]
    for e in evs:
        if e[2] == "+switch-master" and per[e[1]] is None:
            per[e[1]] = e[0]
    times["switch_all"] = max(per)
    times["write"] = f["write"]
    times["agree"] = f["agree"]
    res["first_new_addr"] = f["first_new_addr"]
    res["write_via_sentinel"] = f["write_via"]
    res["client_attempts"] = f["attempts"]
    leader = first_event(evs, "+elected-leader")
    res["leader"] = None if leader is None else leader[1]
    res["new_master"] = f["agreed_addr"][1]
    res["epochs"] = sorted({int(e[3].split()[0]) for e in evs if e[2] == "+new-epoch"
                            and e[3].split()[0].isdigit()})

    problems = res["problems"]
    if f["agreed_addr"] != f["write_addr"]:
        problems.append(f"client wrote to {f['write_addr']} but the sentinels agree on "
                        f"{f['agreed_addr']}")
    if f["agreed_addr"][1] not in [r.port for r in topo.replicas]:
        problems.append(f"new master {f['agreed_addr']} is not a replica")
    targets = {e[3].split()[-1] for e in evs if e[2] == "+switch-master"}
    if len(targets) != 1:
        problems.append(f"+switch-master to different ports: {sorted(targets)}")
    if len(res["epochs"]) > 1:
        problems.append(f"more than one election epoch: {res['epochs']}")
    promoted_at = times["promoted"] if times["promoted"] is not None else float("inf")
    for e in evs:
        # -odown is normal at the end of a failover (the old master's state is reset);
        # before the promotion it means the down state flapped.
        flapped = e[2] in ("-odown", "-sdown") and is_master_event(e) and e[0] < promoted_at
        if flapped or e[2].startswith("-failover-abort") \
                or e[2] in ("+tilt", "+failover-end-for-timeout", "(closed)"):
            problems.append(f"{e[2]} {e[3]} from sentinel{e[1]} at {e[0]:.3f} s")
    # The master is dead from t = 0: no sentinel may call it down before down-after.
    for i in range(len(topo.sentinels)):
        e = first_event(evs, "+sdown", lambda e, i=i: e[1] == i and is_master_event(e))
        if e is not None and e[0] < args.down_after / 1000:
            res["warnings"].append(f"sentinel{i} +sdown {e[0]:.3f} s after the kill, before "
                                   f"down-after ({args.down_after} ms)")


def one_run(system, args, rng, run_index):
    """One fresh topology, one kill -9, one measurement. Returns a result dict (ok or not)."""
    res = {"system": system, "run": run_index, "ok": False, "error": None, "times": {},
           "per_sentinel_switch": [None, None, None], "problems": [], "warnings": []}
    topo = events = client = None
    t0 = None
    try:
        topo = Topology(system, args)
        res["ports"] = {"master": topo.master.port,
                        "replicas": [r.port for r in topo.replicas],
                        "sentinels": [s.port for s in topo.sentinels]}
        wait_ready(topo)
        events = EventLog(topo.sentinels)
        client = Client(topo.sentinels)
        old = (HOST, topo.master.port)
        if client.ask(0) != old or not Client.write(old, "before"):
            raise BenchError("the client could not write to the master before the kill")
        offset = rng.uniform(0.0, 1.0)
        res["kill_offset_ms"] = round(offset * 1000, 1)
        time.sleep(offset)

        last_ok = last_ok_ping(topo)
        t0 = time.monotonic()
        topo.master.kill9()
        res["last_ok_ping_ms_at_kill"] = [
            None if ms is None else round(ms + (t0 - t) * 1000, 1) for t, ms in last_ok]
        topo.master.proc.wait(timeout=10)
        f = follow_failover(topo, events, client, old, t0, t0 + args.deadline, run_index)
        evs = [(e[0] - t0,) + e[1:] for e in events.snapshot() if e[0] >= t0]
        res["events"] = [[round(e[0], 4), e[1], e[2], e[3]] for e in evs]
        analyse(res, evs, f, topo, args)
        if events.error:
            res["problems"].append(f"event reader: {events.error}")
        res["ok"] = True
    except BenchError as e:
        res["error"] = str(e)
    except (OSError, ConnectionError, ValueError, KeyError) as e:
        res["error"] = f"{type(e).__name__}: {e}"
    finally:
        if events is not None:
            if "events" not in res and t0 is not None:
                # A failed run after the kill: keep what was seen, relative to the kill.
                res["events"] = [[round(e[0] - t0, 4), e[1], e[2], e[3]]
                                 for e in events.snapshot() if e[0] >= t0]
            events.close()
        if client is not None:
            client.close()
        if topo is not None:
            if not res["ok"] or res["problems"]:
                res["sentinel_logs"] = topo.log_tails(40)
            if args.logs:
                topo.save_logs(os.path.join(args.logs, f"run{run_index + 1:02d}-{system}"))
            codes = topo.close()
            res["exit_codes"] = codes
            if system == "vigil":
                for label, code in codes.items():
                    if label.startswith("sentinel") and code != 0:
                        res["problems"].append(f"vigil {label} exited with {code} on SIGTERM")
    if res["ok"] and res["problems"]:
        res["ok"] = False
        res["error"] = "; ".join(res["problems"])
    return res


# ---- report ----

def fmt(x):
    return "—" if x is None else f"{x:.3f}"


def stats(runs, key):
    vals = [r["times"].get(key) for r in runs if r["ok"]]
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals),
            "n": len(vals)}


def print_table(results, systems, args):
    print("| phase, s after kill -9 | " + " | ".join(
        f"{s} median | min | max" for s in systems)
          + (" | vigil/redis (median) |" if set(systems) == {"vigil", "redis"} else " |"))
    print("|---|" + "---:|---:|---:|" * len(systems)
          + ("---:|" if set(systems) == {"vigil", "redis"} else ""))
    summary = {}
    for key, label in PHASES:
        cells = []
        for s in systems:
            st = stats(results[s], key)
            summary[(s, key)] = st
            if st is None:
                cells += ["—", "—", "—"]
            else:
                n = "" if st["n"] == len(results[s]) else f" (n={st['n']})"
                cells += [fmt(st["median"]) + n, fmt(st["min"]), fmt(st["max"])]
        row = f"| {label} | " + " | ".join(cells)
        if set(systems) == {"vigil", "redis"}:
            v, r = summary[("vigil", key)], summary[("redis", key)]
            row += " | " + ("—" if v is None or r is None or r["median"] == 0
                            else f"{v['median'] / r['median']:.2f}")
        print(row + " |")
    # Phase durations, median over runs of each run's difference.
    print("\nPhases (median of the per-run differences, s):\n")
    spans = [("detection: kill -> +sdown", None, "sdown"),
             ("agreement: +sdown -> +odown", "sdown", "odown"),
             ("election: +odown -> +elected-leader", "odown", "elected"),
             ("promotion: +elected-leader -> +promoted-slave", "elected", "promoted"),
             ("promotion -> client write OK", "promoted", "write"),
             ("promotion -> first +switch-master", "promoted", "switch_first"),
             ("first -> all +switch-master", "switch_first", "switch_all")]
    print("| span | " + " | ".join(systems) + " |")
    print("|---|" + "---:|" * len(systems))
    for label, a, b in spans:
        cells = []
        for s in systems:
            d = [r["times"][b] - (r["times"][a] if a else 0) for r in results[s]
                 if r["ok"] and r["times"].get(b) is not None
                 and (a is None or r["times"].get(a) is not None)]
            cells.append(fmt(statistics.median(d)) if d else "—")
        print(f"| {label} | " + " | ".join(cells) + " |")
    return summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=7, help=f"runs per system (1..{MAX_RUNS})")
    ap.add_argument("--systems", default="vigil,redis", help="comma list of vigil, redis")
    ap.add_argument("--servers", choices=("redis", "vigil"), default="redis",
                    help="monitored servers for both systems (default redis-server)")
    ap.add_argument("--vigil-sentinel", default=DEFAULT_VIGIL_SENTINEL,
                    help="vigil-sentinel binary (env VIGIL_SENTINEL)")
    ap.add_argument("--vigil-server", default=DEFAULT_VIGIL_SERVER,
                    help="vigil-server binary (env VIGIL_SERVER)")
    ap.add_argument("--redis-sentinel", default="/usr/bin/redis-sentinel")
    ap.add_argument("--redis-server", default="/usr/bin/redis-server")
    ap.add_argument("--down-after", type=int, default=1000,
                    help="sentinel down-after-milliseconds (default 1000)")
    ap.add_argument("--failover-timeout", type=int, default=6000,
                    help="sentinel failover-timeout, ms (default 6000)")
    ap.add_argument("--deadline", type=float, default=60.0,
                    help="seconds after the kill by which a run must be over (default 60)")
    ap.add_argument("--seed", type=int, default=None, help="seed of the random kill offsets")
    ap.add_argument("--json", help="write the raw results here")
    ap.add_argument("--logs", help="copy every run's server and sentinel logs under this dir")
    args = ap.parse_args()

    # The processes run in their own directories: binaries given relative to here must work.
    for name in ("vigil_sentinel", "vigil_server", "redis_sentinel", "redis_server"):
        path = getattr(args, name)
        if os.sep in path:
            setattr(args, name, os.path.abspath(path))
    if not 1 <= args.runs <= MAX_RUNS:
        ap.error(f"--runs must be within 1..{MAX_RUNS}")
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    if not systems or any(s not in ("vigil", "redis") for s in systems) \
            or len(set(systems)) != len(systems):
        ap.error("--systems is a comma list of vigil, redis")
    needed = {"sentinel " + s: (args.vigil_sentinel if s == "vigil" else args.redis_sentinel)
              for s in systems}
    needed["server"] = args.vigil_server if args.servers == "vigil" else args.redis_server
    for what, path in needed.items():
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            ap.error(f"{what} binary not found or not executable: {path}")
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)

    def on_term(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: let the cleanup finish
        raise Interrupted()
    signal.signal(signal.SIGTERM, on_term)

    results = {s: [] for s in systems}
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    interrupted = False
    try:
        for run in range(args.runs):
            order = systems if run % 2 == 0 else list(reversed(systems))
            for system in order:
                r = one_run(system, args, rng, run)
                results[system].append(r)
                t = r["times"]
                if r["ok"]:
                    log(f"  run {run + 1} {system}: sdown {fmt(t['sdown'])} odown "
                        f"{fmt(t['odown'])} elected {fmt(t['elected'])} promoted "
                        f"{fmt(t['promoted'])} switch {fmt(t['switch_first'])} write "
                        f"{fmt(t['write'])} all-switch {fmt(t['switch_all'])} agree "
                        f"{fmt(t['agree'])} (kill at +{r['kill_offset_ms']:.0f} ms, leader "
                        f"sentinel{r['leader']}, write via sentinel{r['write_via_sentinel']})")
                    for w in r.get("warnings", []):
                        log(f"    warning: {w}")
                else:
                    log(f"  run {run + 1} {system}: FAILED: {r['error']}")
                    if r.get("sentinel_logs"):
                        log(r["sentinel_logs"])
    except (KeyboardInterrupt, Interrupted):
        interrupted = True
        log("interrupted: every process of the current run was stopped")

    machine = (f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
               f"{platform.platform()}")
    n_ok = {s: sum(r["ok"] for r in results[s]) for s in systems}
    print(f"\nsentinel failover, kill -9 of the master; 1 master + 2 replicas ({args.servers}-server)"
          f" + 3 sentinels, quorum 2, down-after {args.down_after} ms, failover-timeout "
          f"{args.failover_timeout} ms; {args.runs} alternating runs per system, seed {seed}")
    print(f"started {started}; machine: {machine}")
    print("successful runs: " + ", ".join(f"{s} {n_ok[s]}/{len(results[s])}" for s in systems)
          + "\n")
    summary = print_table(results, systems, args)
    early = {s: sum(1 for r in results[s] if any("before down-after" in w
                                                 for w in r.get("warnings", [])))
             for s in systems}
    if "vigil" in systems:
        w = summary.get(("vigil", "write"))
        target = args.down_after / 1000 + 0.3
        if w is not None:
            verdict = "met" if w["median"] <= target else "NOT met"
            if early["vigil"]:
                verdict += (f", but in {early['vigil']} of {len(results['vigil'])} runs "
                            f"vigil-sentinel called the master down before down-after had "
                            f"passed: its detection is not the one the target assumes")
            print(f"\nvigil client write median {w['median']:.3f} s; target <= down-after + 0.3 s "
                  f"= {target:.3f} s: {verdict}")
    print("runs in which a sentinel published +sdown before down-after had passed since the "
          "kill: " + ", ".join(f"{s} {early[s]}/{len(results[s])}" for s in systems))
    failed = [r for s in systems for r in results[s] if not r["ok"]]
    for r in failed:
        print(f"FAILED run {r['run'] + 1} {r['system']}: {r['error'].splitlines()[0]}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": machine, "started": started, "seed": seed, "args": vars(args),
                       "results": results}, f, indent=1)
    return 1 if failed or interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
