#!/usr/bin/env bash
# Install and run the demo: embedded SQLite, demo site, banner on http://127.0.0.1:8000/demo/
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh postgres
exec .venv/bin/consent-server demo "$@"
