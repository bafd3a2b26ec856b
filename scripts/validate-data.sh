#!/usr/bin/env bash
# rasa data validate, failing on any warning that is not explained in scripts/validate-allowed.txt.
set -uo pipefail
out=$(mktemp)
.venv/bin/rasa data validate --data data --domain domain --config config.yml 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then echo "rasa data validate failed"; exit "$status"; fi
unexplained=$(grep -E "UserWarning|WARNING" "$out" | grep -v -F -f scripts/validate-allowed.txt || true)
if [ -n "$unexplained" ]; then
  echo "Unexplained warnings from rasa data validate:"; echo "$unexplained"; exit 1
fi
echo "rasa data validate: no unexplained warnings"
