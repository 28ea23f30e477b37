#!/usr/bin/env bash
# Builds Vigil and runs the local demo topology on 127.0.0.1 until Ctrl-C: one vigil-server
# master, two vigil-server replicas of it, and three vigil-sentinels watching it as "mymaster".
set -euo pipefail
cd "$(dirname "$0")/.."
port="${VIGIL_PORT:-6380}"
replica1=$((port + 1))
replica2=$((port + 2))
sentinel_port="${VIGIL_SENTINEL_PORT:-26380}"

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release

server=build/release/server/vigil-server
sentinel=build/release/sentinel/vigil-sentinel
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

# Three sentinels, each with its own config file (it is also their state: rewritten as they
# learn). A fresh file each run, so an old run's failover does not point them elsewhere.
for i in 0 1 2; do
    p=$((sentinel_port + i))
    dir=.demo/sentinel-$p
    mkdir -p "$dir"
    cat >"$dir/sentinel.conf" <<CONF
port $p
bind 127.0.0.1
dir "$(pwd)/$dir"
logfile "sentinel.log"
sentinel monitor mymaster 127.0.0.1 $port 2
sentinel down-after-milliseconds mymaster 5000
sentinel failover-timeout mymaster 60000
CONF
    "$sentinel" "$dir/sentinel.conf" &
    pids+=($!)
done

# Wait (bounded) until every sentinel knows both replicas and the two other sentinels.
for _ in $(seq 1 150); do
    ready=0
    for i in 0 1 2; do
        p=$((sentinel_port + i))
        m=$(redis-cli -p "$p" sentinel master mymaster 2>/dev/null | tr '\n' ' ')
        if [[ "$m" == *"num-slaves 2 "* && "$m" == *"num-other-sentinels 2 "* ]]; then
            ready=$((ready + 1))
        fi
    done
    [ "$ready" -eq 3 ] && break
    sleep 0.2
done

cat <<MSG

Vigil demo topology on 127.0.0.1 (data and logs in .demo/<process>-<port>/):

    master    127.0.0.1:$port
    replica   127.0.0.1:$replica1   (replicaof 127.0.0.1 $port)
    replica   127.0.0.1:$replica2   (replicaof 127.0.0.1 $port)
    sentinels 127.0.0.1:$sentinel_port, $((sentinel_port + 1)), $((sentinel_port + 2))   (watching "mymaster", quorum 2)

Ask a sentinel where the master is, as client libraries do:

    redis-cli -p $sentinel_port sentinel get-master-addr-by-name mymaster

Try:

    redis-cli -p $port set greeting hello
    redis-cli -p $replica1 get greeting
    redis-cli -p $sentinel_port sentinel replicas mymaster
    redis-cli -p $sentinel_port sentinel failover mymaster     (then ask again where the master is)
    redis-cli -p $sentinel_port subscribe +switch-master       (in another terminal, to watch)

Press Ctrl-C to stop all six.

MSG
wait
