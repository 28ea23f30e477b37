#!/usr/bin/env bash
# Builds Vigil and runs every test: formatting and layering checks, unit tests and integration
# tests against real vigil-server and redis-server processes on 127.0.0.1, then the failover
# drills in docker compose (compose/ci.sh: every scenario for vigil, and for redis to compare).
#   scripts/test.sh                  release build (-Werror), all tests, the drills
#   PRESET=asan scripts/test.sh      the tests under AddressSanitizer + UBSan (no drills: the
#                                    drill images hold the release binaries)
#   VIGIL_DRILLS=0 scripts/test.sh   without the drills
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${PRESET:-release}"

scripts/install-deps.sh

echo "== format check (clang-format)"
mapfile -t sources < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find common server sentinel tests bench -name '*.[ch]pp')
clang-format --dry-run -Werror "${sources[@]}"

echo "== layering check"
if grep -rlE '#include "server/' sentinel; then
    echo "sentinel/ must not include server/"; exit 1
fi
if grep -rlE 'boost/asio|asio::|steady_clock::now|system_clock::now' server/store sentinel/core; then
    echo "server/store and sentinel/core must not use Asio or read a clock"; exit 1
fi

echo "== build ($preset)"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"

echo "== tests"
ctest --preset "$preset" --output-on-failure

if [ "$preset" = release ] && [ "${VIGIL_DRILLS:-1}" != 0 ]; then
    echo "== failover drills (docker compose)"
    compose/ci.sh
else
    echo "== failover drills skipped (preset $preset, VIGIL_DRILLS=${VIGIL_DRILLS:-1})"
fi
