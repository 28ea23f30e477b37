"""Persistence: RDB files move between redis-server 7.0 and vigil-server in both directions for
every type and encoding, BGSAVE runs in the background, the save schedule and SHUTDOWN save,
MISCONF, and the AOF (Redis 7.0 multi-part layout) survives kill -9 and a torn tail."""

import os
import random
import shutil
import signal
import tempfile
import time
import unittest

from harness import ServerProcess, keyspace_dump, wait_until

DBS = (0, 1, 5, 15)
MISCONF = ("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
           "persist to disk. Commands that may modify the data set are disabled, because this "
           "instance is configured to report errors during writes if RDB snapshotting fails "
           "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about "
           "the RDB error.")


def populate(server):
    """Data of every type in small (listpack/intset) and large (hashtable/skiplist/quicklist)
    encodings, integers, binary values, expiries, in several databases."""
    rnd = random.Random(42)
    for db in DBS:
        c = server.client(db=db)
        p = c.pipeline(transaction=False)
        p.set("s:plain", f"hello-{db}")
        p.set("s:empty", "")
        for i, v in enumerate([0, -1, 127, -128, 32767, -32768, 2**31 - 1, -2**31, 2**63 - 1,
                               -2**63, 12345678901]):
            p.set(f"s:int:{i}", v)
        p.set("s:leading-zero", "007")
        p.set("s:binary", bytes(range(256)) * 3)
        p.set("s:compressible", "abc" * 5000)
        p.set("s:random", bytes(rnd.getrandbits(8) for _ in range(20000)))
        p.set("s:expiring", "v", ex=100000)
        p.rpush("l:small", "a", 1, -300, 100000, "", "xyz")
        p.rpush("l:big", *[(i * 7919 if i % 3 else f"elem-{i}") for i in range(20000)])
        p.rpush("l:hugeelem", "x" * 100000, "y")
        p.sadd("set:intset", 1, -5, 70000, 3000000000, -2**63)
        p.sadd("set:intset-big", *range(1000))
        p.sadd("set:strings", "a", "b", "c")
        p.sadd("set:big", *[f"member-{i}" for i in range(2000)])
        p.hset("h:small", mapping={"f1": "v1", "n": 42, "neg": -4097, "": "empty"})
        p.hset("h:big", mapping={f"field{i}": i for i in range(1000)})
        p.hset("h:longvalue", mapping={"k": "v" * 100})
        p.zadd("z:small", {"a": 1, "b": 2.5, "c": -3, "d": 0.1, "inf": float("inf"),
                           "-inf": float("-inf")})
        p.zadd("z:big", {f"m{i}": i * 1.25 - 100 for i in range(1000)})
        p.zadd("z:longmember", {"x" * 100: 1})
        p.set("s:expiring:hash-db", "v")
        p.expire("h:small", 50000)
        p.expire("l:big", 60000)
        p.expire("z:big", 70000)
        p.execute()


def digest(server):
    """Every key of every database: type, value and expiry."""
    return keyspace_dump(server)


def assert_same(test, a, b):
    test.assertEqual(sorted(a.keys()), sorted(b.keys()))
    for k in a:
        test.assertEqual(a[k], b[k], f"key {k}")


class PersistenceTest(unittest.TestCase):
    def setUp(self):
        self.servers = []
        self.dirs = []

    def tearDown(self):
        # Stop every server before removing any directory: several share one.
        for s in self.servers:
            if not s.log.closed:
                s.stop(check=False)
        for s in self.servers:
            s.cleanup()
        for d in self.dirs:
            shutil.rmtree(d, ignore_errors=True)

    def start(self, kind="vigil", args=(), workdir=None):
        if kind == "vigil":
            args = ("--loglevel", "notice") + tuple(args)
        s = ServerProcess(kind, args=args, workdir=workdir)
        self.servers.append(s)
        return s

    def tmpdir(self):
        d = tempfile.mkdtemp(prefix="vigil-persist-")
        self.dirs.append(d)
        return d

    # ---- RDB interoperability ----

    def test_redis_dump_loads_in_vigil_and_back(self):
        redis = self.start("redis")
        populate(redis)
        expected = digest(redis)
        self.assertTrue(redis.client().save())
        redis.stop()

        vdir = self.tmpdir()
        shutil.copy(os.path.join(redis.dir, "dump.rdb"), vdir)
        vigil = self.start("vigil", args=("--enable-debug-command", "yes"), workdir=vdir)
        assert_same(self, digest(vigil), expected)
        # DEBUG RELOAD: save and load back in place.
        self.assertTrue(vigil.client().execute_command("DEBUG", "RELOAD"))
        assert_same(self, digest(vigil), expected)
        self.assertTrue(vigil.client().save())
        vigil.stop()

        # vigil's dump loads in redis-server, which validates every listpack/intset deeply.
        rdir = self.tmpdir()
        shutil.copy(os.path.join(vdir, "dump.rdb"), rdir)
        redis2 = self.start("redis", args=("--sanitize-dump-payload", "yes"), workdir=rdir)
        assert_same(self, digest(redis2), expected)
        info = redis2.client().info("keyspace")
        self.assertEqual(set(info.keys()), {f"db{d}" for d in DBS})

    def test_vigil_dump_loads_in_redis(self):
        vigil = self.start("vigil")
        populate(vigil)
        expected = digest(vigil)
        self.assertTrue(vigil.client().save())
        for rdbcompression in ("yes", "no"):
            vigil.client().config_set("rdbcompression", rdbcompression)
            self.assertTrue(vigil.client().save())
            rdir = self.tmpdir()
            shutil.copy(os.path.join(vigil.dir, "dump.rdb"), rdir)
            redis = self.start("redis", args=("--sanitize-dump-payload", "yes"), workdir=rdir)
            assert_same(self, digest(redis), expected)
            # Encodings as Redis would have them.
            r = redis.client()
            self.assertEqual(r.object("encoding", "h:small"), b"listpack")
            self.assertEqual(r.object("encoding", "h:big"), b"hashtable")
            self.assertEqual(r.object("encoding", "set:intset"), b"intset")
            self.assertEqual(r.object("encoding", "z:small"), b"listpack")
            self.assertEqual(r.object("encoding", "z:big"), b"skiplist")
            self.assertEqual(r.object("encoding", "l:big"), b"quicklist")

    def test_expired_keys_are_skipped_on_load(self):
        vigil = self.start("vigil")
        c = vigil.client()
        c.set("short", "v", px=300)
        c.set("long", "v", ex=1000)
        self.assertTrue(c.save())
        vigil.stop()
        time.sleep(0.4)  # let "short" expire on the clock (not waiting on a server)
        vigil2 = self.start("vigil", workdir=vigil.dir)
        self.assertEqual(vigil2.client().keys("*"), [b"long"])
        self.assertIn("keys expired: 1", vigil2.read_log())

    # ---- BGSAVE, schedule, SHUTDOWN, MISCONF ----

    def test_bgsave_does_not_block_clients(self):
        vigil = self.start("vigil", args=("--enable-debug-command", "yes"))
        c = vigil.client(socket_timeout=120)  # SAVE of 300k keys is slow under sanitizers
        # Sanitizer builds are ~20x slower: a smaller dataset still gives a multi-second BGSAVE.
        keys = 30000 if os.environ.get("VIGIL_SANITIZED") else 300000
        c.execute_command("DEBUG", "POPULATE", keys, "key", 300)
        t0 = time.monotonic()
        self.assertTrue(c.save())
        save_time = time.monotonic() - t0
        t0 = time.monotonic()
        self.assertEqual(c.bgsave(), True)
        bgsave_reply_time = time.monotonic() - t0
        # While the child writes, other clients get answers.
        other = vigil.client()
        answered = 0
        max_latency = 0.0
        while other.info("persistence")["rdb_bgsave_in_progress"] == 1:
            t = time.monotonic()
            other.set("during", answered)
            max_latency = max(max_latency, time.monotonic() - t)
            answered += 1
            self.assertLess(time.monotonic() - t0, 60)
        self.assertLess(bgsave_reply_time, max(0.5, save_time / 2))
        self.assertLess(max_latency, 0.5)
        self.assertTrue(c.bgsave())
        with self.assertRaisesRegex(Exception, "Background save already in progress"):
            c.bgsave()
        wait_until(lambda: c.info("persistence")["rdb_bgsave_in_progress"] == 0, timeout=60)
        info = c.info("persistence")
        self.assertEqual(info["rdb_last_bgsave_status"], "ok")
        wait_until(lambda: "Background saving terminated with success" in vigil.read_log(),
                   timeout=10, message="the parent's log line")

    def test_save_schedule_and_lastsave(self):
        vigil = self.start("vigil", args=("--save", "1", "1"))
        c = vigil.client()
        before = c.lastsave()
        c.set("a", 1)
        wait_until(lambda: c.lastsave() != before and
                   c.info("persistence")["rdb_changes_since_last_save"] == 0,
                   timeout=10, message="a scheduled save")
        self.assertTrue(os.path.exists(os.path.join(vigil.dir, "dump.rdb")))
        self.assertIn("1 changes in 1 seconds. Saving...", vigil.read_log())

    def test_shutdown_saves_when_save_points_are_configured(self):
        vigil = self.start("vigil", args=("--save", "3600", "1"))
        vigil.client().set("kept", "yes")
        vigil.stop()  # SIGTERM: saves because save points exist
        vigil2 = self.start("vigil", workdir=vigil.dir)
        self.assertEqual(vigil2.client().get("kept"), b"yes")
        vigil2.client().set("lost", "no")
        try:
            vigil2.client().shutdown(nosave=True)
        except Exception:  # noqa: BLE001 - the connection closes
            pass
        vigil2.proc.wait(timeout=10)
        vigil3 = self.start("vigil", workdir=vigil.dir)
        self.assertIsNone(vigil3.client().get("lost"))

    def test_misconf_after_failed_bgsave_matches_redis(self):
        errors = {}
        for kind in ("redis", "vigil"):
            base = self.tmpdir()
            sub = os.path.join(base, "sub")
            os.mkdir(sub)
            s = self.start(kind, args=("--save", "3600", "1"), workdir=sub)
            c = s.client()
            if kind == "redis":
                c.config_set("save", "3600 1")
            shutil.rmtree(sub)
            c.bgsave()
            wait_until(lambda: c.info("persistence")["rdb_last_bgsave_status"] == "err",
                       timeout=10, message="a failed bgsave")
            with self.assertRaises(Exception) as cm:
                c.set("a", 1)
            errors[kind] = str(cm.exception)
            self.assertEqual(c.get("a"), None)  # reads still work
            if kind == "vigil":
                # Once saving works again, writes are accepted. (redis-server chdir()ed into
                # the removed directory, so it cannot recover this way.)
                os.mkdir(sub)
                self.assertTrue(c.save())
                self.assertTrue(c.set("a", 1))
            c.config_set("save", "")  # so that SIGTERM does not try a final save
        self.assertEqual(errors["vigil"], errors["redis"])
        self.assertIn(MISCONF, errors["vigil"])

    # ---- AOF ----

    def aof_data(self, server):
        c = server.client()
        c.set("a", 1)
        c.incr("counter")
        c.incr("counter")
        c.rpush("list", "x", "y", "z")
        c.hset("hash", mapping={"f": "v", "g": "w"})
        c.sadd("set", 1, 2, 3)
        c.zadd("zset", {"m": 1.5})
        c.set("ttl", "v", ex=1000)
        server.client(db=3).set("in-db3", "yes")
        with c.pipeline(transaction=True) as p:
            p.set("tx1", 1)
            p.set("tx2", 2)
            p.execute()

    def test_aof_survives_kill_9(self):
        for fsync in ("always", "everysec", "no"):
            vigil = self.start("vigil", args=("--appendonly", "yes", "--appendfsync", fsync))
            self.aof_data(vigil)
            expected = digest(vigil)
            vigil.proc.send_signal(signal.SIGKILL)
            vigil.proc.wait(timeout=10)
            vigil.stop(check=False)
            manifest = os.path.join(vigil.dir, "appendonlydir", "appendonly.aof.manifest")
            with open(manifest) as f:
                self.assertEqual(f.read(), "file appendonly.aof.1.base.rdb seq 1 type b\n"
                                           "file appendonly.aof.1.incr.aof seq 1 type i\n")
            vigil2 = self.start("vigil", args=("--appendonly", "yes"), workdir=vigil.dir)
            assert_same(self, digest(vigil2), expected)
            self.assertEqual(vigil2.client().info("persistence")["aof_enabled"], 1)

    def test_aof_truncated_tail(self):
        vigil = self.start("vigil", args=("--appendonly", "yes"))
        vigil.client().set("a", 1)
        vigil.client().set("b", 2)
        vigil.proc.send_signal(signal.SIGKILL)
        vigil.proc.wait(timeout=10)
        vigil.stop(check=False)
        incr = os.path.join(vigil.dir, "appendonlydir", "appendonly.aof.1.incr.aof")
        good_size = os.path.getsize(incr)
        with open(incr, "ab") as f:
            f.write(b"*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1")

        with self.assertRaises(AssertionError) as cm:
            self.start("vigil", args=("--appendonly", "yes", "--aof-load-truncated", "no"),
                       workdir=vigil.dir)
        self.assertIn("Unexpected end of file", str(cm.exception))

        vigil2 = self.start("vigil", args=("--appendonly", "yes"), workdir=vigil.dir)
        c = vigil2.client()
        self.assertEqual(c.mget("a", "b", "c"), [b"1", b"2", None])
        self.assertIn("Truncating the AOF", vigil2.read_log())
        self.assertEqual(os.path.getsize(incr), good_size)

    def test_aof_rewrite_and_redis_interop(self):
        # redis-server's AOF directory (base + incr) loads in vigil-server...
        redis = self.start("redis", args=("--appendonly", "yes"))
        self.aof_data(redis)
        r = redis.client()
        r.bgrewriteaof()
        wait_until(lambda: r.info("persistence")["aof_rewrite_in_progress"] == 0 and
                   r.info("persistence")["aof_rewrites"] == 1, timeout=20)
        r.set("after-rewrite", "yes")
        expected = digest(redis)
        redis.stop()
        vdir = self.tmpdir()
        shutil.copytree(os.path.join(redis.dir, "appendonlydir"),
                        os.path.join(vdir, "appendonlydir"))
        vigil = self.start("vigil", args=("--appendonly", "yes"), workdir=vdir)
        assert_same(self, digest(vigil), expected)

        # ... vigil rewrites it and keeps appending ...
        v = vigil.client()
        self.assertEqual(v.bgrewriteaof(), True)
        v.set("after-vigil-rewrite", "yes")
        wait_until(lambda: v.info("persistence")["aof_rewrite_in_progress"] == 0 and
                   v.info("persistence")["aof_rewrites"] == 1, timeout=20)
        expected = digest(vigil)
        with open(os.path.join(vdir, "appendonlydir", "appendonly.aof.manifest")) as f:
            manifest = f.read()
        self.assertIn("appendonly.aof.3.base.rdb seq 3 type b", manifest)
        vigil.stop()

        # ... and redis-server loads vigil's directory.
        rdir = self.tmpdir()
        shutil.copytree(os.path.join(vdir, "appendonlydir"), os.path.join(rdir, "appendonlydir"))
        redis2 = self.start("redis", args=("--appendonly", "yes"), workdir=rdir)
        assert_same(self, digest(redis2), expected)


if __name__ == "__main__":
    unittest.main()
