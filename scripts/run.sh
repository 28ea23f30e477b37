#!/usr/bin/env bash
# Builds Vigil and runs the local demo topology on 127.0.0.1 until Ctrl-C: one vigil-server
# master and two vigil-server replicas of it. (The sentinels join with their issue.)
set -euo pipefail
cd "$(dirname "$0")/.."
port="${VIGIL_PORT:-6380}"
replica1=$((port + 1))
replica2=$((port + 2))

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release

server=build/release/server/vigil-server
pids=()
stop() {
    trap - INT TERM EXIT
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
}
trap stop INT TERM EXIT

start() {  # start <port> [args...]
    local p="$1"
    shift
    local dir=.demo/server-$p
    mkdir -p "$dir"
    "$server" --bind 127.0.0.1 --port "$p" --dir "$dir" --logfile server.log \
        --repl-diskless-sync-delay 0 "$@" &
    pids+=($!)
}

start "$port"
start "$replica1" --replicaof 127.0.0.1 "$port"
start "$replica2" --replicaof 127.0.0.1 "$port"

# Wait (bounded) until both replicas report their link to the master up.
for _ in $(seq 1 100); do
    up=0
    for p in "$replica1" "$replica2"; do
        if redis-cli -p "$p" info replication 2>/dev/null | grep -q "master_link_status:up"; then
            up=$((up + 1))
        fi
    done
    [ "$up" -eq 2 ] && break
    sleep 0.1
done

cat <<MSG

Vigil demo topology on 127.0.0.1 (data and logs in .demo/server-<port>/):

    master   127.0.0.1:$port
    replica  127.0.0.1:$replica1   (replicaof 127.0.0.1 $port)
    replica  127.0.0.1:$replica2   (replicaof 127.0.0.1 $port)

Try:

    redis-cli -p $port set greeting hello
    redis-cli -p $replica1 get greeting
    redis-cli -p $port info replication
    redis-cli -p $replica2 role

Press Ctrl-C to stop all three.

MSG
wait
