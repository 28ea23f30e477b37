#!/usr/bin/env bash
# compose/ci.sh: the failover drills as CI runs them (scripts/test.sh calls it after the other
# tests). Makes a Docker engine available (ensure-docker.sh), validates docker-compose.yml
# (validate.sh), builds vigil:local from the release binaries and redis:local from Debian's
# redis 7.0.15 offline (build-images.sh), then runs every scenario for vigil and, alternating
# with it, for redis (`drill all --compare`), and prints the side-by-side table. Fails when a
# vigil drill fails: no failover, sentinels that disagree at the end, not exactly one master, an
# old master not demoted after healing, or a write lost that the configuration promises to keep
# (drill.d/report.py). Redis's results are printed, not judged.
#
# Output: DRILL_OUT (default build/drill/ci-<time>): one directory per run with report.json,
# timeline.svg and the logs, and compare.txt.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
out=${DRILL_OUT:-$repo/build/drill/ci-$(date -u +%Y%m%dT%H%M%S)}

echo "== drills: Docker engine"
"$here/ensure-docker.sh"
echo "== drills: docker-compose.yml against docker-compose 1.29 and the Compose Specification"
"$here/validate.sh"
echo "== drills: images (offline)"
timeout 3600 "$here/build-images.sh" --system all
echo "== drills: every scenario, vigil and redis alternating (reports in $out)"
rc=0
DRILL_NO_BUILD=1 timeout 3000 "$here/drill" all --system vigil --compare --out "$out" || rc=$?
if [ "$rc" -ne 0 ]; then
    echo "== drills: a vigil drill failed (see the table above and $out/vigil-*/report.json)"
    for f in "$out"/vigil-*/compose-tail.log; do
        [ -f "$f" ] || continue
        echo "--- $f"
        cat "$f"
    done
fi
exit "$rc"
