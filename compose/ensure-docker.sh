#!/usr/bin/env bash
# compose/ensure-docker.sh: makes a Docker engine and a compose command available, for
# build-images.sh, smoke.sh, drill and ci.sh. Does nothing when `docker info` answers and
# docker-compose (or Compose v2) is installed. Otherwise uses the machine's start-dockerd.sh
# (VIGIL_START_DOCKERD, default ../shared/tools/start-dockerd.sh beside the repository) when
# there is one, or does the same itself: installs Debian's docker.io and docker-compose and starts
# `dockerd --storage-driver=vfs` in the background (as root, or with sudo). Bounded in time.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

have_compose() { command -v docker-compose >/dev/null 2>&1 || timeout 20 docker compose version >/dev/null 2>&1; }
ready() { timeout 20 docker info >/dev/null 2>&1 && have_compose; }
ready && exit 0

starter=${VIGIL_START_DOCKERD:-$here/../../shared/tools/start-dockerd.sh}
if [ -x "$starter" ]; then
    echo "ensure-docker: starting the engine with $starter" >&2
    timeout 900 "$starter" >&2 </dev/null || true
    ready && exit 0
fi

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
if ! command -v dockerd >/dev/null 2>&1 || ! have_compose; then
    echo "ensure-docker: installing docker.io and docker-compose" >&2
    export DEBIAN_FRONTEND=noninteractive
    timeout 300 "${sudo[@]}" apt-get update -q >/dev/null
    timeout 600 "${sudo[@]}" apt-get install -y -q docker.io docker-compose </dev/null >/dev/null
fi
if ! timeout 20 docker info >/dev/null 2>&1; then
    log=${DOCKERD_LOG:-/tmp/dockerd.log}
    echo "ensure-docker: starting dockerd --storage-driver=vfs (log $log)" >&2
    "${sudo[@]}" sh -c "nohup dockerd --storage-driver=vfs >'$log' 2>&1 </dev/null &"
    for _ in $(seq 1 60); do
        timeout 5 docker info >/dev/null 2>&1 && break
        sleep 1
    done
fi
ready && exit 0
echo "ensure-docker: no Docker engine or no compose command; last lines of ${DOCKERD_LOG:-/tmp/dockerd.log}:" >&2
tail -20 "${DOCKERD_LOG:-/tmp/dockerd.log}" >&2 2>/dev/null || true
exit 1
