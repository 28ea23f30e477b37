"""A replica whose master's name never answers in DNS keeps serving.

vigil-server once resolved the REPLICAOF host with a blocking getaddrinfo on its only thread: with
a name whose DNS does not answer (Docker's embedded DNS for a stopped container on an internal
network) the whole server froze for the resolver's timeout, PING included. Here the server runs
in a mount namespace of its own whose /etc/resolv.conf names a nameserver on 127.0.53.x that
receives queries and never answers (`options timeout:5 attempts:2`: a lookup takes 10 s), and the
test checks that PING keeps answering at once while the lookup is pending, that the failed lookup
is reported as before, and that REPLICAOF to a real master works while the old lookup still runs.

Needs root (unshare --mount, mount --bind, a UDP socket on port 53): skipped otherwise."""

import os
import random
import shutil
import socket
import stat
import subprocess
import tempfile
import threading
import time
import unittest
from unittest import mock

import redis

import harness
from harness import ServerProcess, wait_until

DEAD_NAME = "vigil-dead-master.invalid"
PING_BUDGET = 0.2  # seconds, per PING
PING_FOR = 3.0  # seconds of PINGs while the lookup is pending
LOOKUP_SECONDS = 10  # timeout:5 attempts:2


class SilentNameserver:
    """A UDP socket on <addr>:53 that counts DNS queries and never answers them."""

    def __init__(self):
        last_error = None
        for _ in range(20):
            addr = f"127.0.53.{random.randint(2, 254)}"
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                sock.bind((addr, 53))
            except OSError as e:
                sock.close()
                last_error = e
                continue
            self.addr = addr
            self.sock = sock
            break
        else:
            raise OSError(f"no free 127.0.53.x:53 for the silent nameserver: {last_error}")
        self.sock.settimeout(0.1)
        self.queries = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopping.is_set():
            try:
                data, _ = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.queries.append(data)

    def asked_for(self, name):
        """Whether a query for name arrived (its labels appear length-prefixed in the packet)."""
        wire = b"".join(bytes([len(p)]) + p.encode() for p in name.split("."))
        with self.lock:
            return any(wire in q for q in self.queries)

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=5)
        self.sock.close()


def namespace_works(resolv_conf):
    """Whether unshare --mount plus a bind-mounted /etc/resolv.conf works here."""
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return False, "unshare or mount not installed"
    try:
        out = subprocess.run(
            ["unshare", "--mount", "sh", "-c",
             'mount --bind "$0" /etc/resolv.conf && cat /etc/resolv.conf', resolv_conf],
            capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, str(e)
    if out.returncode != 0 or "127.0.53." not in out.stdout:
        return False, (out.stderr or out.stdout).strip()
    return True, ""


class ReplicaofDeadNameTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("needs root: unshare --mount, mount --bind and UDP port 53 "
                                    "make the lookup that never answers")
        cls.dir = tempfile.mkdtemp(prefix="vigil-dns-")
        cls.dns = SilentNameserver()
        cls.resolv_conf = os.path.join(cls.dir, "resolv.conf")
        with open(cls.resolv_conf, "w") as f:
            f.write(f"nameserver {cls.dns.addr}\noptions timeout:5 attempts:2\n")
        ok, why = namespace_works(cls.resolv_conf)
        if not ok:
            cls.dns.stop()
            shutil.rmtree(cls.dir, ignore_errors=True)
            # As root this is expected to work: fail rather than skip.
            raise AssertionError(f"cannot give vigil-server its own /etc/resolv.conf: {why}")
        # vigil-server, started in a mount namespace of its own with the silent nameserver.
        cls.wrapper = os.path.join(cls.dir, "vigil-server-silent-dns")
        with open(cls.wrapper, "w") as f:
            f.write("#!/bin/sh\n"
                    f"exec unshare --mount sh -c "
                    f"'mount --bind \"$0\" /etc/resolv.conf && exec \"$@\"' "
                    f"'{cls.resolv_conf}' '{os.path.abspath(harness.VIGIL_SERVER)}' \"$@\"\n")
        os.chmod(cls.wrapper, os.stat(cls.wrapper).st_mode | stat.S_IXUSR)

    @classmethod
    def tearDownClass(cls):
        cls.dns.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            try:
                s.stop(check=False)
            finally:
                s.cleanup()

    def start_replica(self):
        with mock.patch.object(harness, "VIGIL_SERVER", self.wrapper):
            s = ServerProcess("vigil", args=("--save", "", "--appendonly", "no"))
        self.servers.append(s)
        return s

    def assert_pings_answer_at_once(self, client, seconds):
        deadline = time.monotonic() + seconds
        slowest = 0.0
        count = 0
        while time.monotonic() < deadline:
            start = time.monotonic()
            try:
                self.assertTrue(client.ping())
            except redis.exceptions.TimeoutError:
                self.fail(f"PING got no answer within 1 s (after {count} quick ones): the "
                          "server blocks while it resolves the master's name")
            took = time.monotonic() - start
            slowest = max(slowest, took)
            self.assertLess(took, PING_BUDGET,
                            f"PING took {took * 1000:.0f} ms (after {count} quick ones): the "
                            "server blocks while it resolves the master's name")
            count += 1
            time.sleep(0.01)
        return count, slowest

    def test_ping_answers_while_the_master_name_does_not(self):
        replica = self.start_replica()
        c = replica.client(socket_timeout=1)
        self.assertTrue(c.replicaof(DEAD_NAME, 6379))
        # The lookup has reached the nameserver: from here it hangs for 10 s.
        wait_until(lambda: self.dns.asked_for(DEAD_NAME), timeout=5,
                   message=f"a DNS query for {DEAD_NAME}")
        asked_at = time.monotonic()
        self.assert_pings_answer_at_once(c, PING_FOR)
        self.assertLess(time.monotonic() - asked_at, LOOKUP_SECONDS - 2,
                        "the PINGs ran past the pending lookup: the test proves nothing")
        info = c.info("replication")
        self.assertEqual(info["role"], "slave")
        self.assertEqual(info["master_host"], DEAD_NAME)
        self.assertEqual(info["master_link_status"], "down")
        # The failed lookup is reported as before (Asio's message for EAI_AGAIN).
        wait_until(lambda: "Unable to connect to MASTER: " in replica.read_log(),
                   timeout=LOOKUP_SECONDS + 10, message="the failed lookup in the log")
        # The link retries (another pending lookup) and the server still answers.
        self.assert_pings_answer_at_once(c, 0.5)
        self.assertEqual(replica.stop(), 0)  # a clean exit with a lookup pending

    def test_replicaof_elsewhere_while_the_lookup_is_pending(self):
        master = ServerProcess("vigil", args=("--save", "", "--appendonly", "no",
                                              "--repl-diskless-sync-delay", "0"))
        self.servers.append(master)
        master.client().set("k", "v")
        replica = self.start_replica()
        c = replica.client(socket_timeout=1)
        self.assertTrue(c.replicaof(DEAD_NAME, 6379))
        wait_until(lambda: self.dns.asked_for(DEAD_NAME), timeout=5,
                   message=f"a DNS query for {DEAD_NAME}")
        # The old lookup runs on; the new master (an address) is not held up by it.
        started = time.monotonic()
        try:
            self.assertTrue(c.replicaof("127.0.0.1", master.port))
        except redis.exceptions.TimeoutError:
            self.fail("REPLICAOF got no answer within 1 s: the server blocks while it resolves "
                      "the old master's name")
        try:
            wait_until(lambda: c.info("replication")["master_link_status"] == "up", timeout=5,
                       message="the link to the real master")
        except AssertionError as e:
            raise AssertionError(f"{e}\nreplica log:\n{replica.read_log()}") from None
        self.assertEqual(c.get("k"), b"v")
        self.assertLess(time.monotonic() - started, LOOKUP_SECONDS - 2)
        master.client().set("k", "w")
        wait_until(lambda: c.get("k") == b"w", timeout=5, message="the write streamed")
        self.assertTrue(c.replicaof("no", "one"))
        self.assertTrue(c.ping())
        self.assertEqual(replica.stop(), 0)


if __name__ == "__main__":
    unittest.main()
