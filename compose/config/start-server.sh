#!/bin/sh
# start-server.sh NAME master|replica: the entry point of a data server of the drill topology
# (command: in docker-compose.yml). At the first start of the node (an empty /data volume) it
# writes the node's own config file, /data/server.conf, from /conf/server.conf (+ replica.conf for
# a replica) and "replica-announce-ip NAME"; later starts reuse it, since CONFIG REWRITE keeps the
# role the sentinels gave the node there. Then `server` (vigil-server or redis-server) replaces
# this shell, so it gets the container's signals.
set -eu
name=$1
role=$2
# shellcheck source=local-dns.sh
. /conf/local-dns.sh
conf=/data/server.conf
if [ ! -f "$conf" ]; then
    {
        cat /conf/server.conf
        if [ "$role" = replica ]; then
            cat /conf/replica.conf
        fi
        echo "replica-announce-ip $name"
    } >"$conf.tmp"
    mv "$conf.tmp" "$conf"
fi
exec server "$conf"
