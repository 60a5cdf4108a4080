#!/usr/bin/env bash
# The test command (`npm test`): unit and integration tests (with a real PostgreSQL server), the production
# build, then browser and process tests against it in Debian's chromium. Installs chromium, CJK fonts and
# PostgreSQL through apt when they are missing and it runs as root.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need_apt+=(chromium)
{ fc-list 2>/dev/null | grep "Noto Sans CJK" >/dev/null; } || need_apt+=(fonts-noto-cjk) # no grep -q: with pipefail its early exit fails the pipe
if [ ${#need_apt[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "run-all: installing ${need_apt[*]} (apt)…"
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
	else
		echo "run-all: missing ${need_apt[*]}; install them with apt-get (as root)" >&2
		exit 1
	fi
fi

if [ -z "${MINQING_TEST_PG_URL:-}" ]; then
	eval "$(bash tests/support/postgres.sh start)"
	trap 'bash tests/support/postgres.sh stop "$MINQING_PG_DIR"' EXIT
fi
export MINQING_TEST_PG_URL

mkdir -p test-results
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/unit.json || status=1
npm run build --silent >/dev/null
npx vitest run --config tests/e2e/vitest.config.ts --reporter=default --reporter=json --outputFile.json=test-results/e2e.json || status=1

node -e '
const fs = require("fs");
let passed = 0, failed = 0, skipped = 0;
for (const f of ["test-results/unit.json", "test-results/e2e.json"]) {
	if (!fs.existsSync(f)) { failed++; console.error(`missing ${f}`); continue; }
	const r = JSON.parse(fs.readFileSync(f, "utf8"));
	passed += r.numPassedTests; skipped += r.numPendingTests + r.numTodoTests;
	// a suite that failed to load has no failed tests of its own: count it once
	failed += r.numFailedTests || (r.numFailedTestSuites || 0);
}
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
' || status=1
exit $status
