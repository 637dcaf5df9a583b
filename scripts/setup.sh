#!/usr/bin/env bash
# Install what the server needs into .venv and build the compiled catalogs.
# Usage: scripts/setup.sh [extras]   (extras default: postgres)
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-postgres}"
PY="${PYTHON:-python3}"

need_apt=()
$PY -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then scripts/apt-install.sh "${need_apt[@]}"; fi

[ -x .venv/bin/python ] || $PY -m venv .venv
log=.venv/pip-install.log
if ! { .venv/bin/python -m pip install -q --upgrade pip && .venv/bin/python -m pip install -q -e ".[${extras}]"; } >"$log" 2>&1; then
  cat "$log"; echo "pip install failed (log: $log)"; exit 1
fi
# Compiled catalogs are built, not committed.
if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then
  .venv/bin/pybabel compile -d translations >/dev/null
fi
