#!/usr/bin/python3
"""vigil-server against redis-server, measured in the same run.

Runs redis-benchmark (default test set, -c 50) against both servers alternately, several rounds,
at -P 1 and -P 16, and prints the median requests/s and p50 latency of each and the ratio
vigil/redis per test. Then measures memory (RSS and used_memory) after DEBUG POPULATE 1000000.

    bench/server_bench.py [--rounds 3] [--requests 100000] [--json out.json] [--markdown]

It is a measurement, not a test: it never fails on a slow result. Only 127.0.0.1 is used.
"""

import argparse
import csv
import io
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_VIGIL = os.path.join(ROOT, "build", "release", "server", "vigil-server")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(port, *args):
    return subprocess.run(["redis-cli", "-p", str(port)] + list(args), capture_output=True,
                          text=True, timeout=600).stdout


class Server:
    def __init__(self, name, binary, extra):
        self.name = name
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix=f"bench-{name}-")
        cmd = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
               "--save", ""] + extra
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if cli(self.port, "ping").strip() == "PONG":
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{name} did not start: {' '.join(cmd)}")

    def rss(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def info_field(self, field):
        for line in cli(self.port, "info", "memory").splitlines():
            if line.startswith(field + ":"):
                return int(line.split(":", 1)[1])
        return 0

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def run_benchmark(port, pipeline, requests, tests=None):
    cmd = ["redis-benchmark", "-p", str(port), "-c", "50", "-n", str(requests),
           "-P", str(pipeline), "--csv"]
    if tests:
        cmd += ["-t", tests]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800).stdout
    results = {}
    for row in csv.reader(io.StringIO(out)):
        if not row or row[0] == "test":
            continue
        results[row[0]] = {"rps": float(row[1]), "p50": float(row[4])}
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vigil", default=DEFAULT_VIGIL)
    ap.add_argument("--redis", default=shutil.which("redis-server") or "/usr/bin/redis-server")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=100000)
    ap.add_argument("--populate", type=int, default=1000000)
    ap.add_argument("--tests", help="redis-benchmark -t list (default: its default test set)")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--markdown", action="store_true", help="print a table for docs/")
    args = ap.parse_args()

    servers = {
        "redis": Server("redis", args.redis, ["--appendonly", "no", "--enable-debug-command", "yes"]),
        "vigil": Server("vigil", args.vigil, ["--enable-debug-command", "yes"]),
    }
    samples = {}  # (pipeline, test, server) -> [ {rps, p50} ]
    try:
        for pipeline in (1, 16):
            for rnd in range(args.rounds):
                order = ["redis", "vigil"] if rnd % 2 == 0 else ["vigil", "redis"]
                for name in order:
                    cli(servers[name].port, "flushall")
                    res = run_benchmark(servers[name].port, pipeline, args.requests, args.tests)
                    for test, r in res.items():
                        samples.setdefault((pipeline, test, name), []).append(r)
                    print(f"  -P {pipeline} round {rnd + 1} {name}: {len(res)} tests",
                          file=sys.stderr)
        memory = {}
        for name, s in servers.items():
            cli(s.port, "flushall")
            cli(s.port, "debug", "populate", str(args.populate))
            memory[name] = {"rss": s.rss(), "used_memory": s.info_field("used_memory"),
                            "keys": int(cli(s.port, "dbsize").strip() or 0)}
    finally:
        for s in servers.values():
            s.stop()

    rows = []
    tests = sorted({(p, t) for (p, t, _) in samples}, key=lambda x: (x[0], x[1]))
    for pipeline, test in tests:
        r = samples.get((pipeline, test, "redis"), [])
        v = samples.get((pipeline, test, "vigil"), [])
        if not r or not v:
            continue
        r_rps = statistics.median(x["rps"] for x in r)
        v_rps = statistics.median(x["rps"] for x in v)
        rows.append({"pipeline": pipeline, "test": test, "redis_rps": r_rps, "vigil_rps": v_rps,
                     "ratio": v_rps / r_rps if r_rps else 0,
                     "redis_p50": statistics.median(x["p50"] for x in r),
                     "vigil_p50": statistics.median(x["p50"] for x in v)})

    machine = f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, " \
              f"{platform.platform()}"
    print(f"\nvigil-server vs redis-server, redis-benchmark -c 50 -n {args.requests}, "
          f"median of {args.rounds} alternating rounds\nmachine: {machine}\n")
    print("| -P | test | redis rps | vigil rps | vigil/redis | redis p50 ms | vigil p50 ms |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['pipeline']} | {row['test']} | {row['redis_rps']:.0f} | "
              f"{row['vigil_rps']:.0f} | {row['ratio']:.2f} | {row['redis_p50']:.3f} | "
              f"{row['vigil_p50']:.3f} |")
    r, v = memory["redis"], memory["vigil"]
    print(f"\nMemory after DEBUG POPULATE {args.populate}:")
    print("| server | keys | RSS MiB | used_memory MiB |")
    print("|---|---:|---:|---:|")
    for name in ("redis", "vigil"):
        m = memory[name]
        print(f"| {name} | {m['keys']} | {m['rss'] / 2**20:.1f} | {m['used_memory'] / 2**20:.1f} |")
    if r["rss"]:
        print(f"\nRSS vigil/redis: {v['rss'] / r['rss']:.2f}   "
              f"used_memory vigil/redis: {v['used_memory'] / max(r['used_memory'], 1):.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": machine, "rows": rows, "memory": memory}, f, indent=2)


if __name__ == "__main__":
    main()
