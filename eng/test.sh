#!/usr/bin/env bash
# Runs every test project of the solution and ends with one line: "N passed, M failed" (", K skipped" where any).
# PostgreSQL tests need a server; they find one themselves (docs/testing.md): $SVRNTY_TEST_POSTGRES, Docker, or the
# PostgreSQL binaries on this machine, which this script installs with apt-get when it runs as root and they are missing
# (also when Docker seems present: a Docker client without an engine is common).
set -uo pipefail
cd "$(dirname "$0")/.."

have_postgres_binaries() {
  command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}

if [ -z "${SVRNTY_TEST_POSTGRES:-}" ] && ! have_postgres_binaries; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing the PostgreSQL server binaries (apt-get install postgresql)..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "warning: no PostgreSQL server found; the PostgreSQL tests will fail and say how to provide one." >&2
  fi
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet test Svrnty.CQRS.Events.sln --configuration Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# VSTest prints one summary per test project: "Passed!  - Failed: 0, Passed: 127, Skipped: 0, Total: 127, ..."
summary=$(grep -E '(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" | awk '
  { gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } n++ }
  END { line = sprintf("%d passed, %d failed", p, f); if (s > 0) line = line sprintf(", %d skipped", s); print line; if (n == 0) exit 1 }')
if [ -z "$summary" ]; then
  echo "0 passed, 1 failed"
  echo "error: no test project reported a summary (the build or a test host failed; see above)." >&2
  exit 1
fi

echo "$summary"
case "$summary" in
  *" 0 failed"*) exit "$status" ;;
  *) exit 1 ;;
esac
