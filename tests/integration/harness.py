"""Process harness for integration tests: starts real vigil-server and redis-server processes on
127.0.0.1 with free ports in a temporary directory, waits until they answer PING, and stops them
at teardown, failing the test when a vigil process exits with a non-zero status."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import redis

VIGIL_SERVER = os.environ.get("VIGIL_SERVER", os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "release", "server", "vigil-server"))
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=10.0, interval=0.02, message="condition"):
    """Polls predicate until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 - the predicate may race a starting process
            last_error = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}"
                         + (f" (last error: {last_error})" if last_error else ""))


class ServerProcess:
    """One server process. kind is 'vigil' or 'redis'."""

    def __init__(self, kind="vigil", args=(), config_text=None, port=None, workdir=None,
                 password=None):
        self.kind = kind
        self.password = password  # used by client() and the readiness check
        self.port = port or free_port()
        self.own_dir = workdir is None
        self.dir = workdir or tempfile.mkdtemp(prefix=f"{kind}-")
        self.log_path = os.path.join(self.dir, "server.log")
        binary = VIGIL_SERVER if kind == "vigil" else REDIS_SERVER
        cmd = [binary]
        if config_text is not None:
            conf = os.path.join(self.dir, "server.conf")
            with open(conf, "w") as f:
                f.write(config_text)
            cmd.append(conf)
        cmd += ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir]
        if kind == "redis":
            cmd += ["--save", "", "--appendonly", "no", "--enable-debug-command", "yes"]
        cmd += list(args)
        self.cmd = cmd
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     cwd=self.dir, stdin=subprocess.DEVNULL)
        try:
            wait_until(self._ready, timeout=10, message=f"{kind}-server on port {self.port}")
        except AssertionError:
            self.stop(check=False)
            raise AssertionError(f"{kind}-server did not start:\n{self.read_log()}")

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"exited with {self.proc.returncode}:\n{self.read_log()}")
        return self.client().ping()

    def client(self, **kw):
        if self.password is not None and "password" not in kw:
            kw["password"] = self.password
        kw.setdefault("socket_timeout", 10)
        return redis.Redis(host="127.0.0.1", port=self.port, **kw)

    def read_log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def cli(self, *args, input_text=None):
        """Runs redis-cli against this server; returns stdout."""
        out = subprocess.run(["redis-cli", "-p", str(self.port)] + list(args),
                             input=input_text, capture_output=True, text=True, timeout=30)
        return out.stdout

    def stop(self, check=True, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                # A final save of a large dataset can take a while in sanitizer builds.
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"{self.kind}-server did not stop on SIGTERM")
        self.log.close()
        code = self.proc.returncode
        if check and self.kind == "vigil" and code != 0:
            raise AssertionError(f"vigil-server exited with {code}:\n{self.read_log()}")
        return code

    def cleanup(self):
        if self.own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)


def keyspace_dump(server):
    """Every key of every database: {(db, key): (type, value, PEXPIRETIME)}, values in a
    comparable form (sets and hashes sorted)."""
    out = {}
    for db in range(16):
        c = server.client(db=db)
        for key in c.scan_iter(count=1000):
            t = c.type(key).decode()
            if t == "string":
                v = c.get(key)
            elif t == "list":
                v = tuple(c.lrange(key, 0, -1))
            elif t == "set":
                v = tuple(sorted(c.smembers(key)))
            elif t == "zset":
                v = tuple(c.zrange(key, 0, -1, withscores=True))
            elif t == "hash":
                v = tuple(sorted(c.hgetall(key).items()))
            else:
                v = None
            out[(db, key)] = (t, v, c.pexpiretime(key))
    return out


VIGIL_SENTINEL = os.environ.get("VIGIL_SENTINEL", os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "release", "sentinel", "vigil-sentinel"))
REDIS_SENTINEL = shutil.which("redis-sentinel") or "/usr/bin/redis-sentinel"


class SentinelProcess:
    """One sentinel. kind is 'vigil' (vigil-sentinel) or 'redis' (redis-sentinel 7.0). The config
    file lives in its own directory and survives restart() (it holds the learned state)."""

    def __init__(self, kind="vigil", config_text="", port=None, workdir=None, start=True):
        self.kind = kind
        self.port = port or free_port()
        self.own_dir = workdir is None
        self.dir = workdir or tempfile.mkdtemp(prefix=f"{kind}-sentinel-")
        self.conf = os.path.join(self.dir, "sentinel.conf")
        self.log_path = os.path.join(self.dir, "sentinel.log")
        with open(self.conf, "w") as f:
            f.write(f"port {self.port}\nbind 127.0.0.1\ndir {self.dir}\n" + config_text)
        self.proc = None
        self.log = None
        self.password = None  # client() authenticates when the config sets requirepass
        for line in config_text.splitlines():
            words = line.split()
            if len(words) == 2 and words[0] == "requirepass":
                self.password = words[1]
        if start:
            self.start()

    def start(self, wait=True):
        binary = VIGIL_SENTINEL if self.kind == "vigil" else REDIS_SENTINEL
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([binary, self.conf], stdout=self.log,
                                     stderr=subprocess.STDOUT, cwd=self.dir,
                                     stdin=subprocess.DEVNULL)
        if wait:
            try:
                wait_until(self._ready, timeout=10,
                           message=f"{self.kind}-sentinel on port {self.port}")
            except AssertionError:
                self.stop(check=False)
                raise AssertionError(f"{self.kind}-sentinel did not start:\n{self.read_log()}")

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"exited with {self.proc.returncode}:\n{self.read_log()}")
        return self.client().ping()

    def client(self, **kw):
        kw.setdefault("socket_timeout", 10)
        kw.setdefault("decode_responses", True)
        if self.password is not None:
            kw.setdefault("password", self.password)
        return redis.Redis(host="127.0.0.1", port=self.port, **kw)

    def call(self, *args):
        return self.client().execute_command(*args)

    def master_addr(self, name="mymaster"):
        r = self.client().execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)
        return None if r is None else (r[0], int(r[1]))

    def read_log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def read_conf(self):
        with open(self.conf) as f:
            return f.read()

    def stop(self, check=True, sig=signal.SIGTERM):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"{self.kind}-sentinel did not stop on SIGTERM")
        if self.log:
            self.log.close()
            self.log = None
        code = self.proc.returncode
        if check and self.kind == "vigil" and code not in (0, -signal.SIGKILL):
            raise AssertionError(f"vigil-sentinel exited with {code}:\n{self.read_log()}")
        return code

    def restart(self):
        self.stop()
        self.start()

    def cleanup(self):
        if self.own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)
