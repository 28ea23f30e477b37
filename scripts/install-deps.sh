#!/usr/bin/env bash
# Installs every Debian 12 package Vigil needs to build, test and benchmark. Idempotent: packages
# already installed are left alone, and apt-get runs only when something is missing.
set -euo pipefail

packages=(
    build-essential cmake ninja-build ccache pkg-config clang-format
    libboost1.81-dev libhiredis-dev libspdlog-dev nlohmann-json3-dev libgtest-dev libgmock-dev
    redis-server redis-sentinel redis-tools python3 python3-redis
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
# libboost1.81-dev conflicts with the default libboost-dev (1.74): apt replaces it.
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
# The packaged redis-server/redis-sentinel services are not wanted: tests start their own.
for svc in redis-server redis-sentinel; do
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
        "${sudo[@]}" systemctl disable --now "$svc" >/dev/null 2>&1 || true
    fi
done
