#!/bin/sh
# compose/drill.d/events.sh: logs every sentinel's events (PSUBSCRIBE *) to /out/events.log as
#   <ms since boot> <sentinel> <channel> <message>
# re-subscribing when a sentinel goes away. Stops when /out/stop exists.
# shellcheck source=/dev/null  # compose/config/local-dns.sh, mounted on /conf
. /conf/local-dns.sh
ms() { t=$(cut -d' ' -f1 /proc/uptime); echo "${t%.*}${t#*.}0"; }
follow() {
    s=$1
    while [ ! -f /out/stop ]; do
        redis-cli -h "$s" -p 26379 psubscribe '*' 2>/dev/null | {
            n=0
            while read -r line; do
                n=$((n + 1))
                [ $n -ge 4 ] || continue
                case $((n % 4)) in
                    2) chan=$line ;;
                    3) echo "$(ms) $s $chan $line" >>/out/events.log ;;
                esac
            done
        }
        sleep 0.2
    done
}
: >/out/events.log
follow sentinel1 & follow sentinel2 & follow sentinel3 &
while [ ! -f /out/stop ]; do sleep 0.2; done
for j in $(jobs -p); do kill "$j" 2>/dev/null; done
pkill redis-cli 2>/dev/null
exit 0
