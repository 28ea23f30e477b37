"""vigil-sentinel and redis-sentinel 7.0 in one quorum, on 127.0.0.1.

Two mixes watch one master with two replicas (quorum 2, down-after 1000, failover-timeout 6000):
two vigil-sentinels + one redis-sentinel, and one vigil-sentinel + two redis-sentinels. In each
mix the sentinels must discover each other (right ports and run ids), agree on ODOWN when the
master is killed with SIGKILL, elect one leader whatever its kind, and complete the failover:
every sentinel names the same new master, which reports role master, with the other replica
following it and one config epoch everywhere. A manual SENTINEL FAILOVER is issued to a
redis-sentinel (a redis leader, vigil observers) and to a vigil-sentinel (a vigil leader, redis
observers). After the failover each kind's rewritten sentinel.conf is loaded by the other kind.

The monitored servers come from VIGIL_SENTINEL_SERVERS (default "vigil,redis"), as in
test_sentinel.py."""

import re
import unittest

from harness import SentinelProcess, wait_until
from test_sentinel import HOST, SERVERS, Topology, replica_of, role

TWO_VIGIL_ONE_REDIS = ("vigil", "vigil", "redis")
ONE_VIGIL_TWO_REDIS = ("vigil", "redis", "redis")


def log_events(sentinel, event):
    """Payloads of the `<event> <payload>` lines of a sentinel's log. vigil-sentinel and
    redis-sentinel both write `<pid>:X <date> <time> <level-char> <event> <payload>`."""
    pattern = re.compile(r"^.*? [#*.-] " + re.escape(event) + r"(?: (.*))?$", re.MULTILINE)
    return [m.group(1) or "" for m in pattern.finditer(sentinel.read_log())]


def describe_all(t):
    return t.logs() + "\n" + "\n".join(
        f"--- {s.kind}-sentinel {s.port} sentinel.conf\n{s.read_conf()}" for s in t.sentinels)


class InteropScenarios:
    server_kind = "vigil"

    def topology(self, kinds, **kw):
        t = Topology(self.server_kind, sentinel_kinds=list(kinds), **kw)
        self.addCleanup(t.close)
        return t

    # ---- checks shared by the scenarios ----

    def assert_mutual_discovery(self, t):
        """Every sentinel lists each other one, at its port, with its run id (SENTINEL MYID)."""
        ids = {s.port: s.call("SENTINEL", "MYID") for s in t.sentinels}
        for runid in ids.values():
            self.assertRegex(runid, r"^[0-9a-f]{40}$")
        self.assertEqual(len(set(ids.values())), len(t.sentinels), "run ids must differ")

        def seen(s):
            return {(e["ip"], int(e["port"]), e["runid"])
                    for e in s.client(socket_timeout=2).sentinel_sentinels("mymaster")}

        def expected(s):
            return {(HOST, o.port, ids[o.port]) for o in t.sentinels if o is not s}

        try:
            wait_until(lambda: all(seen(s) == expected(s) for s in t.sentinels), timeout=30,
                       interval=0.2, message="every sentinel lists the other two")
        except AssertionError:
            for s in t.sentinels:
                self.assertEqual(seen(s), expected(s), f"{s.kind}-sentinel {s.port}\n"
                                 + describe_all(t))
            raise
        for s in t.sentinels:
            m = s.client().sentinel_master("mymaster")
            self.assertEqual(int(m["num-other-sentinels"]), 2, f"{s.kind}-sentinel {s.port}")
            self.assertEqual(int(m["num-slaves"]), 2, f"{s.kind}-sentinel {s.port}")
        return ids

    def assert_failover_done(self, t, old, new):
        """The new master is one of the replicas, reports role master, every other live server
        replicates from it, and every sentinel has the same config epoch and replica list."""
        self.assertIn(new, [r.port for r in t.replicas])
        self.assertEqual(role(t.server_on(new))[0], b"master")
        t.server_on(new).client().set("after-failover", "1")
        for s in t.servers:
            if s.port != new and s.proc.poll() is None:
                wait_until(lambda s=s: replica_of(s, new), timeout=40, interval=0.2,
                           message=f"server {s.port} replicates from the new master {new}")

        def epochs():
            return {int(s.client(socket_timeout=2).sentinel_master("mymaster")["config-epoch"])
                    for s in t.sentinels}
        wait_until(lambda: len(epochs()) == 1, timeout=10, interval=0.2,
                   message="one config epoch on every sentinel")
        (epoch,) = epochs()
        self.assertGreaterEqual(epoch, 1)
        # The replicas of the new master: the other replica and the old master's address.
        others = {r.port for r in t.replicas if r.port != new} | {old}
        for s in t.sentinels:
            wait_until(lambda s=s: {int(r["port"]) for r in
                                    s.client(socket_timeout=2).sentinel_slaves("mymaster")}
                       == others, timeout=15, interval=0.2,
                       message=f"{s.kind}-sentinel {s.port} lists the replicas of {new}")
        return epoch

    def assert_switch_logged(self, t, old, new):
        line = f"mymaster {HOST} {old} {HOST} {new}"
        for s in t.sentinels:
            wait_until(lambda s=s: line in log_events(s, "+switch-master"), timeout=10,
                       interval=0.2,
                       message=f"+switch-master {line} in the log of {s.kind}-sentinel {s.port}")

    def load_copy(self, source, kind, expect):
        """Starts a `kind` sentinel on a copy of `source`'s config file (its own port and
        directory) and checks it reports what the file says; stops it again."""
        text = source.read_conf()
        copy = SentinelProcess(kind, start=False)
        self.addCleanup(copy.cleanup)
        text, n = re.subn(r"(?m)^port \d+$", f"port {copy.port}", text)
        self.assertEqual(n, 1, f"one port line in\n{source.read_conf()}")
        text = re.sub(r"(?m)^dir .*$", f'dir "{copy.dir}"', text)
        with open(copy.conf, "w") as f:
            f.write(text)
        copy.start()
        try:
            what = f"{kind}-sentinel on the file of a {source.kind}-sentinel:\n{text}"
            self.assertEqual(copy.master_addr(), (HOST, expect["master"]), what)
            self.assertEqual(copy.call("SENTINEL", "MYID"), expect["myid"], what)
            m = copy.client().sentinel_master("mymaster")
            self.assertEqual(int(m["config-epoch"]), expect["epoch"], what)
            self.assertEqual(int(m["quorum"]), 2, what)
            self.assertEqual(int(m["down-after-milliseconds"]), 1000, what)
            self.assertEqual(int(m["failover-timeout"]), 6000, what)
            runids = {e["runid"] for e in copy.client().sentinel_sentinels("mymaster")}
            self.assertEqual(runids, expect["sentinels"], what)
            replicas = {int(r["port"]) for r in copy.client().sentinel_slaves("mymaster")}
            self.assertEqual(replicas, expect["replicas"], what)
            info = copy.client().info("sentinel")
            self.assertGreaterEqual(int(info["sentinel_masters"]), 1)
        finally:
            copy.stop()
        self.assertNotIn("FATAL", copy.read_log())

    # ---- scenarios ----

    def kill_master_scenario(self, kinds):
        # Phase 1: both replicas start with replica-priority 0, so no failover can happen and
        # every sentinel has the time to reach ODOWN (with vigil's fast failover the leader may
        # otherwise finish before the others even see SDOWN). Each ODOWN needs the
        # is-master-down-by-addr answer of another sentinel: in both mixes a vigil-sentinel
        # and a redis-sentinel must count each other's answers.
        t = self.topology(kinds, replica_args=(("--replica-priority", "0"),
                                               ("--replica-priority", "0")))
        t.wait_discovery()
        ids = self.assert_mutual_discovery(t)
        old = t.master.port
        t.master.proc.kill()
        t.master.proc.wait()
        odown = re.compile(rf"^master mymaster {re.escape(HOST)} {old} #quorum [23]/2$")
        for s in t.sentinels:
            wait_until(lambda s=s: any(odown.match(p) for p in log_events(s, "+odown"))
                       and "o_down" in s.client(socket_timeout=2).sentinel_master(
                           "mymaster")["flags"],
                       timeout=15, interval=0.2,
                       message=f"+odown in the log of {s.kind}-sentinel {s.port}")
        # An attempt was made and aborted: no replica to promote (or, after a split vote, no
        # leader); the master stays where it was.
        wait_until(lambda: any(log_events(s, "-failover-abort-no-good-slave")
                               or log_events(s, "-failover-abort-not-elected")
                               for s in t.sentinels), timeout=20, interval=0.2,
                   message="a failover attempt aborted while the replicas have priority 0")
        for s in t.sentinels:
            self.assertEqual(s.master_addr(), (HOST, old))

        # Phase 2: the replicas become eligible; the next attempt (after the 2 x
        # failover-timeout back-off) promotes one, whichever kind of sentinel leads it.
        for r in t.replicas:
            r.client().config_set("replica-priority", "100")
        new = t.wait_new_master(old)
        leaders = [s for s in t.sentinels
                   if f"master mymaster {HOST} {old}" in log_events(s, "+elected-leader")]
        self.assertTrue(leaders, "some sentinel was elected leader\n" + describe_all(t))
        self.assert_switch_logged(t, old, new)
        epoch = self.assert_failover_done(t, old, new)

        # The state files after the failover move between the two kinds.
        for s in t.sentinels:
            wait_until(lambda s=s: f"sentinel monitor mymaster {HOST} {new} 2" in s.read_conf(),
                       timeout=10, interval=0.2,
                       message=f"the new master in the file of {s.kind}-sentinel {s.port}")
        for s in t.sentinels:
            s.stop()  # the copies take over their run ids: never two with one id at once
        others = {r.port for r in t.replicas if r.port != new} | {old}
        vigil = next(s for s in t.sentinels if s.kind == "vigil")
        redis_ = next(s for s in t.sentinels if s.kind == "redis")
        for source, kind in ((vigil, "redis"), (redis_, "vigil")):
            self.load_copy(source, kind, {
                "master": new, "myid": ids[source.port], "epoch": epoch, "replicas": others,
                "sentinels": {ids[o.port] for o in t.sentinels if o is not source}})
        return t, leaders

    def manual_failover_scenario(self, kinds, leader_kind):
        t = self.topology(kinds)
        t.wait_discovery()
        ids = self.assert_mutual_discovery(t)
        leader = next(s for s in t.sentinels if s.kind == leader_kind)
        observers = [s for s in t.sentinels if s is not leader]
        old = t.master.port
        self.assertEqual(leader.client().execute_command("SENTINEL", "FAILOVER", "mymaster"),
                         "OK")
        new = t.wait_new_master(old)
        master_desc = f"master mymaster {HOST} {old}"
        self.assertIn(master_desc, log_events(leader, "+elected-leader"), describe_all(t))
        self.assert_switch_logged(t, old, new)
        # The observers took the new configuration from the leader's hello.
        from_leader = f"sentinel {ids[leader.port]} {HOST} {leader.port} @ mymaster {HOST} {old}"
        for s in observers:
            wait_until(lambda s=s: from_leader in log_events(s, "+config-update-from"),
                       timeout=10, interval=0.2,
                       message=f"+config-update-from the leader in {s.kind}-sentinel {s.port}")
            self.assertEqual(log_events(s, "+elected-leader"), [], describe_all(t))
            self.assertEqual(log_events(s, "+try-failover"), [], describe_all(t))
        # The old master is alive: it is turned into a replica of the new one.
        self.assert_failover_done(t, old, new)

    def test_two_vigil_one_redis_kill_master(self):
        self.kill_master_scenario(TWO_VIGIL_ONE_REDIS)

    def test_one_vigil_two_redis_kill_master(self):
        self.kill_master_scenario(ONE_VIGIL_TWO_REDIS)

    def test_manual_failover_via_redis_sentinel_with_vigil_observers(self):
        self.manual_failover_scenario(TWO_VIGIL_ONE_REDIS, "redis")

    def test_manual_failover_via_vigil_sentinel_with_redis_observers(self):
        self.manual_failover_scenario(ONE_VIGIL_TWO_REDIS, "vigil")


for _kind in SERVERS:
    globals()[f"InteropWith{_kind.capitalize()}Servers"] = type(
        f"InteropWith{_kind.capitalize()}Servers", (InteropScenarios, unittest.TestCase),
        {"server_kind": _kind})
del _kind

if __name__ == "__main__":
    unittest.main()
