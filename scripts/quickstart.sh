#!/usr/bin/env bash
# Set up and start the server on the embedded defaults (SQLite, in-process bus, offline models) with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/interview-server serve --demo "$@"
