#!/usr/bin/env bash
# Builds Vigil and runs the local demo topology on 127.0.0.1 until Ctrl-C.
# For now: one vigil-server (replication and the sentinel come with their issues).
set -euo pipefail
cd "$(dirname "$0")/.."
port="${VIGIL_PORT:-6380}"

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release

workdir=.demo/server-$port
mkdir -p "$workdir"
cat <<MSG

vigil-server is starting on 127.0.0.1:$port (data in $workdir). Connect with:

    redis-cli -p $port
    redis-cli -p $port info server

Press Ctrl-C to stop it.

MSG
exec build/release/server/vigil-server --bind 127.0.0.1 --port "$port" --dir "$workdir"
