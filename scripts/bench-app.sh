#!/usr/bin/env bash
# Desktop-app timings in the real app under Xvfb, on a project of 100,000
# evidence items (BENCH_N to change): launch → interactive; open the project
# → checklist shown; evidence screen → first rows; search in the evidence.
# Targets: < 0.6 s, < 0.5 s, < 0.3 s, < 0.3 s (tests/e2e/bench/open-100k.mjs).
#
# Needs the app built: `cargo build -p iovaudit-app` (debug: the open step uses
# the debug-only chooser seam). APP_BIN picks another binary. The older
# 10,000-file ingest benchmark is `BENCH=10k scripts/bench-app.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export APP_BIN="${APP_BIN:-$PWD/target/debug/iovaudit-app}"
[ -x "$APP_BIN" ] || { echo "no app at $APP_BIN: cargo build -p iovaudit-app" >&2; exit 1; }
tmp=$(mktemp -d /tmp/iovaudit-bench-home.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
if [ "${BENCH:-100k}" = 10k ]; then
  export HOME="$tmp" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" NO_AT_BRIDGE=1
  exec xvfb-run -a -s "-screen 0 1280x800x24" node tests/e2e/bench/open-10k.mjs
fi
export BENCH_N="${BENCH_N:-100000}"
# The project: 20 real files through the core's add, the rest recorded as
# copies of them (evidence::record_copies) — seconds, not 100,000 fsyncs.
t0=$(date +%s%N)
IOVAUDIT_BENCH_PROJECT="$tmp/work" cargo test -q --test evidence_page -- --ignored --exact make_bench_project >/dev/null
export BENCH_PROJECT="$tmp/work/big.iovaudit"
[ -f "$BENCH_PROJECT/project.db" ] || { echo "the bench project was not made" >&2; exit 1; }
echo "setup: a project of $BENCH_N evidence items in $(( ($(date +%s%N) - t0) / 1000000 )) ms (including cargo)"
# A fresh, empty user for the app.
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" NO_AT_BRIDGE=1
mkdir -p "$HOME"
export IOVAUDIT_E2E_PICK="$tmp/pick.txt"
case "$APP_BIN" in
  */release/*) echo "build: release ($APP_BIN)" ;;
  *) echo "build: debug ($APP_BIN; a release build is faster)" ;;
esac
exec timeout -k 10 600 xvfb-run -a -s "-screen 0 1280x800x24" node tests/e2e/bench/open-100k.mjs
