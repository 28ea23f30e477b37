"""Differential test: one script of commands run against redis-server 7.0 and vigil-server over
raw sockets, every reply compared byte for byte (RESP2, then RESP3 after HELLO 3).

Script format (differential/*.txt), one command per line, quoted like redis-cli does
(double quotes with \\n \\r \\t \\b \\a \\\\ \\" \\xHH escapes, single quotes with \\'):

    # comment                   ignored, as are blank lines
    SET k v                     sent to both servers, one reply each, compared byte for byte
    @sort KEYS *                arrays (and RESP3 maps/sets) sorted before comparing: for replies
                                whose order depends on hashing (KEYS, SCAN on small databases)
    @nocompare CLIENT ID        sent, one reply read from each, not compared
    @replies=2 SUBSCRIBE a b    this many replies read and compared
    @resp2 PING / @resp3 PING   only in that protocol's run

Several prefixes may be combined (`@resp2 @sort KEYS *`).
"""

import os
import socket
import time
import unittest

from harness import ServerProcess

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT_DIR = os.path.join(HERE, "differential")
READ_TIMEOUT = 10.0
MAX_REPLY_BYTES = 64 * 1024 * 1024

# ---- script parsing -------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "a": "\a", "\\": "\\", '"': '"'}


def split_args(line):
    """Splits a line into arguments the way redis-cli does (sdssplitargs). Returns bytes
    arguments, or raises ValueError on unbalanced quotes."""
    args = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            return args
        cur = []
        in_dq = in_sq = False
        while True:
            if i >= n:
                if in_dq or in_sq:
                    raise ValueError("unbalanced quotes")
                break
            c = line[i]
            if in_dq:
                if c == "\\" and i + 3 < n and line[i + 1] == "x" and \
                        all(ch in "0123456789abcdefABCDEF" for ch in line[i + 2:i + 4]):
                    cur.append(chr(int(line[i + 2:i + 4], 16)))
                    i += 3
                elif c == "\\" and i + 1 < n:
                    cur.append(_ESCAPES.get(line[i + 1], line[i + 1]))
                    i += 1
                elif c == '"':
                    if i + 1 < n and not line[i + 1].isspace():
                        raise ValueError("closing quote must be followed by a space")
                    in_dq = False
                    i += 1
                    break
                else:
                    cur.append(c)
            elif in_sq:
                if c == "\\" and i + 1 < n and line[i + 1] == "'":
                    cur.append("'")
                    i += 1
                elif c == "'":
                    if i + 1 < n and not line[i + 1].isspace():
                        raise ValueError("closing quote must be followed by a space")
                    in_sq = False
                    i += 1
                    break
                else:
                    cur.append(c)
            else:
                if c.isspace():
                    break
                if c == '"':
                    in_dq = True
                elif c == "'":
                    in_sq = True
                else:
                    cur.append(c)
            i += 1
        args.append("".join(cur).encode("latin-1"))


class Step:
    def __init__(self, path, lineno, text, args, sort, compare, replies, only):
        self.path, self.lineno, self.text, self.args = path, lineno, text, args
        self.sort, self.compare, self.replies, self.only = sort, compare, replies, only


def load_script(name):
    path = os.path.join(SCRIPT_DIR, name)
    steps = []
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            text = raw.rstrip("\n")
            stripped = text.strip()
            if not stripped or stripped.startswith("#"):
                continue
            sort, compare, replies, only = False, True, 1, None
            while stripped.startswith("@"):
                word, _, rest = stripped.partition(" ")
                if word == "@sort":
                    sort = True
                elif word == "@nocompare":
                    compare = False
                elif word.startswith("@replies="):
                    replies = int(word.split("=", 1)[1])
                elif word in ("@resp2", "@resp3"):
                    only = int(word[-1])
                else:
                    raise ValueError(f"{name}:{lineno}: unknown directive {word}")
                stripped = rest.strip()
            args = split_args(stripped)
            if not args:
                raise ValueError(f"{name}:{lineno}: no command")
            steps.append(Step(name, lineno, stripped, args, sort, compare, replies, only))
    return steps


# ---- RESP ---------------------------------------------------------------------------------

def encode_command(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Incomplete(Exception):
    pass


_AGGREGATES = {ord("*"): 1, ord("~"): 1, ord(">"): 1, ord("%"): 2, ord("|"): 2}
_BULKS = {ord("$"), ord("="), ord("!")}
_LINES = {ord("+"), ord("-"), ord(":"), ord("_"), ord(","), ord("#"), ord("(")}


def parse_reply(buf, pos=0):
    """Parses one complete reply starting at pos. Returns (end, node) where node is
    ("scalar", raw) or ("agg", header_raw, [child nodes]); raises Incomplete when buf ends
    first and ValueError on bytes that are not RESP."""
    eol = buf.find(b"\r\n", pos)
    if eol < 0:
        raise Incomplete()
    kind = buf[pos]
    line_end = eol + 2
    if kind in _LINES:
        return line_end, ("scalar", bytes(buf[pos:line_end]))
    if kind in _BULKS:
        length = int(buf[pos + 1:eol])
        if length < 0:
            return line_end, ("scalar", bytes(buf[pos:line_end]))
        end = line_end + length + 2
        if len(buf) < end:
            raise Incomplete()
        if buf[end - 2:end] != b"\r\n":
            raise ValueError("bulk string not terminated by CRLF")
        return end, ("scalar", bytes(buf[pos:end]))
    if kind in _AGGREGATES:
        count = int(buf[pos + 1:eol])
        children = []
        cur = line_end
        for _ in range(max(count, 0) * _AGGREGATES[kind]):
            cur, child = parse_reply(buf, cur)
            children.append(child)
        node = ("agg", bytes(buf[pos:line_end]), children)
        if kind == ord("|"):  # an attribute belongs to the reply after it
            cur, after = parse_reply(buf, cur)
            node = ("agg", bytes(buf[pos:line_end]), children + [after])
        return cur, node
    raise ValueError(f"not a RESP type byte: {bytes([kind])!r}")


def serialize(node):
    if node[0] == "scalar":
        return node[1]
    return node[1] + b"".join(serialize(c) for c in node[2])


def canonical(node):
    """Sorts aggregate elements (pairs for maps) so that hash-order differences vanish."""
    if node[0] == "scalar":
        return node
    header, children = node[1], [canonical(c) for c in node[2]]
    if header[:1] in (b"%", b"|"):
        pairs = [children[i:i + 2] for i in range(0, len(children) - 1, 2)]
        pairs.sort(key=lambda p: serialize(p[0]) + serialize(p[1]))
        children = [c for p in pairs for c in p]
    elif all(c[0] == "scalar" for c in children):
        children.sort(key=serialize)
    return ("agg", header, children)


class RawConnection:
    """One socket to a server: sends encoded commands, reads exactly one reply at a time."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=READ_TIMEOUT)
        self.buf = bytearray()

    def close(self):
        self.sock.close()

    def send(self, args):
        self.sock.sendall(encode_command(args))

    def read_reply(self):
        """Returns (raw bytes, parsed node) of the next complete reply; raises on EOF/timeout."""
        deadline = time.monotonic() + READ_TIMEOUT
        while True:
            if self.buf:
                try:
                    end, node = parse_reply(self.buf)
                    raw = bytes(self.buf[:end])
                    del self.buf[:end]
                    return raw, node
                except Incomplete:
                    pass
            if time.monotonic() > deadline or len(self.buf) > MAX_REPLY_BYTES:
                raise TimeoutError("no complete reply")
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed by server")
            self.buf += chunk


# ---- the test -----------------------------------------------------------------------------

class PasswordServerProcess(ServerProcess):
    """A server started with --requirepass secret: the harness's readiness PING authenticates."""

    def client(self, **kw):
        kw.setdefault("password", "secret")
        return super().client(**kw)


class DifferentialTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = ServerProcess("redis")
        try:
            cls.vigil = ServerProcess("vigil")
        except BaseException:
            cls.redis.stop(check=False)
            cls.redis.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.vigil.stop()
        finally:
            cls.vigil.cleanup()
            cls.redis.stop(check=False)
            cls.redis.cleanup()

    def run_script(self, names, protocol, servers=None, flush=True):
        redis_server, vigil_server = servers or (self.redis, self.vigil)
        steps = [s for name in names for s in load_script(name)]
        conns = {"redis": RawConnection(redis_server.port),
                 "vigil": RawConnection(vigil_server.port)}
        mismatches = []
        try:
            for conn in conns.values():
                if flush:
                    conn.send([b"FLUSHALL"])
                    conn.read_reply()
                if protocol == 3:
                    conn.send([b"HELLO", b"3"])
                    conn.read_reply()
            for step in steps:
                if step.only is not None and step.only != protocol:
                    continue
                got = {}
                for kind, conn in conns.items():
                    try:
                        conn.send(step.args)
                        replies = [conn.read_reply() for _ in range(step.replies)]
                    except (OSError, ValueError) as e:
                        got[kind] = f"<{type(e).__name__}: {e}>".encode()
                        continue
                    if step.sort:
                        got[kind] = b"".join(serialize(canonical(n)) for _, n in replies)
                    else:
                        got[kind] = b"".join(raw for raw, _ in replies)
                if step.compare and got["redis"] != got["vigil"]:
                    mismatches.append(step_report(step, got))
                if any(v.startswith(b"<") for v in got.values()):
                    mismatches.append(f"{step.path}:{step.lineno}: connection failed, stopping")
                    break
            else:
                # A server that sent more replies than commands shows up here at the latest.
                for kind, conn in conns.items():
                    conn.send([b"ECHO", b"end of script"])
                    raw, _ = conn.read_reply()
                    if raw != b"$13\r\nend of script\r\n":
                        mismatches.append(f"{kind}: replies out of step at the end: {raw!r}")
        finally:
            for conn in conns.values():
                conn.close()
        if mismatches:
            self.fail(f"{len(mismatches)} mismatch(es) with redis-server (RESP{protocol}):\n"
                      + "\n".join(mismatches))

    def test_noauth_order(self):
        """Error order before AUTH, on a second pair of servers with requirepass."""
        redis_server = PasswordServerProcess("redis", args=["--requirepass", "secret"])
        try:
            vigil_server = PasswordServerProcess("vigil", args=["--requirepass", "secret"])
        except BaseException:
            redis_server.stop(check=False)
            redis_server.cleanup()
            raise
        try:
            self.run_script(["noauth.txt"], protocol=2, servers=(redis_server, vigil_server),
                            flush=False)
        finally:
            try:
                vigil_server.stop()
            finally:
                vigil_server.cleanup()
                redis_server.stop(check=False)
                redis_server.cleanup()

    def test_commands_resp2(self):
        self.run_script(["commands.txt"], protocol=2)

    def test_commands_resp3(self):
        self.run_script(["commands.txt"], protocol=3)

    def test_collections_resp2(self):
        self.run_script(["collections.txt"], protocol=2)

    def test_collections_resp3(self):
        self.run_script(["collections.txt"], protocol=3)


def shorten(data, limit=600):
    text = repr(data)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(data)} bytes)"


def step_report(step, got):
    return (f"{step.path}:{step.lineno}: {step.text}\n"
            f"    redis: {shorten(got['redis'])}\n"
            f"    vigil: {shorten(got['vigil'])}")


if __name__ == "__main__":
    unittest.main()
