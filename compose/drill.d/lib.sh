#!/bin/sh
# compose/drill.d/lib.sh COMMAND ARGS: the waits and checks of compose/drill, run (docker exec)
# in its helper container on the drill network. Every wait is bounded by its TIMEOUT (seconds).
#   ready TIMEOUT                 3 sentinels see master with 2 replicas, 2 other sentinels
#   agree TIMEOUT NOT SENTINEL..  the sentinels give the same master (not NOT), which is a master
#                                 taking writes; prints "<ms> host port"
#   demoted TIMEOUT NEWHOST       the old master (service master) replicates from NEWHOST
#   roles                         ROLE of every server, one line each
ms() { t=$(cut -d' ' -f1 /proc/uptime); echo "${t%.*}${t#*.}0"; }
field() { awk -v k="$1" 'NR % 2 == 1 { key = $0; next } key == k { print; exit }'; }
cmd=$1; shift
case "$cmd" in
ready)
    deadline=$(( $(date +%s) + $1 ))
    while :; do
        ok=0
        for s in sentinel1 sentinel2 sentinel3; do
            m=$(timeout 2 redis-cli -h "$s" -p 26379 sentinel master mymaster 2>/dev/null) || continue
            [ "$(echo "$m" | field ip)" = master ] || continue
            [ "$(echo "$m" | field flags)" = master ] || continue
            [ "$(echo "$m" | field num-slaves)" = 2 ] || continue
            [ "$(echo "$m" | field num-other-sentinels)" = 2 ] || continue
            ok=$((ok + 1))
        done
        if [ $ok -eq 3 ] && timeout 2 redis-cli -h master info replication 2>/dev/null |
                grep -q "^connected_slaves:2"; then
            ms; exit 0
        fi
        [ "$(date +%s)" -lt "$deadline" ] || exit 1
        sleep 0.1
    done ;;
agree)
    deadline=$(( $(date +%s) + $1 )); not=$2; shift 2
    while :; do
        first="" same=1 said=""
        for s in "$@"; do
            a=$(timeout 2 redis-cli -h "$s" -p 26379 sentinel get-master-addr-by-name mymaster 2>/dev/null | tr '\n' ' ')
            said="$said$s=[$a] "
            [ -n "$a" ] || { same=0; continue; }
            [ -n "$first" ] || first=$a
            [ "$a" = "$first" ] || same=0
        done
        if [ $same = 1 ] && [ -n "$first" ]; then
            h=${first%% *}
            if [ "$h" != "$not" ]; then
                p=$(echo "$first" | cut -d' ' -f2)
                role=$(timeout 2 redis-cli -h "$h" -p "$p" role 2>/dev/null | head -1)
                if [ "$role" = master ]; then echo "$(ms) $h $p"; exit 0; fi
            fi
        fi
        [ "$(date +%s)" -lt "$deadline" ] || { echo "$said"; exit 1; }
        sleep 0.1
    done ;;
demoted)
    deadline=$(( $(date +%s) + $1 ))
    while :; do
        info=$(timeout 2 redis-cli -h master info replication 2>/dev/null | tr -d '\r')
        if echo "$info" | grep -q "^role:slave" && echo "$info" | grep -q "^master_host:$2"; then
            echo "replica of $2 ($(echo "$info" | grep '^master_link_status:'))"; exit 0
        fi
        [ "$(date +%s)" -lt "$deadline" ] || { echo "$info" | grep -E '^(role|master_host):' | tr '\n' ' '; exit 1; }
        sleep 0.2
    done ;;
roles)
    for h in master replica1 replica2; do
        echo "$h: $(timeout 2 redis-cli -h $h role 2>/dev/null | head -2 | tr '\n' ' ')"
    done ;;
esac
