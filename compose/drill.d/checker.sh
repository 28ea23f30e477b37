#!/bin/sh
# compose/drill.d/checker.sh [--log FILE|-] [--prefix P] [--addr HOST --name NAME] [--stop FILE]
#
# The write checker of compose/drill (busybox sh + redis-cli), a client that behaves like the
# Sentinel support of client libraries: it asks the sentinels for the master
# (SENTINEL get-master-addr-by-name, first sentinel that answers), checks with ROLE that the
# address is a master (asking again until one is), then writes, one at a time, SET P:SEQ SEQ
# followed by WAIT 2 200 on the same connection (one redis-cli, so one connection per write;
# bounded by `timeout 2`); after any error it asks the sentinels again. A write is acknowledged
# when SET answers OK, and confirmed when WAIT also says that both replicas of the topology
# have it (then every server has it, and no promotion can lose it). Each write attempt is one
# line of the log:
#   <start ms> <end ms> <seq> ok <addr> <replicas counted by WAIT>
#   <start ms> <end ms> <seq> err <addr> <reply>
# and each address refused by the ROLE check one line "<ms> <ms> <seq> role <addr> <role>"
# (ms since boot from /proc/uptime: the host and every container share that clock).
#
# Default: the client on the drill network (log /out/checker.log, keys k:N, stops when /out/stop
# exists). --addr starts from a known master instead of asking first, and logs that address as
# NAME: compose/drill runs a second checker inside the master's container with --addr 127.0.0.1
# --name master, the client "on the master's side" of a pause or a partition, which keeps
# writing to the master it has as long as that one takes writes (after an error it, too, asks
# the sentinels, until one can be reached).
log=/out/checker.log prefix=k addr="" port=6379 name="" stop=/out/stop
while [ $# -gt 1 ]; do
    case "$1" in
        --log) log=$2 ;;
        --prefix) prefix=$2 ;;
        --addr) addr=$2 ;;
        --name) name=$2 ;;
        --stop) stop=$2 ;;
        *) echo "checker.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift 2
done
if [ -z "$addr" ] && [ -f /conf/local-dns.sh ]; then
    # shellcheck source=/dev/null  # compose/config/local-dns.sh, mounted on /conf
    . /conf/local-dns.sh
fi
ms() { t=$(cut -d' ' -f1 /proc/uptime); echo "${t%.*}${t#*.}0"; }
say() { if [ "$log" = - ]; then echo "$*"; else echo "$*" >>"$log"; fi; }
shown() { if [ "$1" = "$addr0" ] && [ -n "$name" ]; then echo "$name"; else echo "$1"; fi; }
addr0=$addr
seq=0
[ "$log" = - ] || : >"$log"

# Sets addr/port to the master the first answering sentinel names, if ROLE there says master.
discover() {
    for s in sentinel1 sentinel2 sentinel3; do
        a=$(timeout 1 redis-cli -h "$s" -p 26379 sentinel get-master-addr-by-name mymaster 2>/dev/null |
            tr '\n' ' ')
        h=${a%% *}
        [ -n "$h" ] || continue
        p=$(echo "$a" | cut -d' ' -f2)
        t0=$(ms)
        r=$(timeout 1 redis-cli -h "$h" -p "$p" role 2>/dev/null | head -1 | tr -d '\r')
        if [ "$r" = master ]; then
            addr=$h port=$p
            return 0
        fi
        say "$t0 $(ms) $seq role $h ${r:-no-answer}"
        return 1
    done
    return 1
}

[ -n "$addr" ] || until discover || [ -f "$stop" ]; do sleep 0.05; done
while [ ! -f "$stop" ]; do
    seq=$((seq + 1))
    t0=$(ms)
    r=$(printf 'SET %s:%s %s\nWAIT 2 200\n' "$prefix" "$seq" "$seq" |
        timeout 2 redis-cli -h "$addr" -p "$port" 2>&1 | head -2 | tr -d '\r' | tr '\n' ' ')
    t1=$(ms)
    if [ "${r%% *}" = OK ]; then
        w=$(echo "$r" | cut -d' ' -f2)
        case "$w" in ''|*[!0-9]*) w=0 ;; esac
        say "$t0 $t1 $seq ok $(shown "$addr") $w"
    else
        say "$(echo "$t0 $t1 $seq err $(shown "$addr") ${r:-timeout}" | cut -c1-160)"
        until discover || [ -f "$stop" ]; do sleep 0.05; done
    fi
done
