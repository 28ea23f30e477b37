"""vigil-server driven by redis-cli and Python's redis client over real sockets."""

import socket
import unittest

import redis

from harness import ServerProcess, wait_until


class ServerTest(unittest.TestCase):
    def setUp(self):
        self.server = ServerProcess("vigil", args=["--enable-debug-command", "yes"])
        self.r = self.server.client()

    def tearDown(self):
        self.r.close()
        self.server.stop()
        self.server.cleanup()

    def raw(self, payload, expect_close=False):
        """Sends raw bytes and returns what the server answered."""
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as s:
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR) if not expect_close else None
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            return data

    def test_basic_commands_through_python_client(self):
        self.assertTrue(self.r.set("k", "v"))
        self.assertEqual(self.r.get("k"), b"v")
        self.assertEqual(self.r.incr("n"), 1)
        self.assertEqual(self.r.mget("k", "n", "missing"), [b"v", b"1", None])
        with self.assertRaises(redis.ResponseError):
            self.r.execute_command("NOSUCHCOMMAND")

    def test_redis_cli(self):
        self.assertEqual(self.server.cli("set", "a", "hello").strip(), "OK")
        self.assertEqual(self.server.cli("get", "a").strip(), "hello")
        info = self.server.cli("info", "server")
        self.assertIn("redis_version:7.0.15", info)
        self.assertIn("vigil_version:", info)

    def test_pipelining(self):
        pipe = self.r.pipeline(transaction=False)
        for i in range(1000):
            pipe.set(f"key:{i}", i)
        pipe.execute()
        self.assertEqual(self.r.dbsize(), 1000)

    def test_inline_commands(self):
        out = self.raw(b"PING\r\nset x \"a b\"\r\nget x\r\n")
        self.assertEqual(out, b"+PONG\r\n+OK\r\n$3\r\na b\r\n")

    def test_protocol_error_closes_only_that_connection(self):
        out = self.raw(b"*1\r\n+PING\r\n", expect_close=True)
        self.assertEqual(out, b"-ERR Protocol error: expected '$', got '+'\r\n")
        self.assertTrue(self.r.ping())

    def test_transactions(self):
        pipe = self.r.pipeline(transaction=True)
        pipe.set("a", 1).incr("a")
        self.assertEqual(pipe.execute(), [True, 2])

    def test_pubsub(self):
        p = self.r.pubsub()
        p.subscribe("news")
        wait_until(lambda: p.get_message(timeout=0.1), message="subscribe confirmation")
        self.assertEqual(self.r.publish("news", "hello"), 1)
        msg = wait_until(lambda: p.get_message(timeout=0.1), message="message")
        self.assertEqual(msg["data"], b"hello")
        p.psubscribe("n*")
        wait_until(lambda: p.get_message(timeout=0.1), message="psubscribe confirmation")
        self.assertEqual(self.r.publish("news", "again"), 2)
        p.close()

    def test_resp3_hello(self):
        out = self.raw(b"HELLO 3\r\nGET missing\r\n")
        self.assertTrue(out.startswith(b"%7\r\n"))
        self.assertTrue(out.endswith(b"_\r\n"))

    def test_client_kill_by_type(self):
        other = self.server.client()
        p = other.pubsub()
        p.subscribe("c")
        wait_until(lambda: p.get_message(timeout=0.1), message="subscribe")
        killed = self.r.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
        self.assertEqual(killed, 1)
        p.close()
        other.close()

    def test_debug_populate_and_expiry(self):
        self.r.execute_command("DEBUG", "POPULATE", "1000")
        self.assertEqual(self.r.dbsize(), 1000)
        self.r.set("short", "v", px=50)
        wait_until(lambda: self.r.execute_command("DBSIZE") == 1000, timeout=5,
                   message="active expiry of 'short'")


if __name__ == "__main__":
    unittest.main()
