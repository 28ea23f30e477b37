#!/usr/bin/env bash
# shellcheck disable=SC2016  # the single-quoted scripts run in a container, $ is theirs
# compose/smoke.sh [--system vigil|redis]
#
# The smoke test of the drill topology: starts dockerd when none answers, builds the image
# (compose/build-images.sh, which does nothing when it is up to date), brings
# docker-compose.yml up as project "vigil-smoke", waits until all three sentinels see the master
# with 2 replicas and 2 other sentinels, kills the master container and waits until all three
# sentinels report the same new master, which must take writes and still have a write
# acknowledged before the kill, with the other replica following it. Prints the timings, then
# removes the containers, the network and the volumes (always: trap), keeping the images.
#
# Every wait is bounded (SMOKE_READY_TIMEOUT, SMOKE_FAILOVER_TIMEOUT seconds; 90 and 60).
# Environment: COMPOSE (the compose command; default docker-compose, else `docker compose`),
# SMOKE_PROJECT (default vigil-smoke), VIGIL_IMAGE_TAG / REDIS_IMAGE_TAG (as build-images.sh).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
system=vigil
while [ $# -gt 0 ]; do
    case "$1" in
        --system) system="${2:-}"; shift 2 ;;
        --system=*) system="${1#--system=}"; shift ;;
        -h|--help) sed -n '3,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "smoke.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done
case "$system" in
    vigil) image=${VIGIL_IMAGE_TAG:-vigil:local} ;;
    redis) image=${REDIS_IMAGE_TAG:-redis:local} ;;
    *) echo "smoke.sh: --system must be vigil or redis" >&2; exit 2 ;;
esac
project=${SMOKE_PROJECT:-vigil-smoke}
ready_timeout=${SMOKE_READY_TIMEOUT:-90}
failover_timeout=${SMOKE_FAILOVER_TIMEOUT:-60}

say() { echo "smoke($system): $*"; }
fail() {
    echo "smoke($system): FAIL: $*" >&2
    exit 1
}

# --- the engine, the image, the compose command --------------------------------------------------

"$here/ensure-docker.sh" || fail "no Docker engine answers 'docker info'"

if [ -n "${COMPOSE:-}" ]; then
    read -r -a compose <<<"$COMPOSE"
elif command -v docker-compose >/dev/null 2>&1; then
    compose=(docker-compose)
elif docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
else
    fail "neither docker-compose nor 'docker compose' is installed"
fi
compose+=(-f "$here/docker-compose.yml" -p "$project")
export VIGIL_IMAGE=$image

"$here/build-images.sh" --system "$system"

dc() { timeout 300 "${compose[@]}" "$@"; }
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ "$rc" -ne 0 ]; then
        echo "--- last log lines of the topology ---" >&2
        timeout 60 "${compose[@]}" logs --no-color --tail 40 >&2 2>&1 || true
    fi
    timeout 180 "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 ||
        echo "smoke($system): warning: docker-compose down failed" >&2
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Seconds since boot with 10 ms resolution, from the kernel all the containers share (their
# busybox `date` has no sub-second format).
now() { cut -d' ' -f1 /proc/uptime; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# --- up ------------------------------------------------------------------------------------------

dc down -v --remove-orphans >/dev/null 2>&1 || true  # what an interrupted run left
t_up=$(now)
dc up -d >/dev/null 2>&1 || { dc up -d || true; fail "docker-compose up failed"; }
cid() { dc ps -q "$1"; }
sentinel1=$(cid sentinel1)
[ -n "$sentinel1" ] || fail "no sentinel1 container"
internal=$(docker network inspect -f '{{ .Internal }}' "$(docker inspect -f \
    '{{ range $k, $v := .NetworkSettings.Networks }}{{ $k }}{{ end }}' "$sentinel1")")
[ "$internal" = true ] || fail "the drill network is not internal"

# in_net SCRIPT [ARGS]: a busybox sh script run inside sentinel1, on the drill network.
in_net() {
    local script=$1
    shift
    timeout $((failover_timeout + ready_timeout)) docker exec "$sentinel1" sh -c "$script" sh "$@"
}

# Shared by the scripts below: `field NAME` reads one field of a SENTINEL MASTER reply (pairs of
# lines) on standard input.
lib='
field() { awk -v k="$1" "NR % 2 == 1 { key = \$0; next } key == k { print; exit }"; }
uptime() { cut -d" " -f1 /proc/uptime; }
'

# Ready: every sentinel sees the master by name with 2 replicas and 2 other sentinels, and the
# master has both replicas connected.
ready=$(in_net "$lib"'
deadline=$(( $(date +%s) + $1 ))
while :; do
    ok=0
    for s in sentinel1 sentinel2 sentinel3; do
        m=$(redis-cli -h $s -p 26379 sentinel master mymaster 2>/dev/null) || continue
        [ "$(echo "$m" | field ip)" = master ] || continue
        [ "$(echo "$m" | field flags)" = master ] || continue
        [ "$(echo "$m" | field num-slaves)" = 2 ] || continue
        [ "$(echo "$m" | field num-other-sentinels)" = 2 ] || continue
        ok=$((ok + 1))
    done
    if [ $ok -eq 3 ] && redis-cli -h master info replication 2>/dev/null |
            grep -q "^connected_slaves:2"; then
        uptime
        exit 0
    fi
    [ "$(date +%s)" -lt "$deadline" ] || exit 1
    sleep 0.1
done' "$ready_timeout") || fail "the topology was not ready within ${ready_timeout}s"
say "topology up and ready in $(elapsed "$t_up" "$ready")s: 3 sentinels see master with 2 replicas and 2 other sentinels ($image)"

# A write acknowledged by the master and both replicas before the kill.
acked=$(in_net 'redis-cli -h master set smoke:before acked >/dev/null &&
    redis-cli -h master wait 2 5000')
[ "$acked" = 2 ] || fail "WAIT 2 before the kill answered '$acked'"

# --- kill the master -----------------------------------------------------------------------------

docker kill "$(cid master)" >/dev/null
t_kill=$(now)
say "killed the master container"

# Wait until the three sentinels name the same new master.
result=$(in_net "$lib"'
deadline=$(( $(date +%s) + $1 ))
while :; do
    a=$(redis-cli -h sentinel1 -p 26379 sentinel get-master-addr-by-name mymaster 2>/dev/null |
        tr "\n" " ")
    b=$(redis-cli -h sentinel2 -p 26379 sentinel get-master-addr-by-name mymaster 2>/dev/null |
        tr "\n" " ")
    c=$(redis-cli -h sentinel3 -p 26379 sentinel get-master-addr-by-name mymaster 2>/dev/null |
        tr "\n" " ")
    if [ -n "$a" ] && [ "$a" = "$b" ] && [ "$b" = "$c" ] && [ "$a" != "master 6379 " ]; then
        echo "$(uptime) $a"
        exit 0
    fi
    [ "$(date +%s)" -lt "$deadline" ] || { echo "$a| $b| $c"; exit 1; }
    sleep 0.1
done' "$failover_timeout") || fail "the sentinels did not agree on a new master within \
${failover_timeout}s (sentinel1..3 said: $result)"
read -r t_agree new_host new_port <<<"$result"
say "all 3 sentinels report the new master $new_host:$new_port $(elapsed "$t_kill" "$t_agree")s after the kill"

# The new master takes writes and kept the acknowledged write; the other replica follows it.
case "$new_host" in
    replica1) other=replica2 ;;
    replica2) other=replica1 ;;
    *) fail "the new master '$new_host' is not a replica's service name" ;;
esac
check=$(in_net '
new=$1 port=$2 other=$3
deadline=$(( $(date +%s) + $4 ))
while :; do
    role=$(redis-cli -h $new -p $port role 2>/dev/null | head -1)
    set_ok=$(redis-cli -h $new -p $port set smoke:after written 2>/dev/null)
    before=$(redis-cli -h $new -p $port get smoke:before 2>/dev/null)
    info=$(redis-cli -h $other info replication 2>/dev/null)
    if [ "$role" = master ] && [ "$set_ok" = OK ] && [ "$before" = acked ] &&
            echo "$info" | grep -q "^master_host:$new" &&
            echo "$info" | grep -q "^master_link_status:up"; then
        cut -d" " -f1 /proc/uptime
        exit 0
    fi
    [ "$(date +%s)" -lt "$deadline" ] || {
        echo "role=$role set=$set_ok before=$before $other: $(echo "$info" | grep -E "^(role|master_host|master_link_status):" | tr -d "\r" | tr "\n" " ")"
        exit 1
    }
    sleep 0.1
done' "$new_host" "$new_port" "$other" "$failover_timeout") ||
    fail "after the failover: $check"
say "$new_host takes writes and has the write acknowledged before the kill; $other replicates from it ($(elapsed "$t_kill" "$check")s after the kill)"
say "PASS"
