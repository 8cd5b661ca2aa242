#!/usr/bin/env bash
# Set up everything the tests need, then run the whole suite:
#   1. all tests but the browser ones (PostgreSQL and Redis on 127.0.0.1 when present),
#   2. the browser tests inside a loopback-only network namespace, so WebRTC pairs only 127.0.0.1.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test || exit 1
PYTEST=(.venv/bin/python -m pytest -p no:cacheprovider -rs)
REPORTS=$(mktemp -d)

"${PYTEST[@]}" -m "not browser" --junitxml="$REPORTS/main.xml" "$@"
status=$?

if unshare -n true 2>/dev/null; then
  unshare -n bash -c 'ip link set lo up && exec "$@"' _ "${PYTEST[@]}" -m browser --junitxml="$REPORTS/browser.xml" "$@"
else
  echo "*** unshare -n is not permitted here: running browser tests in the normal network namespace ***"
  "${PYTEST[@]}" -m browser --junitxml="$REPORTS/browser.xml" "$@"
fi
bstatus=$?
# One closing line for both runs.
.venv/bin/python - "$REPORTS" <<'PY'
import pathlib, sys, xml.etree.ElementTree as ET
totals = dict(tests=0, failures=0, errors=0, skipped=0)
for f in pathlib.Path(sys.argv[1]).glob("*.xml"):
    for suite in ET.parse(f).getroot().iter("testsuite"):
        for k in totals:
            totals[k] += int(suite.get(k, 0))
failed = totals["failures"] + totals["errors"]
passed = totals["tests"] - failed - totals["skipped"]
print(f"total: {passed} passed, {failed} failed, {totals['skipped']} skipped")
PY
rm -rf "$REPORTS"
[[ $bstatus == 5 ]] && bstatus=0   # no browser test selected (e.g. a -k filter)
(( status != 0 )) && exit $status
exit $bstatus
