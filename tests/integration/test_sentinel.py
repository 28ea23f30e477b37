"""vigil-sentinel on 127.0.0.1: three sentinels watching a master with two replicas. Discovery of
replicas and sentinels, automatic failover after kill -9 and after SIGSTOP, the old master coming
back as a replica, SENTINEL FAILOVER, replica-priority 0, a restarted sentinel keeping its
identity and epoch, no failover without quorum or without a majority, and a Python client
(redis.sentinel.Sentinel) following a failover.

The monitored servers come from VIGIL_SENTINEL_SERVERS (default "vigil,redis": every scenario
runs against vigil-server and against redis-server 7.0). VIGIL_SENTINEL_KIND=redis runs the same
scenarios with redis-sentinel, which is how the expectations were checked."""

import os
import shutil
import signal
import tempfile
import threading
import time
import unittest

import redis
import redis.sentinel

from harness import SentinelProcess, ServerProcess, wait_until

SERVERS = [s.strip() for s in os.environ.get("VIGIL_SENTINEL_SERVERS", "vigil,redis").split(",")
           if s.strip()]
SENTINEL_KIND = os.environ.get("VIGIL_SENTINEL_KIND", "vigil")

HOST = "127.0.0.1"
SERVER_ARGS = ("--save", "", "--appendonly", "no", "--repl-diskless-sync-delay", "0")
DOWN_AFTER = 1000
FAILOVER_TIMEOUT = 6000
FAILOVER_DEADLINE = 40  # seconds: detection + election (with a possible retry) + promotion


def role(server):
    return server.client(socket_timeout=2).execute_command("ROLE")


def read_lines(path):
    try:
        with open(path) as f:
            return f.read().splitlines()
    except OSError:
        return []


def replica_of(server, master_port):
    r = role(server)
    return r[0] == b"slave" and int(r[2]) == master_port and r[3] == b"connected"


class Topology:
    """A master, two replicas of it, and sentinels watching it as `mymaster`."""

    def __init__(self, server_kind, sentinel_kinds=None, quorum=2, replica_args=(),
                 sentinel_conf="", server_args=()):
        sentinel_kinds = sentinel_kinds or [SENTINEL_KIND] * 3
        self.server_kind = server_kind
        self.server_args = tuple(server_args)
        self.servers = []
        self.sentinels = []
        try:
            self.master = self._server(SERVER_ARGS)
            self.replicas = []
            for extra in (replica_args or ((), ())):
                self.replicas.append(self._server(
                    SERVER_ARGS + ("--replicaof", HOST, str(self.master.port)) + tuple(extra)))
            for r in self.replicas:
                wait_until(lambda r=r: replica_of(r, self.master.port), timeout=20,
                           message="replica link up")
            conf = (f"sentinel monitor mymaster {HOST} {self.master.port} {quorum}\n"
                    f"sentinel down-after-milliseconds mymaster {DOWN_AFTER}\n"
                    f"sentinel failover-timeout mymaster {FAILOVER_TIMEOUT}\n" + sentinel_conf)
            for kind in sentinel_kinds:
                self.sentinels.append(SentinelProcess(kind, conf))
        except BaseException:
            self.close(check=False)
            raise

    def _server(self, args):
        password = None
        if "--requirepass" in self.server_args:
            password = self.server_args[self.server_args.index("--requirepass") + 1]
        s = ServerProcess(self.server_kind, args=tuple(args) + self.server_args,
                          password=password)
        self.servers.append(s)
        return s

    def wait_discovery(self, timeout=30):
        n = len(self.sentinels)

        def discovered():
            for s in self.sentinels:
                c = s.client(socket_timeout=2)
                if len(c.execute_command("SENTINEL", "REPLICAS", "mymaster")) != 2:
                    return False
                if len(c.execute_command("SENTINEL", "SENTINELS", "mymaster")) != n - 1:
                    return False
            return True
        wait_until(discovered, timeout=timeout, interval=0.1,
                   message="sentinels discover the replicas and each other")

    def wait_new_master(self, old_port, sentinels=None, timeout=FAILOVER_DEADLINE):
        """Waits until every sentinel names the same new master; returns its port."""
        sentinels = sentinels or self.sentinels

        def agreed():
            addrs = {s.master_addr() for s in sentinels}
            if len(addrs) == 1:
                (addr,) = addrs
                if addr and addr[1] != old_port:
                    return addr[1]
            return None
        return wait_until(agreed, timeout=timeout, interval=0.1,
                          message="all sentinels agree on a new master")

    def server_on(self, port):
        for s in self.servers:
            if s.port == port and s.proc.poll() is None:
                return s
        raise AssertionError(f"no running server on port {port}")

    def logs(self):
        return "\n".join(f"--- sentinel {s.port} ({s.kind})\n{s.read_log()}"
                         for s in self.sentinels)

    def close(self, check=True):
        errors = []
        for s in self.sentinels:
            try:
                if s.proc and s.proc.poll() is None:
                    os.kill(s.proc.pid, signal.SIGCONT)
                s.stop(check=check)
            except AssertionError as e:
                errors.append(str(e))
            s.cleanup()
        for s in self.servers:
            try:
                if s.proc.poll() is None:
                    os.kill(s.proc.pid, signal.SIGCONT)
                s.stop(check=False)
            except AssertionError:
                pass
            s.cleanup()
        if errors:
            raise AssertionError("\n".join(errors))


class SentinelScenarios:
    server_kind = "vigil"

    def topology(self, **kw):
        t = Topology(self.server_kind, **kw)
        self.addCleanup(t.close)
        return t

    def assert_followers(self, t, new_port, timeout=30):
        """Every live server other than the new master replicates from it."""
        for s in t.servers:
            if s.port != new_port and s.proc.poll() is None:
                wait_until(lambda s=s: replica_of(s, new_port), timeout=timeout, interval=0.2,
                           message=f"server {s.port} replicates from {new_port}")

    def test_discovery(self):
        t = self.topology()
        t.wait_discovery()
        for s in t.sentinels:
            self.assertEqual(s.master_addr(), (HOST, t.master.port))
            ports = sorted(int(r["port"]) for r in
                           s.client().sentinel_slaves("mymaster"))
            self.assertEqual(ports, sorted(r.port for r in t.replicas))
            m = s.client().sentinel_master("mymaster")
            self.assertEqual(m["num-other-sentinels"], 2)
            self.assertEqual(m["num-slaves"], 2)

    def test_kill_master_fails_over(self):
        t = self.topology()
        t.wait_discovery()
        old = t.master.port
        t.master.proc.kill()
        t.master.proc.wait()
        new = t.wait_new_master(old)
        self.assertIn(new, [r.port for r in t.replicas])
        self.assertEqual(role(t.server_on(new))[0], b"master")
        t.server_on(new).client().set("after-failover", "1")
        self.assert_followers(t, new)

    def test_sigstop_master_fails_over_and_returns_as_replica(self):
        t = self.topology()
        t.wait_discovery()
        old = t.master.port
        os.kill(t.master.proc.pid, signal.SIGSTOP)
        new = t.wait_new_master(old)
        os.kill(t.master.proc.pid, signal.SIGCONT)
        # The old master reports role:master again: the sentinels convert it (+convert-to-slave).
        self.assert_followers(t, new, timeout=40)

    def test_killed_master_restarts_as_replica(self):
        t = self.topology()
        t.wait_discovery()
        old = t.master
        old.proc.kill()
        old.proc.wait()
        new = t.wait_new_master(old.port)
        back = ServerProcess(self.server_kind, args=SERVER_ARGS, port=old.port)
        t.servers.append(back)
        wait_until(lambda: replica_of(back, new), timeout=40, interval=0.2,
                   message="the old master comes back as a replica")

    def test_manual_failover(self):
        t = self.topology()
        t.wait_discovery()
        old = t.master.port
        self.assertTrue(t.sentinels[0].call("SENTINEL", "FAILOVER", "mymaster"))
        new = t.wait_new_master(old)
        self.assertIn(new, [r.port for r in t.replicas])
        self.assert_followers(t, new, timeout=40)

    def test_replica_priority_zero_is_never_promoted(self):
        t = self.topology(replica_args=(("--replica-priority", "0"), ()))
        t.wait_discovery()
        old = t.master.port
        t.master.proc.kill()
        t.master.proc.wait()
        new = t.wait_new_master(old)
        self.assertEqual(new, t.replicas[1].port)

    def test_restarted_sentinel_keeps_identity_and_epoch(self):
        t = self.topology()
        t.wait_discovery()
        old = t.master.port
        t.master.proc.kill()
        t.master.proc.wait()
        new = t.wait_new_master(old)
        s = t.sentinels[0]
        myid = s.call("SENTINEL", "MYID")
        epoch = int(s.client().sentinel_master("mymaster")["config-epoch"])
        self.assertGreaterEqual(epoch, 1)
        wait_until(lambda: f"sentinel current-epoch {epoch}" in s.read_conf()
                   or f"sentinel current-epoch {epoch + 1}" in s.read_conf(),
                   timeout=10, message="the epoch is in the config file")
        s.restart()
        self.assertEqual(s.call("SENTINEL", "MYID"), myid)
        self.assertEqual(s.master_addr(), (HOST, new))
        self.assertEqual(int(s.client().sentinel_master("mymaster")["config-epoch"]), epoch)
        self.assertEqual(s.proc.poll(), None)

    def test_no_failover_without_quorum(self):
        t = self.topology(quorum=3)
        t.wait_discovery()
        os.kill(t.sentinels[2].proc.pid, signal.SIGSTOP)
        old = t.master.port
        t.master.proc.kill()
        t.master.proc.wait()
        live = t.sentinels[:2]
        wait_until(lambda: all("s_down" in s.client().sentinel_master("mymaster")["flags"]
                               for s in live), timeout=10, message="SDOWN on the live sentinels")
        # Two of three think it is down; quorum 3: no ODOWN, no failover. Observe a while.
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            for s in live:
                self.assertEqual(s.master_addr(), (HOST, old))
                self.assertNotIn("o_down", s.client().sentinel_master("mymaster")["flags"])
            time.sleep(0.2)

    def test_no_failover_without_majority(self):
        t = self.topology(quorum=1)
        t.wait_discovery()
        for s in t.sentinels[1:]:
            os.kill(s.proc.pid, signal.SIGSTOP)
        old = t.master.port
        t.master.proc.kill()
        t.master.proc.wait()
        s = t.sentinels[0]
        wait_until(lambda: "o_down" in s.client().sentinel_master("mymaster")["flags"],
                   timeout=10, message="ODOWN with quorum 1")
        # ODOWN, but one vote of three known sentinels is no majority: the attempt is never
        # elected and is aborted after min(election timeout, failover-timeout).
        wait_until(lambda: "-failover-abort-not-elected" in s.read_log(), timeout=20,
                   interval=0.2, message="the failover attempt is aborted")
        self.assertIn("+try-failover", s.read_log())
        self.assertEqual(s.master_addr(), (HOST, old))

    def test_secured_topology_with_renamed_commands(self):
        # Servers with a password and CONFIG renamed; sentinels that need a password too.
        t = self.topology(
            server_args=("--requirepass", "srv-pw", "--masterauth", "srv-pw",
                         "--rename-command", "CONFIG", "MYCONFIG"),
            sentinel_conf=("sentinel auth-pass mymaster srv-pw\n"
                           "sentinel rename-command mymaster CONFIG MYCONFIG\n"
                           "requirepass sent-pw\n"
                           "sentinel sentinel-pass sent-pw\n"))
        t.wait_discovery()
        old = t.master.port
        t.master.proc.kill()
        t.master.proc.wait()
        new = t.wait_new_master(old)
        self.assert_followers(t, new)

    def test_scripts_run_on_events(self):
        d = tempfile.mkdtemp(prefix="sentinel-scripts-")
        self.addCleanup(shutil.rmtree, d, True)
        notify = os.path.join(d, "notify.sh")
        reconf = os.path.join(d, "reconf.sh")
        for path, out in ((notify, "notify.log"), (reconf, "reconf.log")):
            with open(path, "w") as f:
                f.write(f'#!/bin/sh\necho "$@" >> {os.path.join(d, out)}\n')
            os.chmod(path, 0o755)
        t = self.topology(sentinel_conf=(f"sentinel notification-script mymaster {notify}\n"
                                         f"sentinel client-reconfig-script mymaster {reconf}\n"))
        t.wait_discovery()
        old = t.master.port
        t.master.proc.kill()
        t.master.proc.wait()
        new = t.wait_new_master(old)
        # Every sentinel runs the notification script for warnings (+sdown at least), and the
        # client-reconfig script once: as the leader or as an observer.
        wait_until(lambda: any(l.startswith("+sdown master mymaster")
                               for l in read_lines(os.path.join(d, "notify.log"))),
                   timeout=10, message="the notification script ran for +sdown")
        expected = {f"mymaster leader start {HOST} {old} {HOST} {new}",
                    f"mymaster observer start {HOST} {old} {HOST} {new}"}
        wait_until(lambda: len([l for l in read_lines(os.path.join(d, "reconf.log"))
                                if l in expected]) == 3,
                   timeout=20, message="the reconfig script ran on every sentinel")
        lines = read_lines(os.path.join(d, "reconf.log"))
        self.assertEqual(sum(1 for l in lines if " leader " in l), 1, lines)

    def test_python_client_follows_failover(self):
        t = self.topology()
        t.wait_discovery()
        sentinel = redis.sentinel.Sentinel([(HOST, s.port) for s in t.sentinels],
                                           socket_timeout=0.5)
        master = sentinel.master_for("mymaster", socket_timeout=0.5, retry_on_timeout=False)
        acked = []
        errors = []
        stop = threading.Event()

        def writer():
            i = 0
            while not stop.is_set() and i < 100000:
                i += 1
                try:
                    master.set(f"k{i}", i)
                    acked.append((time.monotonic(), i))
                except (redis.ConnectionError, redis.TimeoutError, redis.ReadOnlyError,
                        redis.sentinel.MasterNotFoundError) as e:
                    errors.append((time.monotonic(), repr(e)))
                    time.sleep(0.05)
        th = threading.Thread(target=writer)
        th.start()
        try:
            wait_until(lambda: len(acked) > 50, timeout=10, message="writes before the kill")
            old = t.master.port
            t.master.proc.kill()
            t.master.proc.wait()
            new = t.wait_new_master(old)
            n = len(acked)
            wait_until(lambda: len(acked) > n + 50, timeout=20,
                       message="writes succeed again after the failover")
        finally:
            stop.set()
            th.join(timeout=30)
        self.assertTrue(errors, "the kill must have caused some errors")
        window = errors[-1][0] - errors[0][0]
        self.assertLess(window, 15, f"errors for {window:.1f}s")
        self.assertEqual(sentinel.discover_master("mymaster"), (HOST, new))


for _kind in SERVERS:
    globals()[f"SentinelWith{_kind.capitalize()}Servers"] = type(
        f"SentinelWith{_kind.capitalize()}Servers", (SentinelScenarios, unittest.TestCase),
        {"server_kind": _kind})
del _kind

if __name__ == "__main__":
    unittest.main()
