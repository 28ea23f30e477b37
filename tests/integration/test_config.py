"""Configuration: redis.conf files, command-line overrides, CONFIG GET/SET/REWRITE, daemonize,
pidfile and logfile, compared with the Debian redis-server where Redis defines the behaviour."""

import os
import shutil
import stat
import subprocess
import tempfile
import time
import unittest

import redis

from harness import REDIS_SERVER, VIGIL_SERVER, ServerProcess, free_port, wait_until

DEBIAN_CONF = "/etc/redis/redis.conf"
# What the harness passes to redis-server only; vigil gets the same so that values compare.
SAME_AS_REDIS = ["--save", "", "--appendonly", "no", "--enable-debug-command", "yes"]


def read(path):
    with open(path) as f:
        return f.read()


def run_refused(binary, conf_text, extra=()):
    """Starts binary with a config that must be refused; returns (exit code, stdout, stderr)."""
    d = tempfile.mkdtemp(prefix="conf-")
    try:
        path = os.path.join(d, "bad.conf")
        with open(path, "w") as f:
            f.write(conf_text)
        p = subprocess.run([binary, path, "--port", str(free_port())] + list(extra),
                           capture_output=True, text=True, timeout=20, cwd=d,
                           stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout, p.stderr
    finally:
        shutil.rmtree(d, ignore_errors=True)


class BadConfigTest(unittest.TestCase):
    CASES = [
        "port 7000\nfoo bar\n",
        "# comment\nport abc\n",
        "maxmemory-policy foo\n",
        "maxmemory 10zz\n",
        "port 1 2\n",
        "appendonly maybe\n",
        "save 10\n",
        "timeout -5\n",
        'requirepass "abc\n',
    ]

    def test_refused_like_redis(self):
        for text in self.CASES:
            with self.subTest(text=text):
                vcode, _, verr = run_refused(VIGIL_SERVER, text)
                rcode, _, rerr = run_refused(REDIS_SERVER, text)
                self.assertEqual(vcode, 1)
                self.assertEqual(rcode, 1)
                # Redis's five lines, then one more naming the file.
                self.assertEqual(verr.splitlines()[:5], rerr.splitlines()[:5])
                self.assertRegex(verr.splitlines()[5], r"^\(in /.*bad\.conf, line \d+\)$")

    def test_command_line_error_counts_lines_like_redis(self):
        vcode, _, verr = run_refused(VIGIL_SERVER, "port 7000\n", ["--foo", "bar"])
        rcode, _, rerr = run_refused(REDIS_SERVER, "port 7000\n", ["--foo", "bar"])
        self.assertEqual((vcode, rcode), (1, 1))
        self.assertEqual(verr.splitlines()[:5], rerr.splitlines()[:5])
        self.assertIn("(command line)", verr)

    def test_missing_file(self):
        p = subprocess.run([VIGIL_SERVER, "/nonexistent/vigil.conf"], capture_output=True,
                           text=True, timeout=20)
        self.assertEqual(p.returncode, 1)
        self.assertIn("Fatal error, can't open config file '/nonexistent/vigil.conf': "
                      "No such file or directory", p.stdout)

    def test_what_vigil_cannot_honour_is_refused(self):
        for text, reason in [("cluster-enabled yes\n", "cluster mode is not supported"),
                             ("tls-port 6390\n", "TLS is not supported"),
                             ("loadmodule /x.so\n", "modules are not supported")]:
            with self.subTest(text=text):
                code, _, err = run_refused(VIGIL_SERVER, text)
                self.assertEqual(code, 1)
                self.assertIn("at line 1", err)
                self.assertIn(reason, err)


class DebianConfigTest(unittest.TestCase):
    def setUp(self):
        if not os.access(DEBIAN_CONF, os.R_OK):
            self.skipTest(f"{DEBIAN_CONF} is not readable")
        with open(DEBIAN_CONF) as f:
            self.text = f.read()
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop()
            s.cleanup()

    def start(self, kind):
        d = tempfile.mkdtemp(prefix=f"{kind}-deb-")
        args = ["--daemonize", "no", "--logfile", "", "--pidfile", os.path.join(d, "p.pid")]
        if kind == "vigil":
            args += SAME_AS_REDIS
        s = ServerProcess(kind, args=args, config_text=self.text, workdir=d)
        self.servers.append(s)
        return s

    def test_starts_and_config_matches_redis(self):
        v = self.start("vigil")
        r = self.start("redis")
        vc = v.client(decode_responses=True).config_get("*")
        rc = r.client(decode_responses=True).config_get("*")
        for k in ("port", "dir", "pidfile"):
            vc.pop(k)
            rc.pop(k)
        self.assertEqual(vc, rc)
        log = v.read_log()
        warnings = [line for line in log.splitlines() if "Ignoring directives" in line]
        self.assertEqual(len(warnings), 1, log)
        self.assertIn("list-max-listpack-size", warnings[0])
        self.assertIn("jemalloc-bg-thread", warnings[0])
        self.assertRegex(log, r"\d+:M \d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3} \* "
                              r"Ready to accept connections tcp")


class ConfigCommandTest(unittest.TestCase):
    CONF = "# my comment\nmaxmemory 100mb\n\n# timeouts\ntimeout 5\nhz 10\n"

    @classmethod
    def setUpClass(cls):
        cls.v = ServerProcess("vigil", args=SAME_AS_REDIS, config_text=cls.CONF)
        cls.r = ServerProcess("redis", config_text=cls.CONF)
        cls.vc = cls.v.client(decode_responses=True)
        cls.rc = cls.r.client(decode_responses=True)

    @classmethod
    def tearDownClass(cls):
        cls.vc.close()
        cls.rc.close()
        for s in (cls.v, cls.r):
            s.stop()
            s.cleanup()

    def both(self, *args):
        out = []
        for c in (self.vc, self.rc):
            try:
                out.append(c.execute_command(*args))
            except redis.ResponseError as e:
                out.append(("error", str(e)))
        return out

    def test_get_matches_redis(self):
        for pattern in ["save", "client-output-buffer-limit", "maxmemory", "maxmemory*", "*port",
                        "slave-*", "repl-*", "timeout", "notify-keyspace-events", "bind",
                        "appendfsync", "loglevel", "oom-score-adj-values", "unixsocketperm",
                        "latency-tracking-info-percentiles", "key-load-delay", "SAVE",
                        "nosuch*", "*max*entries*"]:
            with self.subTest(pattern=pattern):
                v, r = (c.config_get(pattern) for c in (self.vc, self.rc))
                for k in ("port", "tls-port", "cluster-port"):
                    v.pop(k, None)
                    r.pop(k, None)
                self.assertEqual(v, r)

    def test_get_several_patterns(self):
        v = self.vc.execute_command("CONFIG", "GET", "timeout", "hz", "maxmemory")
        r = self.rc.execute_command("CONFIG", "GET", "timeout", "hz", "maxmemory")
        self.assertEqual(sorted(zip(v[::2], v[1::2])), sorted(zip(r[::2], r[1::2])))

    def test_set_errors_match_redis(self):
        for args in [("foo", "bar"), ("port", "abc"), ("port", "1", "port", "2"),
                     ("maxmemory", "10zz"), ("maxmemory-policy", "bad"),
                     ("appendonly", "maybe"), ("save", "10"), ("daemonize", "yes"),
                     ("dir", "/tmp"), ("timeout", "-1"), ("client-query-buffer-limit", "1"),
                     ("notify-keyspace-events", "Q"), ("replicaof", "127.0.0.1 1"),
                     ("client-output-buffer-limit", "normal 1 2")]:
            with self.subTest(args=args):
                v, r = self.both("CONFIG", "SET", *args)
                self.assertEqual(v, r)
        v, r = self.both("CONFIG", "SET", "timeout")
        self.assertEqual(v, r)

    def test_set_values_read_back_like_redis(self):
        pairs = [("maxmemory", "1gb"), ("maxmemory-policy", "ALLKEYS-LRU"),
                 ("notify-keyspace-events", "KEA"), ("save", "100 1 200 2"),
                 ("client-output-buffer-limit", "normal 1mb 2mb 3 replica 4mb 5mb 6"),
                 ("slave-read-only", "no"), ("repl-backlog-size", "1000"),
                 ("maxmemory-clients", "10%"), ("loglevel", "verbose"), ("hz", "20")]
        try:
            for name, value in pairs:
                with self.subTest(name=name):
                    self.assertEqual(self.both("CONFIG", "SET", name, value), ["OK", "OK"])
                    v, r = (c.config_get(name) for c in (self.vc, self.rc))
                    self.assertEqual(v, r)
        finally:
            defaults = [("maxmemory", "100mb"), ("maxmemory-policy", "noeviction"),
                        ("notify-keyspace-events", ""), ("save", ""),
                        ("client-output-buffer-limit",
                         "normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60"),
                        ("slave-read-only", "yes"), ("repl-backlog-size", "1mb"),
                        ("maxmemory-clients", "0"), ("loglevel", "notice"), ("hz", "10")]
            for name, value in defaults:
                self.both("CONFIG", "SET", name, value)

    def test_set_is_atomic(self):
        before = self.vc.config_get("timeout")["timeout"]
        with self.assertRaises(redis.ResponseError):
            self.vc.execute_command("CONFIG", "SET", "timeout", "7", "maxmemory", "bad")
        self.assertEqual(self.vc.config_get("timeout")["timeout"], before)
        self.assertEqual(self.vc.execute_command("CONFIG", "SET", "timeout", "7", "hz", "11"),
                         "OK")
        self.assertEqual(self.vc.config_get("timeout")["timeout"], "7")
        self.vc.execute_command("CONFIG", "SET", "timeout", before, "hz", "10")

    def test_help_and_resetstat(self):
        v, r = self.both("CONFIG", "HELP")
        self.assertEqual(v, r)
        self.assertEqual(self.vc.execute_command("CONFIG", "RESETSTAT"), "OK")
        self.assertEqual(self.vc.info("stats")["total_connections_received"], 0)


class RewriteTest(unittest.TestCase):
    CONF = ("# Vigil test config\n"
            "maxmemory 100mb\n"
            "\n"
            "# timeouts follow\n"
            "timeout 5\n"
            "save 900 1\n"
            "save 300 10\n"
            "slave-read-only yes\n"
            "rename-command FLUSHALL \"\"\n")

    def test_round_trip_keeps_comments_and_mode(self):
        v = ServerProcess("vigil", config_text=self.CONF)
        try:
            path = os.path.join(v.dir, "server.conf")
            os.chmod(path, 0o640)
            c = v.client(decode_responses=True)
            c.config_set("maxmemory", "3gb")
            c.config_set("timeout", "0")
            c.config_set("save", "60 5")
            c.config_set("replica-read-only", "no")
            c.config_set("masterauth", 'a b"c')
            self.assertEqual(c.execute_command("CONFIG", "REWRITE"), "OK")
            with open(path) as f:
                text = f.read()
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o640)
            lines = text.splitlines()
            self.assertEqual(lines[:9], ["# Vigil test config", "maxmemory 3gb", "",
                                         "# timeouts follow", "timeout 0", "save 60 5", "",
                                         "replica-read-only no", 'rename-command FLUSHALL ""'])
            self.assertIn("# Generated by CONFIG REWRITE", lines)
            self.assertIn('masterauth "a b\\"c"', lines)
            self.assertFalse([n for n in os.listdir(v.dir) if ".tmp-" in n])
            c.close()
            v.stop()
            # The rewritten file starts and carries the values.
            v2 = ServerProcess("vigil", workdir=v.dir, config_text=text)
            try:
                c2 = v2.client(decode_responses=True)
                self.assertEqual(c2.config_get("masterauth")["masterauth"], 'a b"c')
                self.assertEqual(c2.config_get("maxmemory")["maxmemory"], str(3 << 30))
                self.assertEqual(c2.config_get("save")["save"], "60 5")
                with self.assertRaises(redis.ResponseError):
                    c2.execute_command("FLUSHALL")
                c2.close()
            finally:
                v2.stop()
        finally:
            v.stop(check=False)
            v.cleanup()

    def test_without_config_file(self):
        v = ServerProcess("vigil")
        try:
            with self.assertRaises(redis.ResponseError) as e:
                v.client().execute_command("CONFIG", "REWRITE")
            self.assertEqual(str(e.exception), "The server is running without a config file")
        finally:
            v.stop()
            v.cleanup()


class DaemonTest(unittest.TestCase):
    def test_daemonize_pidfile_logfile(self):
        d = tempfile.mkdtemp(prefix="vigil-daemon-")
        port = free_port()
        pidfile = os.path.join(d, "vigil.pid")
        logfile = os.path.join(d, "vigil.log")
        try:
            p = subprocess.run([VIGIL_SERVER, "--port", str(port), "--bind", "127.0.0.1",
                                "--dir", d, "--daemonize", "yes", "--pidfile", pidfile,
                                "--logfile", logfile, "--save", ""],
                               capture_output=True, text=True, timeout=20)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout, "")
            pid = int(wait_until(lambda: read(pidfile).strip(), timeout=10, message="pidfile"))
            c = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10,
                            decode_responses=True)
            wait_until(c.ping, timeout=10, message="daemon answering PING")
            self.assertNotEqual(pid, os.getpid())
            wait_until(lambda: "Ready to accept connections tcp" in read(logfile),
                       timeout=10, message="log line")
            c.config_set("loglevel", "warning")
            self.assertEqual(c.config_get("logfile")["logfile"], logfile)
            self.assertEqual(c.config_get("pidfile")["pidfile"], pidfile)
            try:
                c.shutdown(nosave=True)
            except redis.ConnectionError:
                pass
            wait_until(lambda: not os.path.exists(pidfile), timeout=10,
                       message="pidfile removed")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
            else:
                self.fail("daemon did not exit")
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_version_and_help(self):
        p = subprocess.run([VIGIL_SERVER, "--version"], capture_output=True, text=True,
                           timeout=10)
        self.assertEqual(p.returncode, 0)
        self.assertIn("v=", p.stdout)
        p = subprocess.run([VIGIL_SERVER, "-h"], capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 0)
        self.assertIn("Usage", p.stderr)

    def test_config_from_stdin(self):
        port = free_port()
        d = tempfile.mkdtemp(prefix="vigil-stdin-")
        proc = subprocess.Popen([VIGIL_SERVER, "-", "--bind", "127.0.0.1", "--dir", d],
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, text=True)
        try:
            proc.stdin.write(f"port {port}\nsave \"\"\ntimeout 42\n")
            proc.stdin.close()
            c = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10,
                            decode_responses=True)
            wait_until(c.ping, timeout=10, message="PING")
            self.assertEqual(c.config_get("timeout")["timeout"], "42")
            c.close()
        finally:
            proc.terminate()
            proc.wait(timeout=15)
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
