#!/usr/bin/env bash
# End-to-end tests of the desktop app: the real binary in WebKitGTK, driven
# through tauri-driver + WebKitWebDriver under Xvfb. Expects the app built
# (target/debug/iovaudit-app, with ui/dist embedded) and tauri-driver on PATH.
# Screenshots: target/e2e-screenshots/. Prints node's "# pass N / # fail N".
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
tmp=$(mktemp -d /tmp/iovaudit-e2e-home.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# A fresh, empty user: settings, identities and the demo live under $tmp.
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" XDG_DOCUMENTS_DIR="$tmp/docs"
export IOVAUDIT_E2E_PICK="$tmp/pick.txt"
export NO_AT_BRIDGE=1
export APP_BIN="${APP_BIN:-$PWD/target/debug/iovaudit-app}"
export IOVAUDIT_CLI="${IOVAUDIT_CLI:-$PWD/target/debug/iovaudit}"
rm -rf target/e2e-screenshots
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(tests/e2e/*.test.mjs)
tap="${E2E_TAP:-target/e2e.tap}"
mkdir -p "$(dirname "$tap")"
set +e
# A bound on the whole run (the workflow takes ~3 min on 2 cores, the team file ~20 s): a
# WebDriver teardown that never returns must not hold CI.
timeout -k 10 600 xvfb-run -a -s "-screen 0 1280x800x24" node --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" "${files[@]}"
rc=$?
set -e
# Whatever is left of the app and the drivers goes.
pkill -f "$APP_BIN" 2>/dev/null || true
pkill -x WebKitWebDriver 2>/dev/null || true
pkill -x tauri-driver 2>/dev/null || true
if [ "$rc" -eq 124 ] && grep -q '^# fail 0' "$tap" && grep -Eq '^# pass [1-9]' "$tap"; then
  echo "e2e: every test passed, but the runner did not exit after them (stopped by the time bound)"
  rc=0
fi
exit "$rc"
