"""Redis's limits and security over real sockets: maxclients, timeout, proto-max-bulk-len,
client-query-buffer-limit, client-output-buffer-limit, maxmemory and ACL users."""

import socket
import time
import unittest

import redis

from harness import ServerProcess, wait_until


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    return s


def read_all(sock, deadline=5.0):
    """Reads until the peer closes or the deadline passes; returns (data, closed)."""
    sock.settimeout(0.2)
    data = b""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk
    return data, False


class LimitsTest(unittest.TestCase):
    def start(self, *args, password=None):
        server = ServerProcess("vigil", args=list(args), password=password)
        self.addCleanup(server.cleanup)
        self.addCleanup(server.stop)
        return server

    def test_maxclients(self):
        server = self.start("--maxclients", "2")
        a = connect(server.port)
        b = connect(server.port)
        for s in (a, b):
            s.sendall(b"PING\r\n")
            self.assertEqual(s.recv(100), b"+PONG\r\n")
        c = connect(server.port)
        data, closed = read_all(c)
        self.assertEqual(data, b"-ERR max number of clients reached\r\n")
        self.assertTrue(closed)
        for s in (a, b, c):
            s.close()

    def test_idle_timeout_closes_clients(self):
        server = self.start("--timeout", "1")
        s = connect(server.port)
        s.sendall(b"PING\r\n")
        self.assertEqual(s.recv(100), b"+PONG\r\n")
        data, closed = read_all(s, deadline=6)
        self.assertTrue(closed, "an idle client was not closed after timeout")
        s.close()

    def test_proto_max_bulk_len(self):
        server = self.start("--proto-max-bulk-len", "1mb")
        s = connect(server.port)
        s.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n")
        data, closed = read_all(s)
        self.assertEqual(data, b"-ERR Protocol error: invalid bulk length\r\n")
        self.assertTrue(closed)
        s.close()
        self.assertTrue(server.client().ping())

    def test_client_query_buffer_limit(self):
        server = self.start("--client-query-buffer-limit", "1mb")
        s = connect(server.port)
        # One unfinished request bigger than the limit: the server closes the connection.
        s.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n")
        try:
            s.sendall(b"x" * 2_000_000)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data, closed = read_all(s)
        self.assertTrue(closed)
        s.close()
        self.assertTrue(server.client().ping())

    def test_pubsub_output_buffer_limit(self):
        server = self.start("--client-output-buffer-limit", "pubsub 256kb 0 0")
        sub = connect(server.port)
        sub.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sub.sendall(b"SUBSCRIBE news\r\n")
        r = server.client()
        wait_until(lambda: r.pubsub_numsub("news")[0][1] == 1, message="subscriber")
        payload = "x" * 10000
        # The subscriber never reads: its output grows until the hard limit closes it.
        wait_until(lambda: r.publish("news", payload) == 0, timeout=20, interval=0,
                   message="the slow subscriber to be disconnected")
        clients = r.client_list()
        self.assertEqual([c for c in clients if int(c.get("sub", 0)) > 0], [])
        sub.close()

    def test_maxmemory_oom(self):
        server = self.start()
        r = server.client()
        pipe = r.pipeline(transaction=False)
        for i in range(20000):
            pipe.set(f"key:{i}", "v" * 100)
        pipe.execute()
        used = int(r.info("memory")["used_memory"])
        r.config_set("maxmemory", str(used // 2))
        with self.assertRaises(redis.exceptions.ResponseError) as ctx:
            r.set("another", "value")
        self.assertIn("command not allowed when used memory > 'maxmemory'", str(ctx.exception))
        self.assertEqual(r.get("key:1"), b"v" * 100)
        r.config_set("maxmemory-policy", "allkeys-lru")
        self.assertTrue(r.set("another", "value"))
        self.assertLess(r.dbsize(), 20001)
        self.assertGreater(int(r.info("stats")["evicted_keys"]), 0)
        info = r.info("memory")
        self.assertLessEqual(int(info["used_memory"]), used // 2 + 100000)

    def test_acl_user_over_the_wire(self):
        server = self.start("--requirepass", "topsecret", password="topsecret")
        admin = server.client()
        admin.execute_command("ACL", "SETUSER", "app", "on", ">apppw", "~app:*", "+@all",
                              "-flushall")
        app = server.client(username="app", password="apppw")
        self.assertTrue(app.set("app:1", "x"))
        with self.assertRaises(redis.exceptions.NoPermissionError):
            app.set("other", "x")
        with self.assertRaises(redis.exceptions.NoPermissionError):
            app.flushall()
        with self.assertRaises(redis.exceptions.ResponseError) as ctx:
            server.client(username="app", password="wrong").ping()
        self.assertIn("WRONGPASS", str(ctx.exception))
        with self.assertRaises(redis.exceptions.AuthenticationError):
            server.client(password=None).get("x")
        self.assertEqual(app.acl_whoami(), "app")


if __name__ == "__main__":
    unittest.main()
