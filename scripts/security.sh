#!/usr/bin/env bash
# Static and dependency checks (run by scripts/test.sh):
# - bandit on the server's Python code: any finding fails (fix it, or mark the line with
#   `# nosec BXXX` and the reason);
# - pip-audit on the installed environment: a known vulnerability fails. When pip-audit
#   cannot reach its vulnerability service (PyPI's JSON API, or OSV) from this network,
#   this says so and goes on: CI does not fail for the network (docs/RELIABILITY.md).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== bandit (consent_server geo widget)"
.venv/bin/bandit -q -r consent_server geo widget

echo "== pip-audit"
report=$(mktemp)
trap 'rm -f "$report"' EXIT
status=0
timeout 300 .venv/bin/pip-audit --skip-editable --progress-spinner off -f json -o "$report" >/dev/null 2>&1 || status=$?
.venv/bin/python - "$report" "$status" <<'PY'
import json, sys
path, status = sys.argv[1], int(sys.argv[2])
try:
    with open(path) as fh:
        deps = json.load(fh).get("dependencies", [])
except (OSError, ValueError):
    deps = []
audited = [d for d in deps if not d.get("skip_reason")]
vulnerable = [d for d in audited if d.get("vulns")]
if vulnerable:
    for d in vulnerable:
        for v in d["vulns"]:
            print(f"{d['name']} {d['version']}: {v['id']} (fixed in {', '.join(v.get('fix_versions') or ['-'])})")
    sys.exit(1)
if not audited:
    print(f"pip-audit could not reach its vulnerability service from this network (exit {status}, "
          f"{len(deps)} packages listed, none audited): dependencies NOT audited; run "
          "`.venv/bin/pip-audit --skip-editable` where PyPI's JSON API is reachable.")
    sys.exit(0)
print(f"pip-audit: {len(audited)} packages audited, no known vulnerabilities"
      + (f" ({len(deps) - len(audited)} could not be audited)" if len(deps) > len(audited) else ""))
PY
