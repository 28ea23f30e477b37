"""vigil-sentinel against bad input, on 127.0.0.1.

1. Malformed sentinel.conf files are refused at start: exit code 1, and stderr names the file,
   the line and the reason, with the reason text redis-sentinel 7.0.15 prints for the same file.
2. A config file that is not writable (even for root: a read-only tmpfs, or chattr +i) is
   refused at start with redis-sentinel's "is not writable" message.
3. SENTINEL SET answers an error when the config cannot be saved, and the sentinel keeps
   running.
4. Misbehaving peers written in Python: a fake master (garbage, wrong reply types, malformed,
   binary and huge INFO, a `*2147483647` array header, replies cut off mid-way, malformed hellos
   on its hello channel) and a fake sentinel (malformed hellos PUBLISHed straight to the
   sentinel, malformed IS-MASTER-DOWN-BY-ADDR replies). vigil-sentinel must keep answering
   (PING within a second, SENTINEL MASTERS), stay small (VmHWM), log what it ignores, learn
   nothing from the garbage that redis-sentinel would refuse, and still be able to restart on
   the config file it rewrote.

Needs root for the read-only mounts (tests 2 and 3 skip, saying why, when no method works)."""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import redis

from harness import REDIS_SENTINEL, VIGIL_SENTINEL, SentinelProcess, free_port, wait_until

HOST = "127.0.0.1"
HELLO = "__sentinel__:hello"
SANITIZED = os.environ.get("VIGIL_SANITIZED", "") not in ("", "OFF", "0")
# Seconds: the sentinel's loop must never stall longer than this while a peer misbehaves (a
# stall of 2 s already puts it in TILT mode).
MAX_PING_LATENCY = 5.0 if SANITIZED else 1.0
PING_TIMEOUT = 30 if SANITIZED else 5
MAX_HWM_KB = 256 * 1024  # peak RSS of a sentinel fed garbage (not checked under sanitizers)


def binary(kind):
    return VIGIL_SENTINEL if kind == "vigil" else REDIS_SENTINEL


def read_text(path):
    """A log that may hold bytes a peer sent (not UTF-8)."""
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def tail(text, n=3000):
    return text if len(text) <= n else "...\n" + text[-n:]


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])  # kB
    return out


def bulk(data):
    if isinstance(data, str):
        data = data.encode()
    return b"$%d\r\n%s\r\n" % (len(data), data)


def array(*items):
    return b"*%d\r\n" % len(items) + b"".join(items)


def message(channel, payload):
    return array(bulk("message"), bulk(channel), bulk(payload))


# ---- a fake peer ----

CLOSE = object()  # respond() result: close the connection without answering


def parse_commands(buf):
    """The complete RESP multibulk commands at the start of buf: (commands, rest)."""
    cmds = []
    pos = 0
    while pos < len(buf):
        if buf[pos:pos + 1] != b"*":
            raise ValueError(f"not a multibulk request: {buf[pos:pos + 20]!r}")
        eol = buf.find(b"\r\n", pos)
        if eol < 0:
            break
        p = eol + 2
        args = []
        for _ in range(int(buf[pos + 1:eol])):
            eol = buf.find(b"\r\n", p)
            if eol < 0:
                break
            n = int(buf[p + 1:eol])
            if len(buf) < eol + 2 + n + 2:
                break
            args.append(buf[eol + 2:eol + 2 + n])
            p = eol + 2 + n + 2
        else:
            cmds.append(args)
            pos = p
            continue
        break
    return cmds, buf[pos:]


class FakePeer:
    """A TCP server on 127.0.0.1 (a free_port()) that reads the commands a sentinel sends and
    answers each with respond(args, conn) -> bytes, None (no answer) or CLOSE. tick(conn), if
    given, runs every 50 ms per connection and may return bytes to push or CLOSE. conn is a
    dict per connection ('id', 'sock', and whatever respond keeps there). Every command is
    recorded in .commands as (connection id, [args as latin-1 str])."""

    def __init__(self, respond, tick=None):
        self.respond = respond
        self.tick = tick
        self.commands = []
        self.connections = 0
        self.errors = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = []
        self.socks = []
        self.port = free_port()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((HOST, self.port))
        self.listener.listen(64)
        self.listener.settimeout(0.1)
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self.threads.append(t)

    def _accept(self):
        while not self.stopping.is_set():
            try:
                sock, _ = self.listener.accept()
            except OSError:
                continue
            with self.lock:
                self.connections += 1
                conn = {"sock": sock, "id": self.connections}
                self.socks.append(sock)
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()
            self.threads.append(t)

    def _serve(self, conn):
        sock = conn["sock"]
        sock.settimeout(0.05)
        buf = b""
        try:
            while not self.stopping.is_set():
                if self.tick:
                    out = self.tick(conn)
                    if out is CLOSE:
                        return
                    if out:
                        sock.sendall(out)
                try:
                    data = sock.recv(65536)
                except socket.timeout:
                    continue
                if not data:
                    return
                buf += data
                cmds, buf = parse_commands(buf)
                for args in cmds:
                    with self.lock:
                        self.commands.append((conn["id"], [a.decode("latin-1") for a in args]))
                    out = self.respond(args, conn)
                    if out is CLOSE:
                        return
                    if out:
                        sock.settimeout(10)
                        sock.sendall(out)
                        sock.settimeout(0.05)
        except (OSError, ValueError) as e:
            with self.lock:
                self.errors.append(repr(e))
        finally:
            try:
                sock.close()
            except OSError:
                pass

    def count(self, *words):
        """How many commands started with these words (case-insensitive)."""
        words = [w.upper() for w in words]
        with self.lock:
            return sum(1 for _, a in self.commands
                       if [x.upper() for x in a[:len(words)]] == words)

    def stop(self):
        self.stopping.set()
        try:
            self.listener.close()
        except OSError:
            pass
        with self.lock:
            socks = list(self.socks)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in self.threads:
            t.join(timeout=5)


def well_behaved_master(args, conn):
    """What a fake master answers when it is not misbehaving on purpose."""
    cmd = args[0].upper()
    if cmd == b"PING":
        return b"+PONG\r\n"
    if cmd == b"INFO":
        return bulk("# Server\r\nrun_id:" + "f" * 40 + "\r\n# Replication\r\nrole:master\r\n"
                    "connected_slaves:0\r\n")
    if cmd == b"SUBSCRIBE":
        conn["subscribed"] = True
        return array(bulk("subscribe"), bulk(args[1]), b":1\r\n")
    if cmd == b"PUBLISH":
        return b":1\r\n"
    return b"+OK\r\n"


# ---- read-only files for root ----

class ReadOnlyPlace:
    """A directory whose files can be made unwritable even for root, which access(W_OK) and
    rename() both see: a tmpfs mounted here and remounted read-only, or else (no mount
    permission) chattr +i on the file. `method` says which; None when neither works."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="vigil-ro-")
        self.method = None
        self.frozen = []
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs",
                            self.dir], capture_output=True, text=True)
        if r.returncode == 0:
            self.method = "tmpfs"
            return
        self.mount_error = r.stderr.strip()
        probe = os.path.join(self.dir, "probe")
        with open(probe, "w") as f:
            f.write("x")
        r = subprocess.run(["chattr", "+i", probe], capture_output=True, text=True)
        if r.returncode == 0 and not os.access(probe, os.W_OK):
            self.method = "chattr"
        subprocess.run(["chattr", "-i", probe], capture_output=True)
        os.unlink(probe)
        self.chattr_error = r.stderr.strip()

    def why_not(self):
        return (f"no way to make a file unwritable for this user: mount tmpfs failed "
                f"({self.mount_error}), chattr +i failed ({self.chattr_error})")

    def freeze(self, path):
        if self.method == "tmpfs":
            subprocess.run(["mount", "-o", "remount,ro", self.dir], check=True,
                           capture_output=True)
        else:
            subprocess.run(["chattr", "+i", path], check=True, capture_output=True)
            self.frozen.append(path)

    def thaw(self):
        if self.method == "tmpfs":
            subprocess.run(["mount", "-o", "remount,rw", self.dir], check=True,
                           capture_output=True)
        else:
            for p in self.frozen:
                subprocess.run(["chattr", "-i", p], capture_output=True)
            self.frozen = []

    def cleanup(self):
        if self.method == "tmpfs":
            subprocess.run(["umount", self.dir], capture_output=True)
        elif self.method == "chattr":
            self.thaw()
        shutil.rmtree(self.dir, ignore_errors=True)


# ---- 1. malformed config files ----

# (name, file text, the line that is wrong). Ports are filled in by the test.
BAD_CONFIGS = [
    ("quorum_zero", "sentinel monitor m 127.0.0.1 6379 0\n", 3),
    ("unknown_master", "sentinel monitor m 127.0.0.1 6379 2\n"
                       "sentinel down-after-milliseconds nosuch 1000\n", 4),
    ("bad_directive", "no-such-directive yes\n", 3),
    ("unbalanced_quotes", 'sentinel monitor m "127.0.0.1 6379 2\n', 3),
    ("short_myid", "sentinel myid abc\n", 3),
    ("monitor_missing_quorum", "sentinel monitor m 127.0.0.1 6379\n", 3),
    ("unknown_sentinel_option", "sentinel no-such-option m 1\n", 3),
    ("zero_down_after", "sentinel monitor m 127.0.0.1 6379 2\n"
                        "sentinel down-after-milliseconds m 0\n", 4),
    ("port_out_of_range", "sentinel monitor m 127.0.0.1 70000 2\n", 3),
    ("hostname_without_resolve", "sentinel monitor m not-an-address 6379 2\n", 3),
    ("duplicate_master", "sentinel monitor m 127.0.0.1 6379 2\n"
                         "sentinel monitor m 127.0.0.1 6380 2\n", 4),
    ("known_replica_bad_port", "sentinel monitor m 127.0.0.1 6379 2\n"
                               "sentinel known-replica m 127.0.0.1 99999\n", 4),
    ("non_executable_script", "sentinel monitor m 127.0.0.1 6379 2\n"
                              "sentinel notification-script m /nonexistent/script.sh\n", 4),
    ("port_not_a_number", "port abc\n", 3),
]


def fatal_report(stderr):
    """(line number, reason) from a `*** FATAL CONFIG FILE ERROR` report."""
    m = re.search(r"\*\*\* FATAL CONFIG FILE ERROR \(Redis [^)]*\) \*\*\*\n"
                  r"Reading the configuration file, at line (\d+)\n>>> '.*'\n(.*)\n", stderr)
    return (int(m.group(1)), m.group(2)) if m else None


class BadConfigFiles(unittest.TestCase):

    def run_sentinel(self, kind, conf, timeout=10):
        try:
            r = subprocess.run([binary(kind), conf], capture_output=True, timeout=timeout,
                               cwd=os.path.dirname(conf), stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            self.fail(f"{kind}-sentinel accepted {conf}:\n{open(conf).read()}")
        return (r.returncode, r.stdout.decode("utf-8", "replace"),
                r.stderr.decode("utf-8", "replace"))

    def test_malformed_files_are_refused_like_redis_sentinel(self):
        d = tempfile.mkdtemp(prefix="vigil-badconf-")
        self.addCleanup(shutil.rmtree, d, True)
        for name, body, line in BAD_CONFIGS:
            with self.subTest(name):
                conf = os.path.join(d, f"{name}.conf")
                with open(conf, "w") as f:
                    # The bad line comes after a comment and the port, so the line number
                    # counts lines of the file, not directives.
                    f.write(f"# {name}\nport {free_port()}\n{body}bind 127.0.0.1\n")
                rc, out, err = self.run_sentinel("redis", conf)
                self.assertEqual(rc, 1, f"redis-sentinel on {name}: {out}{err}")
                expected = fatal_report(err)
                self.assertIsNotNone(expected, f"redis-sentinel's report:\n{err}")
                self.assertEqual(expected[0], line)
                rc, out, err = self.run_sentinel("vigil", conf)
                self.assertEqual(rc, 1, f"vigil-sentinel on {name}: {out}{err}")
                self.assertEqual(fatal_report(err), expected,
                                 f"vigil-sentinel's stderr:\n{err}\nredis-sentinel says "
                                 f"line {expected[0]}: {expected[1]}")
                self.assertIn(conf, err, "stderr names the file")
                self.assertIn(f"line {line}", err)

    def test_missing_file_is_refused_like_redis_sentinel(self):
        conf = os.path.join(tempfile.gettempdir(), f"vigil-no-such-{free_port()}.conf")
        outputs = {}
        for kind in ("redis", "vigil"):
            rc, out, err = self.run_sentinel(kind, conf)
            self.assertEqual(rc, 1, f"{kind}-sentinel: {out}{err}")
            m = re.search(r"Fatal error, can't open config file '(.*)': (.*)", out + err)
            self.assertIsNotNone(m, f"{kind}-sentinel: {out}{err}")
            outputs[kind] = m.group(0)
        self.assertEqual(outputs["vigil"], outputs["redis"])

    def test_a_bad_aclfile_is_refused_like_redis_sentinel(self):
        d = tempfile.mkdtemp(prefix="vigil-badacl-")
        self.addCleanup(shutil.rmtree, d, True)
        acl = os.path.join(d, "users.acl")
        with open(acl, "w") as f:
            f.write("user default on nopass ~* &* +@all\nnot-a-user line\n")
        conf = os.path.join(d, "sentinel.conf")
        with open(conf, "w") as f:
            f.write(f"port {free_port()}\nbind 127.0.0.1\naclfile {acl}\n")
        outputs = {}
        for kind in ("redis", "vigil"):
            rc, out, err = self.run_sentinel(kind, conf)
            self.assertEqual(rc, 1, f"{kind}-sentinel: {out}{err}")
            m = re.search(r"Aborting Redis startup because of ACL errors: (.*)", out + err)
            self.assertIsNotNone(m, f"{kind}-sentinel: {out}{err}")
            outputs[kind] = m.group(1).strip()
        self.assertEqual(outputs["vigil"], outputs["redis"])


# ---- 2 and 3. unwritable config files ----

class UnwritableConfig(unittest.TestCase):

    def place(self):
        p = ReadOnlyPlace()
        self.addCleanup(p.cleanup)
        if p.method is None:
            self.skipTest(p.why_not())
        return p

    def test_unwritable_file_is_refused_at_start_like_redis_sentinel(self):
        p = self.place()
        conf = os.path.join(p.dir, "sentinel.conf")
        with open(conf, "w") as f:
            f.write(f"port {free_port()}\nbind 127.0.0.1\nsentinel monitor m 127.0.0.1 6379 2\n")
        p.freeze(conf)
        self.assertFalse(os.access(conf, os.W_OK))
        lines = {}
        for kind in ("redis", "vigil"):
            try:
                r = subprocess.run([binary(kind), conf], capture_output=True, timeout=10,
                                   stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                self.fail(f"{kind}-sentinel started on an unwritable config ({p.method})")
            output = (r.stdout + r.stderr).decode("utf-8", "replace")
            self.assertEqual(r.returncode, 1, f"{kind}-sentinel: {output}")
            m = re.search(r"Sentinel config file .* is not writable: .*\. Exiting\.\.\.", output)
            self.assertIsNotNone(m, f"{kind}-sentinel ({p.method}): {output}")
            lines[kind] = m.group(0)
        self.assertEqual(lines["vigil"], lines["redis"])
        self.assertIn(conf, lines["vigil"])

    def test_sentinel_set_answers_an_error_when_the_save_fails(self):
        p = self.place()
        port = free_port()
        s = SentinelProcess("vigil", start=False)
        self.addCleanup(s.cleanup)
        s.conf = os.path.join(p.dir, "sentinel.conf")  # the log stays in s.dir
        with open(s.conf, "w") as f:
            f.write(f"port {s.port}\nbind 127.0.0.1\ndir {s.dir}\n"
                    f"sentinel monitor mymaster 127.0.0.1 {port} 2\n")
        s.start()
        self.addCleanup(s.stop)
        self.assertEqual(s.call("SENTINEL", "SET", "mymaster", "quorum", "2"), "OK")
        p.freeze(s.conf)
        self.addCleanup(p.thaw)
        with self.assertRaises(redis.ResponseError) as e:
            s.call("SENTINEL", "SET", "mymaster", "quorum", "3")
        self.assertEqual(str(e.exception), "Failed to save config file. Check server logs.")
        with self.assertRaises(redis.ResponseError):
            s.call("SENTINEL", "FLUSHCONFIG")
        # Still running and answering.
        self.assertIsNone(s.proc.poll())
        self.assertTrue(s.client().ping())
        self.assertEqual(len(s.call("SENTINEL", "MASTERS")), 1)
        self.assertEqual(s.master_addr(), (HOST, port))
        self.assertIn("not able to save", read_text(s.log_path))
        # Writable again: the next SET saves.
        p.thaw()
        self.assertEqual(s.call("SENTINEL", "SET", "mymaster", "quorum", "3"), "OK")
        self.assertIn(f"sentinel monitor mymaster 127.0.0.1 {port} 3", s.read_conf())
        self.assertEqual(int(s.client().sentinel_master("mymaster")["quorum"]), 3)


# ---- 4. misbehaving peers ----

class MisbehavingPeers(unittest.TestCase):

    def fake(self, respond, tick=None):
        f = FakePeer(respond, tick)
        self.addCleanup(f.stop)
        return f

    def sentinel(self, master_port, quorum=1, kind="vigil", debug=()):
        s = SentinelProcess(kind, "loglevel verbose\n"
                            f"sentinel monitor mymaster {HOST} {master_port} {quorum}\n"
                            "sentinel down-after-milliseconds mymaster 1000\n")
        self.addCleanup(s.cleanup)
        self.addCleanup(s.stop)
        if debug:
            self.assertEqual(s.call("SENTINEL", "DEBUG", *debug), "OK")
        return s

    def log(self, s):
        return read_text(s.log_path)

    def watch(self, s, seconds, until=None):
        """For `seconds` (or until `until()` is true, within 3 x seconds): the sentinel keeps
        answering PING within MAX_PING_LATENCY and SENTINEL MASTERS, and its peak RSS stays
        under MAX_HWM_KB."""
        c = s.client(socket_timeout=PING_TIMEOUT)
        start = time.monotonic()
        worst = 0.0
        while True:
            elapsed = time.monotonic() - start
            if elapsed > seconds and (until is None or until()):
                break
            if elapsed > 3 * seconds:
                self.fail(f"timed out waiting for the misbehaviour to happen\n"
                          f"{tail(self.log(s))}")
            self.assertIsNone(s.proc.poll(), f"the sentinel exited\n{tail(self.log(s))}")
            t0 = time.monotonic()
            try:
                self.assertTrue(c.ping())
            except redis.TimeoutError:
                self.fail(f"PING got no answer within {PING_TIMEOUT}s: the sentinel's loop "
                          f"stalled\n{tail(self.log(s))}")
            latency = time.monotonic() - t0
            worst = max(worst, latency)
            self.assertLess(latency, MAX_PING_LATENCY,
                            f"PING took {latency:.1f}s: the sentinel's loop stalled")
            self.assertEqual(len(c.execute_command("SENTINEL", "MASTERS")), 1)
            time.sleep(0.05)
        if not SANITIZED:
            status = proc_status(s.proc.pid)
            self.assertLess(status["VmHWM"], MAX_HWM_KB, f"peak RSS {status}")
        return worst

    def assert_restartable(self, s):
        """The config file the sentinel rewrote loads again: what a peer sent never makes a
        file the sentinel refuses at its next start."""
        s.stop()
        try:
            s.start()
        except AssertionError as e:
            self.fail(f"vigil-sentinel cannot restart on the file it wrote:\n{e}\n"
                      f"--- sentinel.conf\n{s.read_conf()}")
        self.assertTrue(s.client().ping())

    def assert_plausible_instances(self, s):
        """Every replica and sentinel the sentinel knows has a numeric IP and a port in
        0..65535 (what redis-sentinel's createSentinelAddr insists on without
        resolve-hostnames)."""
        c = s.client()
        for kind, items in (("replica", c.sentinel_slaves("mymaster")),
                            ("sentinel", c.sentinel_sentinels("mymaster"))):
            for r in items:
                try:
                    socket.inet_pton(socket.AF_INET6 if ":" in r["ip"] else socket.AF_INET,
                                     r["ip"])
                    ip_ok = True
                except OSError:
                    ip_ok = False
                self.assertTrue(ip_ok and 0 <= int(r["port"]) <= 65535,
                                f"a {kind} at {r['ip']!r}:{r['port']} taken from a peer")

    # -- a fake master --

    def test_garbage_replies(self):
        junk = [b"!garbage\r\n", b"\x00\xff\xfe\xfd\r\n", b"$-5\r\n", b"*-7\r\n",
                b":12abc\r\n", b"$3\r\nabcdef\r\n", b"%2\r\n", b"+OK"]

        def respond(args, conn):
            n = conn.setdefault("n", 0)
            conn["n"] += 1
            return junk[(conn["id"] + n) % len(junk)]

        f = self.fake(respond)
        s = self.sentinel(f.port, debug=("ping-period", "200", "info-period", "200"))
        self.watch(s, 4, until=lambda: f.connections >= 8)
        self.assertIn(f"link to {HOST}:{f.port} closed: protocol error", self.log(s))
        # No valid PING reply ever: SDOWN, as redis-sentinel (a pending PING keeps counting
        # across the reconnects).
        wait_until(lambda: "s_down" in s.client().sentinel_master("mymaster")["flags"],
                   timeout=5, message="SDOWN: no valid PING reply")
        self.assert_restartable(s)

    def test_wrong_reply_types(self):
        answers = {
            b"PING": [b":1\r\n", array(bulk("PONG")), b"$-1\r\n"],
            b"INFO": [b":12345\r\n", array(bulk("role:master")), b"*-1\r\n",
                      b"-ERR no\n1:X 01 Jan 2000 00:00:00.000 # +odown forged\r\n"],
            b"CLIENT": [b"*-1\r\n", b":0\r\n"],
            b"SUBSCRIBE": [b":1\r\n", b"+OK\r\n", array(b":1\r\n", b":2\r\n", b":3\r\n")],
            b"PUBLISH": [array(bulk("x")), b"$1\r\nx\r\n"],
        }

        def respond(args, conn):
            options = answers.get(args[0].upper(), [b"$-1\r\n", b":7\r\n"])
            n = conn.setdefault("n", 0)
            conn["n"] += 1
            return options[n % len(options)]

        f = self.fake(respond)
        s = self.sentinel(f.port, debug=("ping-period", "200", "info-period", "200"))
        self.watch(s, 3, until=lambda: f.count("INFO") >= 8)
        # A PING answered with anything but +PONG/-LOADING/-MASTERDOWN does not count.
        wait_until(lambda: "s_down" in s.client().sentinel_master("mymaster")["flags"],
                   timeout=5, message="SDOWN: no valid PING reply")
        # The INFO replies that are not text are ignored, and the log says so.
        log = self.log(s)
        self.assertIsNotNone(re.search(rf"(?m)^.*INFO.*{HOST}:{f.port}.*$", log),
                             f"a log line about the malformed INFO replies\n{tail(log)}")
        forged = re.search(r"(?m)^1:X 01 Jan 2000.*$", log)
        self.assertIsNone(forged, f"an error reply forged a log line: {forged and forged[0]}")
        self.assertEqual(s.client().sentinel_slaves("mymaster"), [])
        self.assert_restartable(s)

    def test_malformed_binary_and_huge_info(self):
        long_line = "x" * (1 << 20)
        infos = [
            b"\x00\xff\xfe\r\n\x01role:master\r\n\xff\xff",
            "no colon here\r\n:\r\n::::\r\nrole:\r\nrole:banana\r\nrun_id:short\r\n",
            "run_id:" + "z" * 200 + "\r\nrole:master\r\n" + long_line + "\r\n",
            # Replica lines redis-sentinel refuses (port out of range, no IP address).
            "role:master\r\nslave0:ip=127.0.0.1,port=99999,state=online,offset=0,lag=0\r\n"
            "slave1:ip=localhost,port=6390,state=online,offset=0,lag=0\r\n"
            "slave2:ip=127.0.0.1,port=-5,state=online\r\nslave3:ip=,port=6391\r\n"
            "slave4:ip=127.0.0.1,port=\r\nslave5:\r\nslave6:ip=127.0.0.1\r\n"
            "slave99999999999999999999999:ip=127.0.0.1,port=1,,,,,=,==\r\n"
            "slave7:ip=127.0.0.1,port=70000\r\nslave8:127.0.0.1,4294967297,online\r\n",
            "role:slave\r\nmaster_host:\x7f\r\nmaster_port:-1\r\nmaster_link_status:\r\n"
            "master_link_down_since_seconds:abc\r\nslave_priority:-99999999999999999999\r\n"
            "slave_repl_offset:99999999999999999999999999\r\nreplica_announced:\r\n",
            "role:master\r\n" + "y" * (16 << 20) + "\r\n",  # 16 MiB
        ]

        def respond(args, conn):
            if args[0].upper() == b"INFO":
                n = conn.setdefault("n", 0)
                conn["n"] += 1
                return bulk(infos[(conn["id"] + n) % len(infos)])
            return well_behaved_master(args, conn)

        f = self.fake(respond)
        s = self.sentinel(f.port, debug=("ping-period", "200", "info-period", "200"))
        self.watch(s, 4, until=lambda: f.count("INFO") >= 2 * len(infos))
        self.assert_plausible_instances(s)
        # INFO-CACHE still answers (with whatever text was cached last).
        cache = s.client(decode_responses=False).execute_command("SENTINEL", "INFO-CACHE",
                                                                 "mymaster")
        self.assertEqual(cache[0], b"mymaster")
        self.assert_restartable(s)

    def test_huge_array_header(self):
        """`*2147483647` makes hiredis calloc a 16 GiB element table; a reader that accepts it
        also walks all of it when the reply is freed."""
        plans = [
            lambda sock: sock.sendall(b"*2147483647\r\n"),
            lambda sock: sock.sendall(b"*2147483647\r\n" + b":1\r\n" * (1 << 20)),  # 4 MiB
            lambda sock: sock.sendall(b"*1\r\n" * 3 + b"*2147483647\r\n"),
            lambda sock: sock.sendall(b"$9223372036854775807\r\n" + b"x" * (8 << 20)),
        ]

        def respond(args, conn):
            plans[(conn["id"] - 1) % len(plans)](conn["sock"])
            time.sleep(0.3)
            return CLOSE

        f = self.fake(respond)
        s = self.sentinel(f.port, debug=("ping-period", "200"))
        self.watch(s, 4, until=lambda: f.connections >= 2 * len(plans))
        self.assert_restartable(s)

    def test_refused_commands_are_not_resent_in_a_loop(self):
        """A master that refuses INFO and PUBLISH (an ACL without +info and +publish, or a
        renamed command) gets them again about once per tick, as redis-sentinel sends them
        (10-20 a second), not once per reply."""
        def respond(args, conn):
            if args[0].upper() in (b"INFO", b"PUBLISH"):
                return b"-NOPERM this user has no permissions to run the command\r\n"
            return well_behaved_master(args, conn)

        f = self.fake(respond)
        s = self.sentinel(f.port)
        wait_until(lambda: f.count("INFO") >= 1 and f.count("PUBLISH") >= 1, timeout=5,
                   message="INFO and PUBLISH sent")
        info, publish = f.count("INFO"), f.count("PUBLISH")
        seconds = 2
        self.watch(s, seconds)
        rates = {"INFO": (f.count("INFO") - info) / seconds,
                 "PUBLISH": (f.count("PUBLISH") - publish) / seconds}
        for cmd, rate in rates.items():
            self.assertLess(rate, 30, f"{cmd} sent {rate:.0f} times a second to a master that "
                                      f"refuses it")
        self.assertIn("INFO refused by", self.log(s))

    def test_replies_cut_off_mid_way(self):
        cuts = [b"$100\r\nabc", b"+PON", b"*3\r\n$7\r\nmessage\r\n", b"*2\r\n:1\r\n",
                bulk("role:master\r\nrun_id:" + "a" * 40)[:20], b"$"]

        def respond(args, conn):
            conn["sock"].sendall(cuts[(conn["id"] - 1) % len(cuts)])
            return CLOSE

        f = self.fake(respond)
        s = self.sentinel(f.port, debug=("ping-period", "200"))
        self.watch(s, 3, until=lambda: f.connections >= 2 * len(cuts))
        self.assertIn(f"link to {HOST}:{f.port} closed", self.log(s))
        wait_until(lambda: "s_down" in s.client().sentinel_master("mymaster")["flags"],
                   timeout=5, message="SDOWN: no complete PING reply")
        self.assert_restartable(s)

    def test_malformed_hellos_on_the_master_channel(self):
        garbage = [b"", b"garbage", b"\x00\xff\x01", b"1,2,3,4,5,6,7", b"1,2,3,4,5,6,7,8,9",
                   b"127.0.0.1,notaport," + b"a" * 40 + b",0,mymaster,127.0.0.1,1,0",
                   b"x" * 100000]
        frames = [message(HELLO, g) for g in garbage] + [
            array(bulk("message"), bulk(HELLO), b":42\r\n"),
            array(bulk("message"), bulk(HELLO)),
            array(bulk("message"), bulk(HELLO), bulk("a"), bulk("b")),
            message("some-other-channel", "127.0.0.1,1,x,0,mymaster,127.0.0.1,1,0"),
            array(bulk("pmessage"), bulk("*"), bulk(HELLO), bulk("junk")),
            b":1\r\n", b"+OK\r\n", b"-ERR nope\r\n",
        ]

        def tick(conn):
            if not conn.get("subscribed"):
                return None
            n = conn.setdefault("pushed", 0)
            conn["pushed"] += 1
            return frames[n % len(frames)]

        f = self.fake(well_behaved_master, tick)
        s = self.sentinel(f.port)
        self.watch(s, 3, until=lambda: "Ignoring a malformed hello" in self.log(s))
        self.assertIn("Ignoring a malformed hello", self.log(s))
        self.assertEqual(s.client().sentinel_sentinels("mymaster"), [])
        m = s.client().sentinel_master("mymaster")
        self.assertEqual(int(m["config-epoch"]), 0)
        self.assertNotIn("s_down", m["flags"])
        self.assert_restartable(s)

    # -- a fake sentinel --

    def test_fake_sentinel_with_malformed_is_master_down_replies(self):
        malformed = [
            b":1\r\n", b"$-1\r\n", b"+OK\r\n", array(b":1\r\n", bulk("*")),
            array(b":1\r\n", b":2\r\n", b":3\r\n"),
            array(bulk("1"), bulk("*"), b":0\r\n"),
            array(b":1\r\n", bulk("*"), bulk("0")),
            array(b":1\r\n", bulk("*"), b":0\r\n", b":0\r\n"),
            array(array(b":1\r\n"), bulk("*"), b":0\r\n"),
            array(b":1\r\n", b"$-1\r\n", b":0\r\n"),
        ]

        def respond(args, conn):
            cmd = args[0].upper()
            if cmd == b"SENTINEL" and [a.upper() for a in args[1:2]] == [b"IS-MASTER-DOWN-BY-ADDR"]:
                n = conn.setdefault("n", 0)
                conn["n"] += 1
                return malformed[n % len(malformed)]
            if cmd == b"PING":
                return b"+PONG\r\n"
            if cmd == b"PUBLISH":
                return b":1\r\n"
            return b"+OK\r\n"

        f = self.fake(respond)
        dead = free_port()  # nothing listens there: the master is SDOWN at once
        s = self.sentinel(dead, quorum=2, debug=("ask-period", "200"))
        fake_id = "f" * 40
        hello = f"{HOST},{f.port},{fake_id},0,mymaster,{HOST},{dead},0"
        self.assertEqual(s.call("PUBLISH", HELLO, hello), 1)
        wait_until(lambda: [e["runid"] for e in s.client().sentinel_sentinels("mymaster")]
                   == [fake_id], timeout=5, message="the fake sentinel is known")
        self.watch(s, 3, until=lambda: f.count("SENTINEL", "IS-MASTER-DOWN-BY-ADDR")
                   >= 2 * len(malformed))
        log = self.log(s)
        self.assertIn(f"Ignoring a malformed is-master-down-by-addr reply from {HOST}:{f.port}",
                      log)
        # No malformed reply counted as a vote that the master is down: quorum 2 is never met.
        self.assertNotIn("+odown", log)
        self.assertNotIn("o_down", s.client().sentinel_master("mymaster")["flags"])
        for e in s.client().sentinel_sentinels("mymaster"):
            self.assertNotIn("master_down", e["flags"])
        self.assert_restartable(s)

    def test_malformed_hellos_published_to_the_sentinel(self):
        dead = free_port()
        # Structurally malformed: not 8 fields, or numbers that are not numbers.
        malformed = [b"", b"garbage", b"a,b,c,d,e,f,g", b"1,2,3,4,5,6,7,8,9",
                     b"127.0.0.1,abc," + b"1" * 40 + b",0,mymaster,127.0.0.1,%d,0" % dead,
                     b"127.0.0.1,5000," + b"1" * 40 + b",x,mymaster,127.0.0.1,%d,0" % dead,
                     b"\x00\xff,\x01,\x02,\x03,\x04,\x05,\x06,\x07", b"x" * (1 << 20),
                     # A payload that would forge a log line if logged raw.
                     b"junk\n1:X 01 Jan 2000 00:00:00.000 # +switch-master forged 1 2 3 4"]
        # Well formed, but with an address redis-sentinel refuses (createSentinelAddr).
        bad_address = [
            b"127.0.0.1,70000," + b"2" * 40 + b",0,mymaster,127.0.0.1,%d,0" % dead,
            b"127.0.0.1,-1," + b"3" * 40 + b",0,mymaster,127.0.0.1,%d,0" % dead,
            b"localhost,5000," + b"4" * 40 + b",0,mymaster,127.0.0.1,%d,0" % dead,
            b"127.0.0.1,5003," + b"6" * 40 + b",0,mymaster,127.0.0.1,70000,1",
            b"127.0.0.1,5004," + b"7" * 40 + b",0,mymaster,localhost,6379,2",
        ]
        # Well formed and accepted by both, with a run id a config file must quote.
        odd_runid = b"127.0.0.1,5005,odd id\nsentinel monitor evil 127.0.0.1 1 1,0,mymaster," \
                    b"127.0.0.1,%d,0" % dead
        results = {}
        for kind in ("redis", "vigil"):
            s = self.sentinel(dead, quorum=2, kind=kind)
            c = s.client(decode_responses=False)
            for payload in malformed + bad_address + [odd_runid]:
                self.assertEqual(c.execute_command("PUBLISH", HELLO, payload), 1)
            self.assertTrue(c.ping())
            results[kind] = {
                "addresses": {(e["ip"], int(e["port"]))
                              for e in s.client().sentinel_sentinels("mymaster")},
                "master": s.master_addr(),
            }
            if kind == "vigil":
                vigil = s
        # What redis-sentinel refuses, vigil-sentinel refuses too.
        self.assertEqual(results["redis"]["master"], (HOST, dead))
        for bad in ((HOST, 70000), (HOST, -1), ("localhost", 5000)):
            self.assertNotIn(bad, results["redis"]["addresses"])
        problems = []
        if results["vigil"]["master"] != (HOST, dead):
            problems.append(f"a hello with an invalid master address switched the master to "
                            f"{results['vigil']['master']}")
        for bad in ((HOST, 70000), (HOST, -1), ("localhost", 5000)):
            if bad in results["vigil"]["addresses"]:
                problems.append(f"vigil-sentinel took a sentinel at {bad} from a hello")
        if (HOST, 5005) not in results["vigil"]["addresses"]:
            problems.append("the hello with an odd (but well formed) run id was refused")
        log = self.log(vigil)
        if log.count("Ignoring a malformed hello message") < len(malformed):
            problems.append("not one log line per malformed hello")
        if re.search(r"(?m)^1:X 01 Jan 2000", log):
            problems.append("a hello payload forged a log line")
        self.assertEqual(problems, [])
        self.assert_plausible_instances(vigil)
        self.assertIsNone(vigil.proc.poll())
        self.assert_restartable(vigil)
        self.assertEqual(vigil.master_addr(), (HOST, dead))


if __name__ == "__main__":
    unittest.main()
