#!/bin/sh
# compose/drill.d/checker.sh: the write checker of compose/drill, run in a container on the drill
# network (busybox sh + redis-cli). One write per iteration, SET k:SEQ SEQ on the current master
# (bounded by `timeout 1`); on an error it asks the sentinels for the master's address. Each
# attempt is one line of /out/checker.log:
#   <start ms> <end ms> <seq> ok|err <addr> [reply]
# (ms since boot, /proc/uptime: the kernel the host and every container share). Stops when
# /out/stop exists.
# shellcheck source=/dev/null  # compose/config/local-dns.sh, mounted on /conf
. /conf/local-dns.sh
ms() { t=$(cut -d' ' -f1 /proc/uptime); echo "${t%.*}${t#*.}0"; }
addr=master
seq=0
log=/out/checker.log
: >"$log"
ask_sentinels() {
    for s in sentinel1 sentinel2 sentinel3; do
        a=$(timeout 1 redis-cli -h $s -p 26379 sentinel get-master-addr-by-name mymaster 2>/dev/null | head -1)
        if [ -n "$a" ]; then addr=$a; return 0; fi
    done
    return 1
}
while [ ! -f /out/stop ]; do
    seq=$((seq + 1))
    t0=$(ms)
    r=$(timeout 1 redis-cli -h "$addr" -p 6379 set "k:$seq" "$seq" 2>&1 | head -1 | tr -d '\r')
    t1=$(ms)
    if [ "$r" = OK ]; then
        echo "$t0 $t1 $seq ok $addr" >>"$log"
    else
        echo "$t0 $t1 $seq err $addr ${r:-timeout}" | cut -c1-160 >>"$log"
        ask_sentinels
        sleep 0.02
    fi
done
