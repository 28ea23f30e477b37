# shellcheck shell=sh
# local-dns.sh, sourced by start-server.sh and start-sentinel.sh (and by anything else started
# on the drill network): starts dnsmasq on 127.0.0.1:53 answering NXDOMAIN for every name.
#
# Why: docker-compose.yml gives every container `dns: 127.0.0.1`. Docker's embedded DNS
# (127.0.0.11, in /etc/resolv.conf) answers the names of the running containers itself and
# forwards any other name to that server, inside the container. Without an answer there, the
# embedded DNS of Docker 20.10 on an internal network never replies, and every lookup of a
# stopped container's name (`master` after a kill) blocks its caller for the resolver timeout.
# redis-server and redis-sentinel 7.0 resolve synchronously in their only thread: a 10 s (or,
# with dns_opt, 1 s) freeze per reconnect attempt makes replicas look down and sends
# redis-sentinels into TILT, and no failover happens. With this, such a name fails at once, as
# it would with any ordinary DNS server (CoreDNS, a LAN resolver), and the drills measure the
# sentinels, not Docker's silence. Nothing is forwarded anywhere: --no-resolv, no upstream.
if command -v dnsmasq >/dev/null 2>&1; then
    dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --address='/#/' \
        --listen-address=127.0.0.1 --bind-interfaces --port=53 --user=root \
        --pid-file=/run/dnsmasq.pid 2>/dev/null ||
        echo "local-dns.sh: dnsmasq did not start: names of stopped containers resolve slowly" >&2
else
    echo "local-dns.sh: no dnsmasq in this image: names of stopped containers resolve slowly" >&2
fi
