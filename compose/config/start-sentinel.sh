#!/bin/sh
# start-sentinel.sh NAME: the entry point of a sentinel of the drill topology (command: in
# docker-compose.yml). At the first start (an empty /data volume) it copies /conf/sentinel.conf to
# /data/sentinel.conf, the sentinel's own writable file, with "sentinel announce-ip NAME" added;
# later starts reuse it, with what the sentinel wrote there (myid, epochs, the current master).
# Then `sentinel` (vigil-sentinel or redis-sentinel) replaces this shell.
set -eu
name=$1
# shellcheck source=local-dns.sh
. /conf/local-dns.sh
conf=/data/sentinel.conf
if [ ! -f "$conf" ]; then
    {
        cat /conf/sentinel.conf
        echo "sentinel announce-ip $name"
    } >"$conf.tmp"
    mv "$conf.tmp" "$conf"
fi
exec sentinel "$conf"
