#!/usr/bin/env bash
# Set up everything the tests need, then run the whole suite:
#   1. all tests but the browser ones (PostgreSQL and Redis on 127.0.0.1 when present),
#   2. the browser tests inside a loopback-only network namespace, so WebRTC pairs only 127.0.0.1.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test || exit 1
PYTEST=(.venv/bin/python -m pytest -p no:cacheprovider -rs)

"${PYTEST[@]}" -m "not browser" "$@"
status=$?

if unshare -n true 2>/dev/null; then
  unshare -n bash -c 'ip link set lo up && exec "$@"' _ "${PYTEST[@]}" -m browser "$@"
else
  echo "*** unshare -n is not permitted here: running browser tests in the normal network namespace ***"
  "${PYTEST[@]}" -m browser "$@"
fi
bstatus=$?
[[ $bstatus == 5 ]] && bstatus=0   # no browser test selected (e.g. a -k filter)
(( status != 0 )) && exit $status
exit $bstatus
